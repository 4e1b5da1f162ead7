// A task's requests to Vault judged as Vault decides them, for a token's ACL: shared by verify (policies read from
// Vault), the workloads guardrail and the policy pack (policies the program writes).
import { Identity } from "./policyTemplate";
import { allows, Decision, explain, Explanation, Operation, TokenAcl } from "./vaultAcl";
import { KvMount, KvMountOf, NomadTask, PathRequest, vaultRequests } from "./vaultRequests";

/** One request judged: the decision Vault makes on its path for its operation, and why. */
export interface ReadVerdict {
    readonly request: PathRequest;
    readonly decision: Decision;
    readonly explanation: Explanation;
}

const OPERATION: Record<PathRequest["capability"], Operation> = { read: "read", list: "list", update: "update" };

/** Each request of the task whose path is known beforehand, judged; one whose path the template computes is left out. */
export function judgeTask(acl: TokenAcl, task: Omit<NomadTask, "Name">, kvMountOf: KvMountOf): ReadVerdict[] {
    return vaultRequests(task, kvMountOf)
        .filter((request): request is PathRequest => !request.dynamic)
        .map((request) => {
            const decision = acl.decide(request.path, OPERATION[request.capability]);
            return { request, decision, explanation: explain(decision, request.capability) };
        });
}

export const granted = (verdict: ReadVerdict) => allows(verdict.decision, verdict.request.capability);

/**
 * The path a request asks and where the task asks it (`secret block "db"`, or a template call whose path Vault
 * receives changed, as a KV v2 path without data/); left out for a plain template read of that path.
 */
export const requestPath = (request: PathRequest) =>
    `${request.path}${request.via === `template secret "${request.path}"` ? "" : ` (${request.via})`}`;

/** The request: what Vault checks, on which path, and where the task asks it. */
export const requestShown = (request: PathRequest) => `${request.capability} ${requestPath(request)}`;

/** The one KV mount a stack of this program writes its secrets to: KV v2 unless said. */
export function ownKvMount(mount: string, version: KvMount["version"] = 2): KvMountOf {
    const kv: KvMount = { mount: `${mount}/`, version };
    return (path) => (path.startsWith(kv.mount) ? kv : undefined);
}

/**
 * The identity of a login of this program's roles (claim_mappings nomad_namespace, nomad_job_id, nomad_task): an alias
 * on each of the JWT mount accessors the templated policy names.
 */
export function programIdentity(accessors: readonly string[], job: { namespace: string; id: string }, task?: string): Identity {
    const metadata = { nomad_namespace: job.namespace, nomad_job_id: job.id, ...(task === undefined ? {} : { nomad_task: task }) };
    return { entity: { aliases: accessors.map((mountAccessor) => ({ mountAccessor, name: job.id, metadata })) } };
}

/** The JWT mount accessors a templated policy names. */
export const accessorsIn = (policy: string): string[] => [...new Set([...policy.matchAll(/auth_jwt_\w+/g)].map((m) => m[0]))];
