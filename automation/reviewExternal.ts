// Review stacks on existing clusters: `review up --from <stack> --cluster <name>` makes the branch's
// stack from an external stack over several Nomad clusters, on the one cluster chosen. Its Vault
// objects get names of their own (mount, policies, job roles), so that the review stack never writes
// over the base stack's; its workloads are those the base runs in that cluster.
import { ConfigMap, ConfigValue } from "@pulumi/pulumi/automation";
import { CLUSTERS_KEY } from "../settings/clusters";
import { CONFIG_KEYS, fq } from "../settings/keys";
import { NAMESPACES_KEY } from "../settings/namespaces";
import { WORKLOADS_KEY } from "../settings/workloads";
import { UsageError } from "./driver";
import { modeOf } from "./stackChecks";

type Entry = Record<string, unknown> & { name?: unknown; clusters?: unknown; role?: { name?: unknown }; namespace?: unknown };

const parsed = (value: ConfigValue | undefined): Entry[] | undefined => {
    try {
        const list = value && JSON.parse(value.value);
        return Array.isArray(list) ? list : undefined;
    } catch {
        return undefined;
    }
};

/** The review stack's config: `base`'s, over `cluster` only, its Vault names suffixed with the review stack's name. */
export function externalReviewConfig(base: ConfigMap, from: string, cluster: string, stackName: string, branch: string): ConfigMap {
    const clusters = parsed(base[fq(CLUSTERS_KEY)]);
    if (modeOf(base) !== "external" || !clusters) {
        throw new UsageError(`--from ${from}: not an external stack over several clusters (it sets no ${CLUSTERS_KEY}).`);
    }
    const chosen = clusters.find((c) => c.name === cluster);
    if (!chosen) {
        throw new UsageError(
            `--cluster ${cluster}: ${from} has no such cluster; it has ${clusters.map((c) => String(c.name)).join(", ")}.`,
        );
    }
    const config: ConfigMap = { ...base };
    const set = (key: string, value: string, secret = base[fq(key)]?.secret ?? false) => (config[fq(key)] = { value, secret });
    const own = (key: "jwtAuthPath" | "policyName") => set(key, `${base[fq(key)]?.value ?? CONFIG_KEYS[key].default}-${stackName}`);
    set(CLUSTERS_KEY, JSON.stringify([chosen]));
    own("jwtAuthPath");
    own("policyName");
    set("reviewBranch", branch);
    const workloads = (parsed(base[fq(WORKLOADS_KEY)]) ?? [])
        .filter((w) => Array.isArray(w.clusters) && w.clusters.includes(cluster))
        .map((w) => ({ ...w, clusters: [cluster], ...(w.role ? { role: { ...w.role, name: `${w.role.name}-${stackName}` } } : {}) }));
    delete config[fq(WORKLOADS_KEY)];
    if (workloads.length > 0) {
        set(WORKLOADS_KEY, JSON.stringify(workloads));
    }
    keepNamespacesOf(config, workloads);
    return config;
}

/** The namespaces key may describe only namespaces a workload runs in. */
function keepNamespacesOf(config: ConfigMap, workloads: Entry[]): void {
    const described = config[fq(NAMESPACES_KEY)];
    if (!described) {
        return;
    }
    const used = new Set(workloads.map((w) => w.namespace ?? config[fq("jobNamespace")]?.value ?? "default"));
    const kept = Object.fromEntries(
        Object.entries(JSON.parse(described.value) as Record<string, unknown>).filter(([name]) => used.has(name)),
    );
    delete config[fq(NAMESPACES_KEY)];
    if (Object.keys(kept).length > 0) {
        config[fq(NAMESPACES_KEY)] = { value: JSON.stringify(kept), secret: described.secret };
    }
}
