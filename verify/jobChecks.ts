// One job's chain (`--job <namespace>/<job>`): why does this job get 403? Each task's vault block and
// the identity the server gave it, the role it logs in with, that role's bound audiences and claims,
// its templates' secret paths against what the role's policies grant for this job, and vault.policies
// left over from the token workflow.
import { decodeJwt } from "jose";
import { vault } from "./clients";
import { covers, grantedTo, policyGrants } from "./grants";
import { describe, json } from "./http";
import { loginWith, revoke } from "./login";
import { judgeTaskLogin, loginProblem, Problem, taskClaims } from "./jobLogin";
import { fail, pass, warn } from "./outcome";
import { Check, RunContext, Target } from "./types";
import { secretPaths } from "./vaultJobs";
import { JobSpec } from "./identityFacts";
import { JobTask } from "./viewTypes";

/**
 * Vault's own word, with --probe: the probe's identity logs in with the job's role and asks
 * sys/capabilities-self for the job's paths rendered for the probe (its namespace and job ID in
 * place of the job's). Undefined without a probe; a note when the role does not admit the probe.
 */
async function confirmed(t: Target, context: RunContext, role: string, paths: string[], job: { namespace: string; id: string }) {
    const jwt = context.probe && (await context.probe.identity()).jwt;
    if (!jwt) {
        return undefined;
    }
    const claims = decodeJwt(jwt);
    const login = await loginWith(t, jwt, role);
    if (!login.token) {
        return { denied: [], note: `Vault's confirmation not possible: role ${role} refuses the probe's identity (${login.refusal})` };
    }
    const forProbe = (path: string) => path.replace(`/${job.namespace}/${job.id}`, `/${claims.nomad_namespace}/${claims.nomad_job_id}`);
    const asked = paths.map(forProbe);
    const answer = json(await vault(t, "sys/capabilities-self", { method: "POST", token: login.token, body: { paths: asked } })) ?? {};
    await revoke(t, login.token);
    const denied = asked.filter((p) => !((answer[p] ?? []) as string[]).some((c) => c === "read" || c === "root"));
    return {
        denied,
        note: `Vault grants a token of role ${role} read on ${asked.filter((p) => !denied.includes(p)).join(", ") || "nothing asked"}`,
    };
}

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
    const known = await taskClaims(t, context, spec, task.group, task);
    const config = json(await context.view.vault(`auth/${t.jwtPath}/config`))?.data ?? {};
    const login = judgeTaskLogin(role, roleData, known, config);
    problems.push(...login.refusals.map((refusal) => loginProblem(refusal, known, { ...job, task: task.Name })));
    const paths = secretPaths(task);
    const policies: string[] = roleData.token_policies ?? [];
    const granted = grantedTo(await policyGrants(context.view, policies), job.namespace, job.id);
    const denied = paths.filter((p) => !covers(granted, p));
    if (denied.length) {
        problems.push([
            `task ${task.Name}: role ${role}'s policies [${policies.join(", ")}] grant no read on ${denied.join(", ")}`,
            `The job logs in, then its template's read gets 403: the role's policies grant this job read on ${granted.join(", ") || "no path"} only (KV v2 needs the data/ segment).`,
            granted.length
                ? `Move the secret under a path the role grants this job (${granted.join(", ")}), or grant it in a policy of role ${role}.`
                : `Grant the secret in a policy of role ${role}.`,
        ]);
    }
    const vaultSays = !denied.length && login.admitted ? await confirmed(t, context, role, paths, job) : undefined;
    if (vaultSays?.denied.length) {
        problems.push([
            `task ${task.Name}: Vault's sys/capabilities-self for a token of role ${role}: no read on ${vaultSays.denied.join(", ")}`,
            "Vault does not render the policy as read here for a real login: the alias metadata it keys on is missing (claim_mappings) or the accessor is stale.",
            "Check the role's claim_mappings and the accessor-drift check.",
        ]);
    }
    const seen = `task ${task.Name}: role ${role}, aud [${aud.join(", ")}], ${paths.length} secret path(s) granted${vaultSays ? `; ${vaultSays.note}` : ""}`;
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
        const spec = json(reply);
        const tasks: Array<JobTask & { group: string }> = (spec?.TaskGroups ?? [])
            .flatMap((g: { Name: string; Tasks?: JobTask[] }) => (g.Tasks ?? []).map((task) => ({ ...task, group: g.Name })))
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
            walked.push(await walkTask(t, context, task, job, spec));
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
