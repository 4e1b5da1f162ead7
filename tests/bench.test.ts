// The bench's graph arithmetic on small hand-built graphs, and its view of the real program.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { recordResults } from "../bench/record";
import { failureReport, TEST_FILES, testSuiteSeconds } from "../bench/suiteTiming";
import { startupFigures } from "../bench/cliStartup";
import { BenchResults, benchRows, performanceBlock } from "../bench/table";
import { withPerformance } from "../tools/docFiles";
import { criticalPath, finishTimes, Graph, graphOfRun, missingOrderings, needlessEdges, reachability, waves } from "../bench/graph";
import { requiredGraph } from "../bench/requiredGraph";
import { jobCounts, LARGE } from "./scaleCluster";
import { PROJECT_ROOT, runProgram } from "../tools/programRecorder";

const graph = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges));
const waveCount = (g: Graph) => Math.max(...waves(g).values());

describe("bench: graph arithmetic", () => {
    it("a chain of three takes three waves", () => {
        assert.strictEqual(waveCount(graph({ a: [], b: ["a"], c: ["b"] })), 3);
    });
    it("a diamond takes three waves, its sides in the same one", () => {
        const w = waves(graph({ top: [], left: ["top"], right: ["top"], bottom: ["left", "right"] }));
        assert.deepStrictEqual([w.get("left"), w.get("right"), w.get("bottom")], [2, 2, 3]);
    });
    it("independent roots share the first wave", () => {
        assert.strictEqual(waveCount(graph({ a: [], b: [], c: [] })), 1);
    });
    it("a provider edge adds a wave like any other", () => {
        const withoutProvider = graph({ container: [], mount: ["container"] });
        const withProvider = graph({ container: [], provider: ["container"], mount: ["container", "provider"] });
        assert.deepStrictEqual([waveCount(withoutProvider), waveCount(withProvider)], [2, 3]);
    });
    it("the critical path follows the longest chain", () => {
        assert.deepStrictEqual(criticalPath(graph({ a: [], b: ["a"], c: ["b"], x: [], y: ["x"] })), ["a", "b", "c"]);
    });
    it("weights decide the slowest path", () => {
        const g = graph({ a: [], b: ["a"], c: ["b"], slow: [], end: ["c", "slow"] });
        const seconds = (n: string) => (n === "slow" ? 10 : 1);
        assert.deepStrictEqual([criticalPath(g, seconds), Math.max(...finishTimes(g, seconds).values())], [["slow", "end"], 11]);
    });
    it("refuses a cycle", () => {
        assert.throws(() => waves(graph({ a: ["b"], b: ["a"] })), /dependency cycle/);
    });
    it("flags an edge the required graph does not imply", () => {
        const required = graph({ a: [], b: ["a"], c: ["b"] });
        const actual = graph({ a: [], b: ["a"], c: ["b", "a"], d: ["c"] });
        assert.deepStrictEqual(needlessEdges(actual, required), [["c", "d"]]);
    });
    it("does not flag a shortcut the required graph already implies", () => {
        const required = graph({ a: [], b: ["a"], c: ["b"] });
        assert.deepStrictEqual(needlessEdges(graph({ a: [], b: ["a"], c: ["b", "a"] }), required), []);
    });
    it("finds an ordering the program lacks", () => {
        assert.deepStrictEqual(missingOrderings(graph({ a: [], b: [] }), graph({ a: [], b: ["a"] })), [["a", "b"]]);
    });
});

describe("bench: the program's graph", function () {
    this.timeout(60_000);
    let program: Graph;
    let REQUIRED_GRAPH: Graph;

    before(async () => {
        program = graphOfRun(await runProgram());
        REQUIRED_GRAPH = await requiredGraph();
    });

    it("covers every resource the program registers, and no other", () => {
        assert.deepStrictEqual([...program.keys()].sort(), [...REQUIRED_GRAPH.keys()].sort());
    });
    it("sees every ordering the foundation's tests require", () => {
        const after = reachability(program);
        const pairs: Array<[string, string]> = [
            ["nomad-container", "workload-identity-jwt"],
            ["nomad-container", "nomad-acl-bootstrap"],
            ["nomad-acl-bootstrap", "mongo-job"],
            ["kv-mongo-config", "mongo-job"],
            ["workload-identity-role", "mongo-job"],
            ["workload-identity-policy", "mongo-job"],
            ["mongo-job", "database-connection"],
            ["database-role", "mongo-query-job"],
            ["mongo-dynamic-secret-role", "mongo-query-job"],
            ["mongo-dynamic-secret-policy", "mongo-query-job"],
        ];
        assert.deepStrictEqual(
            pairs.filter(([earlier, later]) => !after.get(later)?.has(earlier)),
            [],
        );
    });
    it("lacks no ordering the tutorial's flow forces", () => {
        assert.deepStrictEqual(missingOrderings(program, REQUIRED_GRAPH), []);
    });
    it("has no edge the flow does not need", () => {
        assert.deepStrictEqual(needlessEdges(program, REQUIRED_GRAPH), []);
    });
    it("takes no more waves than the flow's minimum", () => {
        assert.strictEqual(waveCount(program), waveCount(REQUIRED_GRAPH));
    });
    it("has a stated latency source for every step it weights, each a resource of the program", () => {
        const latencies = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "bench/latencies.json"), "utf8"));
        const bad = Object.entries(latencies.steps as Record<string, { seconds: number; source: string }>)
            .filter(([step, { seconds, source }]) => !program.has(step) || !(seconds > 0) || !source)
            .map(([step]) => step);
        assert.deepStrictEqual(bad, []);
    });
});

