// verify over several Nomad clusters and one Vault: each cluster's whole chain, its results named
// by the cluster, then the checks across them (clusters.ts). Printed as one run: each line as it
// completes, or one JSON document (verify/result.schema.json).
import { ClusterUnderCheck, mountsInUse, readCluster, readMount } from "./clusterKeys";
import { checkClusterMount, checkMountKeys, checkSharedAliases, idPart } from "./clusters";
import { formatResult, formatSummary, resultsJson, RunSettings, runView, verify } from "./run";
import { CheckResult } from "./types";

export interface ClustersOptions extends RunSettings {
    readonly onResult?: (result: CheckResult) => void;
}

/** A cluster's own result, named by the cluster. */
const named = (cluster: string, r: CheckResult): CheckResult => ({
    ...r,
    id: `${idPart(cluster)}-${r.id}`,
    title: `${cluster}: ${r.title}`,
});

export async function verifyClusters(clusters: ClusterUnderCheck[], options: ClustersOptions = {}): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    const report = (r: CheckResult) => {
        results.push(r);
        options.onResult?.(r);
    };
    const views = clusters.map((c) => c.view ?? runView(c.target, options));
    for (const [i, cluster] of clusters.entries()) {
        await verify(cluster.target, { ...options, view: views[i], onResult: (r) => report(named(cluster.name, r)) });
    }
    const facts = await Promise.all(clusters.map((c, i) => readCluster(c, views[i])));
    const mounts = await Promise.all(mountsInUse(facts).map((path) => readMount(path, views[0])));
    const byPath = new Map(mounts.map((m) => [m.path, m]));
    facts.forEach((c) => report(checkClusterMount(c, facts, byPath)));
    mounts.forEach((m) => report(checkMountKeys(m, facts)));
    report(checkSharedAliases(mounts, facts));
    return results;
}

/** Runs and prints, as report.ts's runAndPrint does for one cluster. */
export async function runAndPrintClusters(
    label: string,
    clusters: ClusterUnderCheck[],
    options: RunSettings & { readonly json: boolean },
    out: (text: string) => void,
): Promise<CheckResult[]> {
    const results = await verifyClusters(clusters, { ...options, onResult: options.json ? undefined : (r) => out(formatResult(r)) });
    out(options.json ? JSON.stringify(resultsJson(label, results), null, 2) : formatSummary(results));
    return results;
}
