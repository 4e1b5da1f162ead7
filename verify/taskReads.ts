// One task's reads for `--job`: every request its templates and secret blocks make, judged for the token of
// the role it logs in with; with --probe, Vault's own answer where it speaks of the same path.
import { Claims } from "../policy/jwtClaims";
import { ReadVerdict } from "../policy/readJudge";
import { grantedTo, policyGrants } from "./grants";
import { readSetting, roleToken, taskVerdicts } from "./jobReads";
import { Problem } from "./jobLogin";
import { askVault, disagreementShown } from "./probeReads";
import { DENIED_CAUSE, granted, requestShown, verdictFix, verdictShown } from "./readMessages";
import { RunContext, Target } from "./types";
import { JobTask } from "./viewTypes";

interface Job {
    readonly namespace: string;
    readonly id: string;
}

/** The job's path as the probe's token requests it: the probe's namespace and job ID in place of the job's. */
export function forProbe(path: string, job: Job, claims: Record<string, unknown>): string {
    const own = `/${job.namespace}/${job.id}/`;
    const [head, ...rest] = `${path}/`.split(own);
    return rest.length ? `${head}/${claims.nomad_namespace}/${claims.nomad_job_id}/${rest.join(own)}`.slice(0, -1) : path;
}

/** The task's reads: the problems they meet, and what was seen when they hold. */
export async function taskReads(
    t: Target,
    context: RunContext,
    task: JobTask,
    role: string,
    job: Job,
    login: { readonly admitted: boolean; readonly claims?: Claims } = { admitted: true },
): Promise<{ problems: Problem[]; seen?: string }> {
    const [setting, token] = await Promise.all([readSetting(t, context.view), roleToken(t, context.view, role)]);
    const name = `${job.namespace}/${job.id}: task ${task.Name}`;
    if ("missing" in token) {
        return {
            problems: [
                [
                    `${name}: role ${role}: ${token.missing}`,
                    "verify cannot read this policy of the role as Vault holds it, so it cannot judge the job's reads.",
                    "Read the policy with vault policy read <name>, and report its text to the project if Vault accepts it.",
                ],
            ],
        };
    }
    const verdicts = taskVerdicts(setting, token, job, task, login.claims);
    // A task that asks Vault nothing, or whose login the role refuses, leaves nothing for Vault to confirm.
    const word =
        verdicts.length > 0 && login.admitted
            ? await askVault(t, context, setting, token, (claims) =>
                  verdicts.map((v) => ({ path: forProbe(v.request.path, job, claims), capability: v.request.capability })),
              )
            : undefined;
    const answers = word?.answers;
    // Vault's answer decides a path it was asked as the job asks it; elsewhere the model judges the job's own path.
    const vaultOn = (v: ReadVerdict, i: number) => (answers?.[i].path === v.request.path ? answers[i] : undefined);
    const denied = verdicts.flatMap((v, i) => {
        const vaultSays = vaultOn(v, i);
        if (vaultSays ? vaultSays.vaultGrants : granted(v)) {
            return [];
        }
        return [{ v, shown: vaultSays?.modelGrants ? `${requestShown(v.request)}: ${disagreementShown(vaultSays)}` : verdictShown(v) }];
    });
    const disagreements = answers?.filter((a) => a.vaultGrants !== a.modelGrants) ?? [];
    const problems: Problem[] = [];
    if (denied.length) {
        const readable = grantedTo(await policyGrants(context.view, token.policies), job.namespace, job.id);
        problems.push([
            `${name}: role ${role}'s policies [${token.policies.join(", ")}]: ${denied.map((d) => d.shown).join("; ")}`,
            DENIED_CAUSE,
            [...new Set(denied.map((d) => verdictFix(d.v, role, readable)))].join("; "),
        ]);
    }
    const vaultDenies = disagreements.filter((a) => !a.vaultGrants && !verdicts.some((v) => v.request.path === a.path));
    if (vaultDenies.length) {
        problems.push([
            `${name}: ${vaultDenies.map(disagreementShown).join("; ")}`,
            "Vault does not render the policy as its text reads for a real login: the alias metadata it keys on is missing (claim_mappings) or the accessor is stale.",
            "Check the role's claim_mappings and the accessor-drift check.",
        ]);
    }
    const note = answers
        ? `; Vault grants a token of role ${role} ${
              answers
                  .filter((a) => a.vaultGrants)
                  .map((a) => `${a.capability} on ${a.path}`)
                  .join(", ") || "none of the paths asked"
          }`
        : word && `; ${word.note}`;
    const differ = disagreements.length ? `; ${disagreements.map(disagreementShown).join("; ")}` : "";
    return { problems, seen: `${verdicts.length} secret path(s) granted${note ?? ""}${differ}` };
}
