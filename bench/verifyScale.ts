// `vaultnomad-verify` on a large healthy cluster behind the fakes (tests/scaleCluster.ts), every
// answer after a set latency: its wall time and requests by kind at the default concurrency,
// beside a sequential run (--concurrency 1), and whether both reached the same verdicts.
import { DEFAULT_CONCURRENCY } from "../verify/readLimit";
import { round } from "./stats";
import { jobCounts, LARGE, requestsByKind, ScaleCluster, startScaleCluster, verifyCluster } from "../tests/scaleCluster";

export interface VerifyRunFigures {
    concurrency: number;
    wallSeconds: number;
    requests: { total: number; vault: Record<string, number>; nomad: Record<string, number> };
}

export interface VerifyScaleFigures {
    latencyMs: number;
    cluster: {
        clientNodes: number;
        servers: number;
        namespaces: number;
        jobs: number;
        jobsUsingVault: number;
        childJobs: number;
        roles: number;
    };
    concurrent: VerifyRunFigures;
    sequential: VerifyRunFigures;
    /** Whether both runs gave every check the same status and evidence. */
    sameVerdicts: boolean;
    /** The verdicts of the concurrent run, by status (without --probe and --expect, the probe's checks and drift are skipped). */
    counts: Record<string, number>;
}

async function timedRun(cluster: ScaleCluster, concurrency: number) {
    cluster.reset();
    const started = process.hrtime.bigint();
    const { document } = await verifyCluster(cluster, ["--concurrency", String(concurrency)]);
    const wallSeconds = round(Number(process.hrtime.bigint() - started) / 1e9);
    const { vault, nomad } = requestsByKind(cluster);
    const total = [...Object.values(vault), ...Object.values(nomad)].reduce((sum, n) => sum + n, 0);
    const verdicts: string[] = document.checks.map(
        (c: { id: string; status: string; evidence: string }) => `${c.id}: ${c.status} ${c.evidence}`,
    );
    return { figures: { concurrency, wallSeconds, requests: { total, vault, nomad } }, verdicts, counts: document.counts };
}

export async function verifyAtScale(latencyMs = 20): Promise<VerifyScaleFigures> {
    const cluster = await startScaleCluster(LARGE, { latencyMs: () => latencyMs });
    try {
        const concurrent = await timedRun(cluster, DEFAULT_CONCURRENCY);
        const sequential = await timedRun(cluster, 1);
        const counts = jobCounts(LARGE);
        return {
            latencyMs,
            cluster: {
                clientNodes: LARGE.clientNodes,
                servers: LARGE.otherServers + 1,
                namespaces: LARGE.namespaces.length,
                jobs: counts.total,
                jobsUsingVault: counts.usingVault,
                childJobs: counts.children,
                roles: LARGE.roles,
            },
            concurrent: concurrent.figures,
            sequential: sequential.figures,
            sameVerdicts: JSON.stringify(concurrent.verdicts) === JSON.stringify(sequential.verdicts),
            counts: concurrent.counts,
        };
    } finally {
        await cluster.close();
    }
}
