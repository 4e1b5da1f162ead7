// The rows `npm run bench` prints, from its results: shared by the bench and the README's
// Performance block (`npm run docs`), so the two cannot disagree.
import type { CliFigures } from "./cliStartup";
import type { VerifyScaleFigures } from "./verifyScale";

export interface BenchResults {
    date: string;
    node: string;
    graph: {
        resources: number;
        waves: number;
        minimumWaves: number;
        criticalPath: string[];
        needlessEdges: string[];
        missingOrderings: string[];
    };
    upEstimateSeconds: { program: number; dataDependencyMinimum: number; tutorialStepByStep: number; slowestPath: string[] };
    evaluationUnderMocks: {
        runs: number;
        programMedianMs: number;
        bareSdkMedianMs: number;
        ratio: number;
        /** `new Error().stack` calls the SDK makes in one run (four per output property). */
        sdkStackCaptures: number;
        /** The same run with V8's stack formatting instead of source maps. */
        withoutSourceMapsMedianMs: number;
    };
    testSuiteSeconds: number | null;
    install: { nodeModulesMB: number; packages: number };
    /** The packed vaultnomad-verify, installed on its own (bench/cliStartup.ts). */
    cli?: CliFigures;
    /** vaultnomad-verify on a large cluster behind fakes (bench/verifyScale.ts). */
    verifyAtScale?: VerifyScaleFigures;
}

/** Counts by kind, as "kind n, …". */
const byKind = (counts: Record<string, number>) =>
    Object.entries(counts)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(", ");

function verifyRows(figures: VerifyScaleFigures): Array<[string, string]> {
    const { cluster: c, concurrent, sequential } = figures;
    return [
        [
            `verify at scale (fakes, ${figures.latencyMs} ms per request)`,
            `${c.clientNodes} client nodes, ${c.servers} servers, ${c.jobs} jobs in ${c.namespaces} namespaces ` +
                `(${c.jobsUsingVault} using Vault, ${c.childJobs} children of periodic jobs), ${c.roles} roles`,
        ],
        [`  --concurrency ${concurrent.concurrency} (default), s (requests)`, `${concurrent.wallSeconds} (${concurrent.requests.total})`],
        [
            `  --concurrency ${sequential.concurrency}, s (requests)`,
            `${sequential.wallSeconds} (${sequential.requests.total}); same verdicts: ${figures.sameVerdicts ? "yes" : "NO"}`,
        ],
        ["  Nomad requests", byKind(concurrent.requests.nomad)],
        ["  Vault requests", byKind(concurrent.requests.vault)],
    ];
}

function cliRows(cli: CliFigures): Array<[string, string]> {
    return [
        ["vaultnomad-verify installed, MB (packages)", `${cli.installedMB} (${cli.packages})`],
        ["  --help, median ms (node -e 0; ratio)", `${cli.helpMedianMs} (${cli.bareNodeMedianMs}; ${cli.ratio}×)`],
    ];
}

export function benchRows(results: BenchResults): Array<[string, string]> {
    const { graph, upEstimateSeconds: up, evaluationUnderMocks: evaluation } = results;
    return [
        ["resources", String(graph.resources)],
        ["dependency waves (minimum the flow forces)", `${graph.waves} (${graph.minimumWaves})`],
        ["critical path", graph.criticalPath.join(" → ")],
        ["edges the flow does not need", graph.needlessEdges.length ? graph.needlessEdges.join(", ") : "none"],
        ["orderings the flow needs but the program lacks", graph.missingOrderings.length ? graph.missingOrderings.join(", ") : "none"],
        ["estimated up, s (minimum | tutorial by hand)", `${up.program} (${up.dataDependencyMinimum} | ${up.tutorialStepByStep})`],
        ["slowest path", up.slowestPath.join(" → ")],
        ["program evaluation under mocks, median ms", `${evaluation.programMedianMs}`],
        ["  bare SDK imports, median ms (ratio)", `${evaluation.bareSdkMedianMs} (${evaluation.ratio}×)`],
        [
            "  without source-mapped stacks, median ms",
            `${evaluation.withoutSourceMapsMedianMs} (the rest: the SDK's stack captures, ${evaluation.sdkStackCaptures} for properties alone)`,
        ],
        ["test suite, s", results.testSuiteSeconds === null ? "skipped" : String(results.testSuiteSeconds)],
        ["node_modules, MB (packages)", `${results.install.nodeModulesMB} (${results.install.packages})`],
        ...(results.cli ? cliRows(results.cli) : []),
        ...(results.verifyAtScale ? verifyRows(results.verifyAtScale) : []),
    ];
}

export function benchTable(results: BenchResults): string {
    const rows = benchRows(results);
    const width = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}

/** The README's Performance block. */
export function performanceBlock(results: BenchResults): string {
    return [`Run of ${results.date.slice(0, 10)}, Node.js ${results.node}:`, "", "```", benchTable(results), "```"].join("\n");
}
