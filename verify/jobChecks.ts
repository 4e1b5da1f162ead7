// One job's chain (`--job <namespace>/<job>`): why does this job get 403? Each task's vault block and
// the identity the server gave it, the role it logs in with, that role's bound audiences and claims,
// its templates' secret paths against what the role's policies grant for this job, and vault.policies
// left over from the token workflow.
import { describe, json } from "./http";
import { fail, pass, warn } from "./outcome";
import { Check, RunContext, Target } from "./types";
import { taskReads } from "./taskReads";
import { JobTask } from "./viewTypes";

type Problem = readonly [evidence: string, cause: string, fix: string];

/** Vault's bound_claims against the claims Nomad puts in this task's identity; the unmet ones, as evidence. */
function unmetClaims(role: Record<string, any>, claims: Record<string, string>): string[] {
    const glob = role.bound_claims_type === "glob";
    const matches = (want: string, have: string) =>
        glob
            ? new RegExp(
                  `^${want
                      .split("*")
                      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
                      .join(".*")}$`,
              ).test(have)
            : want === have;
    return Object.entries((role.bound_claims ?? {}) as Record<string, string | string[]>).flatMap(([claim, wanted]) => {
        const have = claims[claim.replace(/^\//, "")];
        const values = [wanted].flat().map(String);
        return have === undefined || values.some((want) => matches(want, have))
            ? []
            : [`${claim} [${values.join(", ")}], the identity's is "${have}"`];
    });
}

/** One task's chain: its problems, or what was seen when it holds. */
async function walkTask(
    t: Target,
    context: RunContext,
    task: JobTask,
    job: { namespace: string; id: string },
): Promise<{ problems: Problem[]; seen?: string }> {
    const problems: Problem[] = [];
    const cluster = task.Vault.Cluster || "default";
    const role = task.Vault.Role || t.defaultRole;
    const identity = (task.Identities ?? []).find((i) => i.Name === `vault_${cluster}`);
    if (!identity) {
        problems.push([
            `task ${task.Name}: no vault_${cluster} identity`,
            "The job was submitted before the servers had vault.default_identity (or under the token workflow, removed in Nomad 1.10): its allocations cannot log in to Vault.",
            "Resubmit the job (nomad job run) now that the servers have default_identity.",
        ]);
        return { problems };
    }
    const roleReply = await context.view.vault(`auth/${t.jwtPath}/role/${role}`);
    if (roleReply.status !== 200) {
        problems.push([
            `task ${task.Name}: role ${role}: auth/${t.jwtPath}/role/${role} ${describe(roleReply)}`,
            `Vault has no role ${role} at ${t.jwtPath}/: the login fails with "role could not be found".`,
            "Create the role, or set the task's vault.role to one that exists.",
        ]);
        return { problems };
    }
    const roleData = json(roleReply)?.data ?? {};
    const aud = identity.Audience ?? [];
    const bound: string[] = roleData.bound_audiences ?? [];
    if (!aud.some((a) => bound.includes(a))) {
        problems.push([
            `task ${task.Name}: identity vault_${cluster} aud [${aud.join(", ")}], role ${role} bound_audiences [${bound.join(", ")}]`,
            'Login fails with "audience claim does not match any expected audience" (older Vault: "aud claim does not match any bound audience").',
            "Give the servers' vault.default_identity.aud (or the task's identity) the role's audience, then resubmit the job.",
        ]);
    }
    const unmet = unmetClaims(roleData, { nomad_namespace: job.namespace, nomad_job_id: job.id, nomad_task: task.Name });
    if (unmet.length) {
        problems.push([
            `task ${task.Name}: role ${role} bound_claims ${unmet.join("; ")}`,
            `Role ${role} admits other jobs only: Vault refuses this job's login ("error validating claims").`,
            `Use a role whose bound_claims admit ${job.namespace}/${job.id}, or widen ${role}'s bound_claims.`,
        ]);
    }
    const reads = await taskReads(t, context, task, role, job);
    problems.push(...reads.problems);
    const seen = `task ${task.Name}: role ${role}, aud [${aud.join(", ")}], ${reads.seen ?? ""}`;
    return { problems, seen };
}

export const jobCheck: Check = {
    id: "job",
    title: "The job's chain: vault block, identity, role, bound claims, secret paths",
    needs: ["vault-health", "nomad-token"],
    forJob: true,
    async run(t, context) {
        const job = t.job!;
        const name = `${job.namespace}/${job.id}`;
        const reply = await context.view.job(job.namespace, job.id);
        if (reply.status !== 200) {
            return fail(
                `job ${name}: ${describe(reply)}`,
                `Nomad has no job ${job.id} in namespace ${job.namespace}.`,
                "nomad job status -namespace=<namespace>; then --job <namespace>/<job>.",
            );
        }
        const tasks: JobTask[] = (json(reply)?.TaskGroups ?? [])
            .flatMap((g: { Tasks?: JobTask[] }) => g.Tasks ?? [])
            .filter((task: JobTask) => task.Vault);
        if (!tasks.length) {
            return fail(
                `job ${name}: no task has a vault block`,
                "Nomad gives a task a Vault token only with a vault block: its templates cannot read Vault.",
                "Add vault {} (and vault.role if not the mount's default role) to the tasks that read secrets.",
            );
        }
        const walked = [];
        for (const task of tasks) {
            walked.push(await walkTask(t, context, task, job));
        }
        const problems = walked.flatMap((w) => w.problems);
        const seen = walked.flatMap((w) => (w.seen ? [w.seen] : []));
        if (problems.length) {
            return fail(problems.map(([evidence]) => evidence).join("; "), problems[0][1], problems[0][2]);
        }
        const leftovers = tasks.filter((task) => task.Vault.Policies?.length);
        if (leftovers.length) {
            return warn(
                `${seen.join("; ")}; ${leftovers.map((task) => `task ${task.Name}: vault.policies [${task.Vault.Policies!.join(", ")}]`).join("; ")}`,
                "vault.policies is ignored under workload identity: the tasks get only their role's policies.",
                "Remove vault.policies; grant through the role's token_policies (vault { role = … }).",
            );
        }
        return pass(`${name}: ${seen.join("; ")}`);
    },
};
