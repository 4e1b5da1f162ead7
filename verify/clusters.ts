// The checks across several Nomad clusters and one Vault: each cluster's agents log in at a mount
// that trusts that cluster's keys; each mount's JWKS serves the keys of the clusters that use it, not
// another's; and a job ID in two clusters on one mount keyed by /nomad_job_id shares an entity alias.
import { ClusterFacts, MountFacts, overlaps, usersOf } from "./clusterKeys";
import { fail, pass, warn } from "./outcome";
import { CheckResult, Outcome } from "./types";

/** A check id from a name: ids are lower-case letters, digits and - (verify/result.schema.json). */
export const idPart = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]+/g, "-");

const result = (id: string, title: string, outcome: Outcome): CheckResult => ({ id, title, ...outcome });

/** The other clusters whose keys a set of keys holds. */
const ownersOf = (keys: Set<string>, clusters: ClusterFacts[]) => clusters.filter((c) => overlaps(keys, c.keys)).map((c) => c.name);

/** Cluster `c`'s agents: each mount they name is the stack's for it, and trusts c's keys. */
export function checkClusterMount(c: ClusterFacts, all: ClusterFacts[], mounts: ReadonlyMap<string, MountFacts>): CheckResult {
    const id = `${idPart(c.name)}-mount`;
    const title = `cluster ${c.name}: its agents' JWT mount trusts its keys`;
    if (c.keysUnread) {
        return result(
            id,
            title,
            fail(
                `cluster ${c.name}: its JWKS was not read (${c.keysUnread})`,
                "Without its keys no mount can be judged.",
                "See this cluster's jwks checks.",
            ),
        );
    }
    if (c.agentPaths.length === 0) {
        return result(
            id,
            title,
            fail(
                `cluster ${c.name}: no agent names a JWT path`,
                "Its agents have no vault block with Vault enabled.",
                "See this cluster's agents check.",
            ),
        );
    }
    const fix = (path: string) =>
        c.declaredMount
            ? `Set vault { jwt_auth_backend_path = "${c.declaredMount}" } on cluster ${c.name}'s agents (stack output nomadClusters.${c.name}.nomadClientVaultConfig), and restart them.`
            : `Point cluster ${c.name}'s agents' vault.jwt_auth_backend_path at a mount whose JWKS is ${c.name}'s, not ${path}.`;
    const others = all.filter((o) => o !== c);
    for (const path of c.agentPaths) {
        const trusted = new Set((mounts.get(path)?.sources ?? []).flatMap((s) => [...s.keys]));
        if (c.declaredMount && path !== c.declaredMount) {
            const whose = ownersOf(trusted, others);
            return result(
                id,
                title,
                fail(
                    `cluster ${c.name}: its agents log tasks in at ${path}/, the stack's mount for ${c.name} is ${c.declaredMount}/${whose.length ? ` (${path}/ is cluster ${whose.join(", ")}'s)` : ""}`,
                    `Its tasks log in at another cluster's mount: ${overlaps(trusted, c.keys) ? "they share its entity aliases and policies" : "Vault refuses their identities (error verifying token signature)"}.`,
                    fix(path),
                ),
            );
        }
        if (!overlaps(trusted, c.keys)) {
            const whose = ownersOf(trusted, others);
            return result(
                id,
                title,
                fail(
                    `cluster ${c.name}: its agents log tasks in at ${path}/, which trusts ${whose.length ? `cluster ${whose.join(", ")}'s keys` : "none of its keys"}, not ${c.name}'s`,
                    "Vault refuses every login of this cluster's tasks there (error verifying token signature).",
                    fix(path),
                ),
            );
        }
    }
    return result(
        id,
        title,
        pass(`cluster ${c.name}: agents log tasks in at ${c.agentPaths.map((p) => `${p}/`).join(", ")}, which trusts ${c.name}'s keys`),
    );
}

/** A mount's JWKS URLs serve the keys of the clusters that log in at it, not only another cluster's. */
export function checkMountKeys(mount: MountFacts, all: ClusterFacts[]): CheckResult {
    const id = `mount-${idPart(mount.path)}-keys`;
    const title = `mount ${mount.path}: its JWKS are its clusters'`;
    const users = usersOf(mount.path, all);
    if (mount.unread) {
        return result(
            id,
            title,
            fail(
                `mount ${mount.path}: auth/${mount.path}/config not read (${mount.unread})`,
                "The mount's keys cannot be judged.",
                "See the audience and JWKS checks of the clusters that use it.",
            ),
        );
    }
    for (const source of mount.sources) {
        // Keys that are none of its clusters' but some other cluster's.
        const foreign = ownersOf(source.keys, all);
        if (!users.some((u) => overlaps(source.keys, u.keys)) && foreign.length > 0) {
            return result(
                id,
                title,
                fail(
                    `mount ${mount.path}: ${source.from} serves cluster ${foreign.join(", ")}'s keys, not ${users.map((u) => u.name).join(", ")}'s`,
                    `The mount trusts another cluster's identities: that cluster's tasks can log in at ${mount.path} with its roles, and ${users.map((u) => u.name).join(", ")}'s cannot.`,
                    `Set ${mount.path}'s jwks_url to ${users.map((u) => `cluster ${u.name}'s`).join(" or ")} JWKS (its Nomad's /.well-known/jwks.json), or its static keys to that cluster's.`,
                ),
            );
        }
    }
    const from = mount.sources.map(
        (s) => `${s.from}: ${s.unread ? `not fetched (${s.unread})` : `${ownersOf(s.keys, all).join(", ") || "no cluster"}'s keys`}`,
    );
    return result(id, title, pass(`mount ${mount.path}: ${from.join("; ") || "no keys"}`));
}

/** Job IDs that run in several clusters logging in at one mount whose default role keys aliases by /nomad_job_id. */
export function checkSharedAliases(mounts: MountFacts[], all: ClusterFacts[]): CheckResult {
    const id = "shared-aliases";
    const title = "job IDs in several clusters keep their own entity aliases";
    const shared = mounts.flatMap((mount) => {
        const users = usersOf(mount.path, all);
        if (!/^\/?nomad_job_id$/.test(mount.userClaim ?? "")) {
            return [];
        }
        const ids = [...new Set(users.flatMap((u) => u.jobIds))].filter((job) => users.filter((u) => u.jobIds.includes(job)).length > 1);
        return ids.map((job) => ({ mount: mount.path, job, clusters: users.filter((u) => u.jobIds.includes(job)).map((u) => u.name) }));
    });
    if (shared.length === 0) {
        return result(id, title, pass("no job ID logs in from two clusters at one mount keyed by nomad_job_id"));
    }
    const [first] = shared;
    return result(
        id,
        title,
        warn(
            shared
                .map((s) => `job ${s.job} runs in ${s.clusters.join(" and ")}, logging in at ${s.mount}/ with user_claim /nomad_job_id`)
                .join("; "),
            `Vault keys an entity alias by mount and user claim: the jobs of clusters ${first.clusters.join(" and ")} named ${first.job} are one entity, sharing its alias metadata and whatever the templated policy grants by it.`,
            "Give each cluster its own mount (nomadClustersLayout: mount-per-cluster), or give the jobs distinct IDs.",
        ),
    );
}
