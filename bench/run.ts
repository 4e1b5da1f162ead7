// `npm run bench`: how much of the graph runs in parallel, what that means for `up`, and how fast
// the inner loop is. Prints a table, writes bench/results.json and the README's Performance block.
// No Docker, no Pulumi CLI.
import * as fs from "fs";
import * as path from "path";
import { directorySize } from "../tools/directorySize";
import { PROJECT_ROOT, runProgram } from "../tools/programRecorder";
import { cliFigures } from "./cliStartup";
import { criticalPath, finishTimes, Graph, graphOfRun, missingOrderings, needlessEdges, waves } from "./graph";
import { recordResults } from "./record";
import { requiredGraph } from "./requiredGraph";
import { median, round } from "./stats";
import { testSuiteSeconds } from "./suiteTiming";
import { BenchResults, benchTable } from "./table";
import { verifyAtScale } from "./verifyScale";

interface Latencies {
    defaultSeconds: number;
    steps: Record<string, { seconds: number; source: string }>;
}

const RUNS = 7;

function graphFigures(graph: Graph, seconds: (node: string) => number) {
    const waveOf = waves(graph);
    return {
        waves: Math.max(...waveOf.values()),
        criticalPath: criticalPath(graph),
        estimatedUpSeconds: round(Math.max(...finishTimes(graph, seconds).values())),
        slowestPath: criticalPath(graph, seconds),
    };
}

async function evaluationMs(program?: string): Promise<number> {
    const started = process.hrtime.bigint();
    await runProgram({ program });
    return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * The program's evaluation with V8's own stack formatting instead of the source-map formatting that
 * ts-node (and Pulumi's `cmd/run`) install. The SDK takes `new Error().stack` for four promises of every
 * output property of every resource (runtime/debuggable.js); this run shows what that costs.
 */
async function evaluationWithoutSourceMapsMs(): Promise<number> {
    const errors: { prepareStackTrace?: unknown } = Error;
    const formatting = errors.prepareStackTrace;
    errors.prepareStackTrace = undefined;
    try {
        return await evaluationMs();
    } finally {
        errors.prepareStackTrace = formatting;
    }
}

/** The stacks the SDK captures in one run for resource properties: four per property (runtime/rpc.js transferProperties). */
function stackCaptures(run: Awaited<ReturnType<typeof runProgram>>): number {
    return 4 * run.resources.reduce((sum, r) => sum + Object.keys(r.props ?? {}).filter((key) => key !== "id" && key !== "urn").length, 0);
}

async function main(): Promise<void> {
    const latencies: Latencies = JSON.parse(fs.readFileSync(path.join(__dirname, "latencies.json"), "utf8"));
    const seconds = (node: string) => latencies.steps[node]?.seconds ?? latencies.defaultSeconds;

    const run = await runProgram();
    const program = graphOfRun(run);
    const REQUIRED_GRAPH = await requiredGraph();
    const actual = graphFigures(program, seconds);
    const minimum = graphFigures(REQUIRED_GRAPH, seconds);
    const needless = needlessEdges(program, REQUIRED_GRAPH).map(([from, to]) => `${from} -> ${to}`);
    const missing = missingOrderings(program, REQUIRED_GRAPH).map(([from, to]) => `${from} -> ${to}`);
    const sequentialSeconds = round([...program.keys()].reduce((sum, node) => sum + seconds(node), 0));

    const programMs: number[] = [];
    const bareMs: number[] = [];
    const unmappedMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        programMs.push(await evaluationMs());
        bareMs.push(await evaluationMs("bench/bareProgram"));
        unmappedMs.push(await evaluationWithoutSourceMapsMs());
    }
    const lock = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package-lock.json"), "utf8"));
    const skipTests = process.argv.includes("--skip-tests");

    const results: BenchResults = {
        date: new Date().toISOString(),
        node: process.version,
        graph: {
            resources: program.size,
            waves: actual.waves,
            minimumWaves: minimum.waves,
            criticalPath: actual.criticalPath,
            needlessEdges: needless,
            missingOrderings: missing,
        },
        upEstimateSeconds: {
            program: actual.estimatedUpSeconds,
            dataDependencyMinimum: minimum.estimatedUpSeconds,
            tutorialStepByStep: sequentialSeconds,
            slowestPath: actual.slowestPath,
        },
        evaluationUnderMocks: {
            runs: RUNS,
            programMedianMs: round(median(programMs)),
            bareSdkMedianMs: round(median(bareMs)),
            ratio: round(median(programMs) / median(bareMs), 2),
            sdkStackCaptures: stackCaptures(run),
            withoutSourceMapsMedianMs: round(median(unmappedMs)),
        },
        testSuiteSeconds: skipTests ? null : round(testSuiteSeconds()),
        install: {
            nodeModulesMB: round(directorySize(path.join(PROJECT_ROOT, "node_modules")) / 2 ** 20),
            packages: Object.keys(lock.packages).filter((key) => key !== "").length,
        },
        cli: cliFigures(),
        verifyAtScale: await verifyAtScale(),
    };

    console.log(benchTable(results));
    console.log("");
    recordResults(results).forEach((line) => console.log(line));
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