describe("bench: verify at scale", () => {
    it("measures the cluster it names: 1,000 client nodes, 3 servers, 5,000 jobs in several namespaces, 50 roles", () => {
        assert.deepStrictEqual(
            [LARGE.clientNodes, LARGE.otherServers + 1, jobCounts(LARGE).total, LARGE.namespaces.length > 1, LARGE.roles],
            [1000, 3, 5000, true, 50],
        );
    });
    it("has jobs without Vault and children of periodic jobs among them", () => {
        const counts = jobCounts(LARGE);
        assert.deepStrictEqual(
            [counts.withoutVault > 0, counts.children > 0, counts.usingVault + counts.children + counts.withoutVault],
            [true, true, 5000],
        );
    });
});

describe("bench: the packed vaultnomad-verify", () => {
    it("takes the median of each series of start-up times, and their ratio", () => {
        assert.deepStrictEqual(startupFigures([52, 50, 90, 54, 49], [40, 41, 39, 80, 40]), {
            runs: 5,
            helpMedianMs: 52,
            bareNodeMedianMs: 40,
            ratio: 1.3,
        });
    });
    it("shows the installed size and --help against node -e 0 side by side", () => {
        const results: BenchResults = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "bench/results.json"), "utf8"));
        const cli = { installedMB: 2, packages: 6, runs: 21, helpMedianMs: 51, bareNodeMedianMs: 40, ratio: 1.28 };
        const rows = benchRows({ ...results, cli });
        const at = rows.findIndex(([label]) => label.startsWith("vaultnomad-verify installed"));
        assert.deepStrictEqual(rows.slice(at, at + 2), [
            ["vaultnomad-verify installed, MB (packages)", "2 (6)"],
            ["  --help, median ms (node -e 0; ratio)", "51 (40; 1.28×)"],
        ]);
    });
});

describe("bench: what it leaves behind", () => {
    const results: BenchResults = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "bench/results.json"), "utf8"));
    const rerun: BenchResults = { ...results, date: "2031-01-02T03:04:05.000Z", testSuiteSeconds: 99.9 };
    let root: string;

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-bench-"));
        fs.mkdirSync(path.join(root, "bench"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "README.md"), path.join(root, "README.md"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("writes bench/results.json", () => {
        recordResults(rerun, root);
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(root, "bench/results.json"), "utf8")), rerun);
    });
    it("writes the README's Performance block from the same figures, so the docs test agrees at once", () => {
        recordResults(rerun, root);
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        assert.deepStrictEqual([readme.includes(performanceBlock(rerun)), withPerformance(readme, rerun) === readme], [true, true]);
    });
    it("says which files it wrote", () => {
        assert.deepStrictEqual(recordResults(rerun, root), ["bench/results.json: written", "README.md: updated"]);
    });
});

describe("bench: the test suite's time", () => {
    it("is the wall time of one run", () => {
        const clock = [1_000, 22_500];
        assert.strictEqual(
            testSuiteSeconds(
                () => undefined,
                () => clock.shift()!,
            ),
            21.5,
        );
    });
    it("is an error carrying mocha's report of the failures when the suite fails", () => {
        const mochaFailed = Object.assign(new Error("Command failed: node_modules/.bin/mocha --reporter dot tests/**/*.test.ts"), {
            stdout: "  ....!\n\n  1 failing\n\n  1) settings\n       reports an empty image once:\n     AssertionError: expected 2.0.5\n",
            stderr: "",
        });
        assert.throws(
            () =>
                testSuiteSeconds(() => {
                    throw mochaFailed;
                }),
            /The test suite failed[^]*1\) settings\n\s+reports an empty image once:\n\s+AssertionError: expected 2\.0\.5$/,
        );
    });
    it("shows the error itself when mocha printed nothing (it could not start)", () => {
        assert.match(failureReport(new Error("spawn node_modules/.bin/mocha ENOENT")), /^spawn node_modules\/\.bin\/mocha ENOENT$/);
    });
    it("runs the files npm test runs", () => {
        assert.match(
            JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts.test,
            new RegExp(`mocha "${TEST_FILES.replace(/\*/g, "\\*")}"`),
        );
    });
});
