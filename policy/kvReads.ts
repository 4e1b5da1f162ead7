// The pack's judgement of KV reads, as Vault decides them for the token of a job's role: the policies the stack
// writes (a policy it lacks grants nothing), templated paths rendered for the job, and the `default` policy left
// out (it grants nothing on a KV mount).
import { JobTask } from "./hcl";
import { JobspecTask } from "./jobspecTasks";
import { accessorsIn, granted, judgeTask, programIdentity, ReadVerdict } from "./readJudge";
import { allows, Decision, explain, readPolicies, TokenPolicies } from "./vaultAcl";
import { KvMountOf } from "./vaultRequests";

/** The stack's Vault policies by name: their text, or undefined while unknown in preview. */
export type PolicyTexts = ReadonlyMap<string, string | undefined>;

/** The token of a role holding `names`; undefined while one of its policies is unknown. */
export function roleToken(names: readonly string[], texts: PolicyTexts): { token: TokenPolicies; accessors: string[] } | undefined {
    const held = names.filter((name) => texts.has(name));
    if (held.some((name) => texts.get(name) === undefined)) {
        return undefined;
    }
    const policies = held.map((name) => ({ name, text: texts.get(name)! }));
    return { token: readPolicies(policies), accessors: [...new Set(policies.flatMap((p) => accessorsIn(p.text)))] };
}

/** Whether a token of the role may read the KV v2 secret at `path`, for the job at namespace/job; and why not. */
export function secretRead(
    role: NonNullable<ReturnType<typeof roleToken>>,
    job: { namespace: string; id: string },
    path: string,
): { readable: boolean; decision: Decision; reason: string } {
    const decision = role.token.acl(programIdentity(role.accessors, job)).decide(path, "read");
    return { readable: allows(decision, "read"), decision, reason: explain(decision, "read").reason };
}

/** The requests a job's task makes on the stack's KV mounts that its role's token does not grant. */
export function deniedKvRequests(
    role: NonNullable<ReturnType<typeof roleToken>>,
    task: JobTask,
    spec: JobspecTask,
    kvMountOf: KvMountOf,
): ReadVerdict[] {
    const acl = role.token.acl(programIdentity(role.accessors, { namespace: task.namespace, id: task.job }, task.task));
    return judgeTask(acl, spec.task, kvMountOf).filter((v) => kvMountOf(v.request.path) !== undefined && !granted(v));
}
