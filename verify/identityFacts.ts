// What Nomad signs into a task's Vault identity depends on more than the job: the servers' version, their
// vault.default_identity.extra_claims, the namespace's required and optional extra claims (Nomad ≥ 2.0.3) and,
// for an extra claim that names ${node.…}, the node the allocation runs on. These are read here, once per run
// through the view, and turned into the request policy/nomadClaims.ts signs (nomad/structs/workload_id.go).
import { NomadIdentityRequest } from "../policy/nomadClaims";
import { json } from "./http";
import { ClusterView, JobTask } from "./viewTypes";

/** The servers' side of a signature. */
export interface SignerFacts {
    /** The lowest version among the alive servers (agent/members, tag "build"); undefined when none is readable. */
    readonly version?: string;
    /** The servers' vault.default_identity.extra_claims. */
    readonly vaultExtraClaims: Readonly<Record<string, string>>;
}

/** A namespace's extra claims, as GET /v1/namespace/:name gives them (nil maps are null). */
export interface NamespaceClaims {
    readonly required?: Readonly<Record<string, string>>;
    readonly optional?: Readonly<Record<string, string>>;
    /** Whether Nomad sent the fields at all, null or not: only servers of 2.0.3 and later have them. */
    readonly fieldsSent: boolean;
}

/** A job's full spec, as far as its identities read it. */
export interface JobSpec {
    readonly ID: string;
    readonly ParentID?: string;
    readonly Namespace: string;
    readonly Region?: string;
    readonly NodePool?: string;
    readonly Meta?: Readonly<Record<string, string>> | null;
}

interface Member {
    readonly Status: string;
    readonly Tags: { readonly build: string };
}

// A build tag as "2.0.5", "2.0.5+ent" or "1.10.0-dev": its release numbers.
const releaseOf = (build: string) => /^v?(\d+)\.(\d+)\.(\d+)/.exec(build)?.slice(1).map(Number);

/** The oldest release among these builds: a mixed cluster signs as its oldest server may. */
export function oldestBuild(builds: readonly string[]): string | undefined {
    return builds
        .filter((build) => releaseOf(build))
        .sort((a, b) => {
            const [x, y] = [releaseOf(a)!, releaseOf(b)!];
            return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
        })[0];
}

/** Every serf member is a server (Nomad's agent/members); those alive sign identities. */
export async function signerFacts(view: ClusterView): Promise<SignerFacts> {
    const members: Member[] = json(await view.nomad("agent/members"))?.Members ?? [];
    const builds = members.filter((m) => m.Status === "alive").map((m) => m.Tags.build);
    const server = (await view.agents()).found.find((agent) => agent.server && agent.extraClaims);
    return { version: oldestBuild(builds), vaultExtraClaims: server?.extraClaims ?? {} };
}

export async function namespaceClaims(view: ClusterView, namespace: string): Promise<NamespaceClaims> {
    const body = json(await view.nomad(`namespace/${encodeURIComponent(namespace)}`)) ?? {};
    return {
        required: body.RequiredExtraClaims ?? undefined,
        optional: body.OptionalExtraClaims ?? undefined,
        fieldsSent: Object.hasOwn(body, "RequiredExtraClaims"),
    };
}

/** The node an allocation of the job's group runs on, when an extra claim names one of its attributes. */
export async function allocationNode(view: ClusterView, job: JobSpec, group: string): Promise<NomadIdentityRequest["node"]> {
    const alloc = (await view.allocations()).find((a) => a.Namespace === job.Namespace && a.JobID === job.ID && a.TaskGroup === group);
    if (!alloc) {
        return undefined;
    }
    const node = json(await view.nomad(`node/${encodeURIComponent(alloc.NodeID)}`)) ?? {};
    return { id: alloc.NodeID, datacenter: node.Datacenter, pool: node.NodePool, class: node.NodeClass };
}

/** Whether any extra claim these facts can add reads the allocation's node. */
export const readsNode = (...claimSets: Array<Readonly<Record<string, string>> | undefined>) =>
    claimSets.some((set) => Object.values(set ?? {}).some((value) => value.includes("${node.")));

const NANOSECONDS = 1e9;

/** The identity Nomad signs for a task's vault_<cluster> identity, with the job's own values. */
export function taskIdentityRequest(
    job: JobSpec,
    group: string,
    task: JobTask,
    facts: { signer: SignerFacts & { version: string }; namespace: NamespaceClaims; node?: NomadIdentityRequest["node"] },
): NomadIdentityRequest {
    const cluster = task.Vault.Cluster || "default";
    const identity = (task.Identities ?? []).find((i) => i.Name === `vault_${cluster}`);
    return {
        nomadVersion: facts.signer.version,
        region: job.Region || undefined,
        namespace: job.Namespace,
        jobId: job.ID,
        parentJobId: job.ParentID || undefined,
        group,
        task: task.Name,
        // Any UUID: no role can bind the allocation of a job not yet placed.
        allocationId: "00000000-0000-0000-0000-000000000000",
        identity: {
            name: `vault_${cluster}`,
            aud: identity?.Audience ?? [],
            ttl: (identity?.TTL ?? 0) / NANOSECONDS,
            extraClaims: identity?.ExtraClaims ?? [],
        },
        vault: { role: task.Vault.Role, namespace: task.Vault.Namespace, cluster },
        // Only the default cluster's block is in agent/self's Vaults as verify reads them.
        vaultDefaultIdentity: { extraClaims: cluster === "default" ? facts.signer.vaultExtraClaims : {} },
        namespaceExtraClaims: facts.namespace,
        jobMeta: job.Meta ?? undefined,
        jobNodePool: job.NodePool || undefined,
        node: facts.node,
    };
}
