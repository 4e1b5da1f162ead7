// The capabilities check's judgement: what each job cannot read with the token of the role it logs in with
// (the default role's, or a role of its own), every request of its tasks judged as Vault decides it; and, with
// --probe, Vault's own word on the probe's path beside what the policies' text gives it.
import { vaultRequests } from "../policy/vaultRequests";
import { grantedTo, policyGrants } from "./grants";
import { readSetting, RoleTokenOr, roleToken, taskVerdicts } from "./jobReads";
import { Answer, askVault } from "./probeReads";
import { granted, requestShown, verdictFix, verdictShown } from "./readMessages";
import { RunContext, Target } from "./types";
import { ClusterView, VaultJob } from "./viewTypes";

/** A request a job cannot make with the role it logs in with: as evidence, and the fix. */
export interface Denial {
    readonly job: VaultJob;
    readonly role: string;
    /** A role of the job's own, not the default role. */
    readonly own: boolean;
    /** Vault's answer when the role (or its policies) cannot be read. */
    readonly missing?: string;
    readonly shown: string;
    readonly fix: string;
}

const roleOf = (t: Target, task: VaultJob["tasks"][number]) => task.Vault.Role || t.defaultRole;

/** The roles the jobs log in with, each job's roles by task. */
export const rolesOf = (t: Target, job: VaultJob): string[] => [...new Set(job.tasks.map((task) => roleOf(t, task)))];

/** What each job cannot read: first the jobs of the default role, then those with roles of their own. */
export async function denials(t: Target, view: ClusterView, jobs: VaultJob[]): Promise<Denial[]> {
    const setting = await readSetting(t, view);
    const roles = [...new Set(jobs.flatMap((job) => rolesOf(t, job)))];
    const tokens = new Map<string, RoleTokenOr>(
        await Promise.all(roles.map(async (role) => [role, await roleToken(t, view, role)] as const)),
    );
    const found: Denial[] = [];
    for (const own of [false, true]) {
        for (const job of jobs) {
            for (const task of job.tasks.filter((task) => (roleOf(t, task) !== t.defaultRole) === own)) {
                const role = roleOf(t, task);
                const token = tokens.get(role)!;
                if ("missing" in token) {
                    const fix = token.unreadable
                        ? `verify cannot read a policy of role ${role} (${token.missing}): read it with vault policy read, and report its text to the project if Vault accepts it`
                        : `role ${role} is missing at ${t.jwtPath}/ (${token.missing}): create it, or name a role that exists`;
                    for (const request of vaultRequests(task, setting.kvMountOf)) {
                        found.push({
                            job,
                            role,
                            own,
                            missing: token.missing,
                            shown: request.dynamic ? request.via : requestShown(request),
                            fix,
                        });
                    }
                    continue;
                }
                const verdicts = taskVerdicts(setting, token, job, task).filter((v) => !granted(v));
                for (const v of verdicts) {
                    const readable = grantedTo(await policyGrants(view, token.policies), job.namespace, job.id);
                    found.push({ job, role, own, shown: verdictShown(v), fix: verdictFix(v, role, readable) });
                }
            }
        }
    }
    return found;
}

/** A denial as evidence: the job, its role when its own or missing, the request and the deciding rule. */
export const denialShown = (d: Denial) =>
    `${d.job.namespace}/${d.job.id}${d.own || d.missing ? ` (role ${d.role}${d.missing ? `: ${d.missing}` : ""})` : ""}: ${d.shown}`;

/** The fixes, one per job and reason. */
export const denialFixes = (denied: Denial[]) => [...new Set(denied.map((d) => `${d.job.namespace}/${d.job.id}: ${d.fix}`))].join("; ");

/**
 * Vault's word on the probe's own KV path, with a token of the default role from the probe's login, beside what
 * the policies' text gives that token. Undefined without a probe, or when Vault cannot be asked.
 */
export async function probeOwnPath(t: Target, context: RunContext, kvMount: string | undefined): Promise<Answer | undefined> {
    if (!kvMount) {
        return undefined;
    }
    const [setting, token] = await Promise.all([readSetting(t, context.view), roleToken(t, context.view, t.defaultRole)]);
    if ("missing" in token) {
        return undefined;
    }
    const word = await askVault(t, context, setting, token, (claims) => [
        { path: `${kvMount}/data/${claims.nomad_namespace}/${claims.nomad_job_id}/verify`, capability: "read" },
    ]);
    return word?.answers?.[0];
}
