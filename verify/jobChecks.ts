// One job's chain (`--job <namespace>/<job>`): why does this job get 403? Each task's vault block and
// the identity the server gave it, the role it logs in with, that role's bound audiences and claims,
// its templates' secret paths against what the role's policies grant for this job, and vault.policies
// left over from the token workflow.
import { describe, json } from "./http";
import { judgeTaskLogin, loginProblem, Problem, taskClaims } from "./jobLogin";
import { fail, pass, warn } from "./outcome";
import { Check, RunContext, Target } from "./types";
import { taskReads } from "./taskReads";
import { JobSpec } from "./identityFacts";
import { JobTask } from "./viewTypes";

/** One task's chain: its problems, or what was seen when it holds. */
async function walkTask(
    t: Target,
    context: RunContext,
    task: JobTask & { readonly group: string },
    job: { namespace: string; id: string },
    spec: JobSpec,
): Promise<{ problems: Problem[]; seen?: string }> {
    const problems: Problem[] = [];
    const cluster = task.Vault.Cluster || "default";
    const role = task.Vault.Role || t.defaultRole;
    const identity = task.Identities?.find((i) => i.Name === `vault_${cluster}`);
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
    const roleData = json(roleReply).data;
    const aud = identity.Audience ?? [];
    const known = await taskClaims(t, context, spec, task.group, task);
    // Stryker disable next-line OptionalChaining: only a read Vault never answered has no JSON body; the fakes answer every read
    const config = json(await context.view.vault(`auth/${t.jwtPath}/config`))?.data ?? {};
    const login = judgeTaskLogin(role, roleData, known, config);
    problems.push(...login.refusals.map((refusal) => loginProblem(refusal, known, { ...job, task: task.Name })));
    const reads = await taskReads(t, context, task, role, job, { admitted: login.admitted, claims: known.claims });
    problems.push(...reads.problems);
    return { problems, seen: `task ${task.Name}: role ${role}, aud [${aud.join(", ")}], ${reads.seen}` };
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
        // A registered job has at least one group, and each group at least one task (Job.Validate, TaskGroup.Validate).
        const spec = json(reply);
        const tasks: Array<JobTask & { group: string }> = spec.TaskGroups.flatMap((g: { Name: string; Tasks: JobTask[] }) =>
            g.Tasks.map((task) => ({ ...task, group: g.Name })),
        ).filter((task: JobTask) => task.Vault);
        if (!tasks.length) {
            return fail(
                `job ${name}: no task has a vault block`,
                "Nomad gives a task a Vault token only with a vault block: its templates cannot read Vault.",
                "Add vault {} (and vault.role if not the mount's default role) to the tasks that read secrets.",
            );
        }
        const walked = [];
        for (const task of tasks) {
            walked.push(await walkTask(t, context, task, job, spec));
        }
        const problems = walked.flatMap((w) => w.problems);
        if (problems.length) {
            return fail(problems.map(([evidence]) => evidence).join("; "), problems[0][1], problems[0][2]);
        }
        const seen = walked.map((w) => w.seen);
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
