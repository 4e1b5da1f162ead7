// The templated policy as jobs meet it: the accessor it names, the paths it grants, and the job IDs
// it keys on.
import { decodeJwt } from "jose";
import { nomad, vault } from "./clients";
import { describe, json } from "./http";
import { grantsRead, readableFor, readGrants, secretPaths } from "./jobChecks";
import { loginWith, revoke } from "./login";
import { fail, pass, skip, warn } from "./outcome";
import { Check, RunContext, Target } from "./types";

/** A cluster's role may grant no templated policy (static policies per job): nothing to render then. */
const NO_TEMPLATED_POLICY = () =>
    skip("no templated policy: none of the role's token_policies names an auth_jwt_ accessor", "--role <a role whose policy is templated>");

/** The `data` of a Vault read; empty when Vault has nothing there (its `{"errors":[]}`). */
const vaultData = async (t: Target, path: string): Promise<Record<string, any>> => json(await vault(t, path)).data ?? {};

/** An ACL policy's text; empty when Vault has no such policy. */
const policyText = async (t: Target, name: string): Promise<string> => (await vaultData(t, `sys/policies/acl/${name}`)).policy ?? "";

export const accessorCheck: Check = {
    id: "accessor-drift",
    title: "The templated policy names the JWT mount's current accessor",
    needs: ["vault-health"],
    async run(t) {
        if (!t.policyName) {
            return NO_TEMPLATED_POLICY();
        }
        const mount = (await vaultData(t, "sys/auth"))[`${t.jwtPath}/`];
        const named = [...new Set((await policyText(t, t.policyName)).match(/auth_jwt_\w+/g))];
        if (!mount) {
            return fail(`no auth mount ${t.jwtPath}/`, "The JWT auth method is gone.", "npm run stack -- up");
        }
        const stale = named.filter((a) => a !== mount.accessor);
        if (stale.length || named.length === 0) {
            return fail(
                `policy ${t.policyName} names [${named.join(", ")}], the mount's accessor is ${mount.accessor}`,
                "Permission denied after the auth mount was re-created: the policy still templates on the old accessor.",
                "npm run stack -- up renders the policy from the live accessor.",
            );
        }
        return pass(`${t.policyName} names ${mount.accessor}`);
    },
};

/** Jobs that use Vault, and the secret paths their templates read, by the role each task logs in with. */
async function vaultJobs(
    t: Target,
): Promise<
    Array<{ id: string; namespace: string; pathsByRole: Map<string, string[]>; policies: string[]; withoutIdentity: Map<string, string[]> }>
> {
    const list = json<Array<{ ID: string; Namespace: string }>>(await nomad(t, "jobs?namespace=*"))!;
    const jobs = [];
    for (const { ID, Namespace } of list) {
        // Undefined when the job was deregistered since the list (Nomad's 404 "job not found").
        const job = json(await nomad(t, `job/${encodeURIComponent(ID)}?namespace=${Namespace}`));
        const tasks = (job?.TaskGroups ?? []).flatMap((g: any) => g.Tasks).filter((task: any) => task.Vault);
        if (tasks.length) {
            jobs.push({
                id: ID,
                namespace: Namespace,
                pathsByRole: tasks.reduce((byRole: Map<string, string[]>, task: any) => {
                    const role: string = task.Vault.Role || t.defaultRole;
                    return byRole.set(role, [...(byRole.get(role) ?? []), ...secretPaths(task)]);
                }, new Map<string, string[]>()),
                policies: tasks.flatMap((task: any) => task.Vault.Policies ?? []),
                // The server sets the vault block's cluster ("default" unless named) and adds a
                // vault_<cluster> identity at submission; jobs submitted before default_identity was
                // configured have none (as `nomad setup vault -check` reports). By identity: its tasks.
                withoutIdentity: tasks.reduce((missing: Map<string, string[]>, task: any) => {
                    const identity = `vault_${task.Vault.Cluster}`;
                    return task.Identities?.some((i: any) => i.Name === identity)
                        ? missing
                        : missing.set(identity, [...(missing.get(identity) ?? []), task.Name]);
                }, new Map<string, string[]>()),
            });
        }
    }
    return jobs;
}

/** What each job cannot read with the policies of a role of its own (not the default role). */
async function deniedToOwnRoles(t: Target, jobs: Awaited<ReturnType<typeof vaultJobs>>): Promise<string[]> {
    const denied: string[] = [];
    for (const job of jobs) {
        for (const [role, paths] of [...job.pathsByRole].filter(([role]) => role !== t.defaultRole)) {
            const reply = await vault(t, `auth/${t.jwtPath}/role/${role}`);
            if (reply.status !== 200) {
                denied.push(...paths.map((p) => `${job.namespace}/${job.id}: ${p} (role ${role}: ${describe(reply)})`));
                continue;
            }
            // Vault reads back a role without policies as token_policies null.
            const readable = await readableFor(t, json(reply).data.token_policies ?? [], job.namespace, job.id);
            denied.push(...paths.filter((p) => !readable(p)).map((p) => `${job.namespace}/${job.id}: ${p} (role ${role})`));
        }
    }
    return denied;
}

export const capabilitiesCheck: Check = {
    id: "capabilities",
    title: "Each job's role grants it read on the secrets its templates read",
    needs: ["vault-health", "nomad-token"],
    async run(t, context) {
        if (!t.policyName) {
            return NO_TEMPLATED_POLICY();
        }
        const readable = await readGrants(await policyText(t, t.policyName));
        const denied: string[] = [];
        const jobs = await vaultJobs(t);
        for (const job of jobs) {
            const granted = grantsRead(readable, job.namespace, job.id);
            const paths = job.pathsByRole.get(t.defaultRole) ?? [];
            denied.push(...paths.filter((p) => !granted(p)).map((p) => `${job.namespace}/${job.id}: ${p}`));
        }
        denied.push(...(await deniedToOwnRoles(t, jobs)));
        if (denied.length) {
            return fail(
                `denied: ${denied.join("; ")}`,
                "The job logs in, then reading the secret gets 403: it is not under <mount>/data/<namespace>/<job>/ (KV v2 needs the data/ segment), or the policies of the job's own role do not grant it.",
                "Move the secret under the job's path, or grant it in the policy of the role the job logs in with.",
            );
        }
        const confirmed = await confirmWithVault(t, context, readable[0]?.path.split("/")[0]);
        if (confirmed && !confirmed.ok) {
            return fail(
                `Vault's sys/capabilities-self for the probe's ${confirmed.path}: [${confirmed.capabilities.join(", ")}]`,
                "Vault does not render the templated policy as written for a real login: the alias metadata it keys on is missing (claim_mappings) or the accessor is stale.",
                "Check the role's claim_mappings and the accessor-drift check.",
            );
        }
        const ownRoles = jobs.filter((job) => [...job.pathsByRole.keys()].some((role) => role !== t.defaultRole)).length;
        return pass(
            `${jobs.length - ownRoles} job(s) using the default role and ${ownRoles} with a role of their own can read what their templates read` +
                (confirmed ? `; Vault grants the probe read on ${confirmed.path}` : ""),
        );
    },
};

/**
 * Asks Vault itself, through `sys/capabilities-self` with a token from the probe's login, whether
 * the templated policy gives the probe job read on its own KV path. Undefined without a probe, or
 * when Vault does not answer the question.
 */
async function confirmWithVault(t: Target, context: RunContext, kvMount: string | undefined) {
    const jwt = (await context.probe?.identity())?.jwt;
    if (!jwt || !kvMount) {
        return undefined;
    }
    const claims = decodeJwt(jwt);
    const { token } = await loginWith(t, jwt);
    if (!token) {
        return undefined;
    }
    const path = `${kvMount}/data/${claims.nomad_namespace}/${claims.nomad_job_id}/verify`;
    const reply = await vault(t, "sys/capabilities-self", { method: "POST", token, body: { paths: [path] } });
    await revoke(t, token);
    // The default policy lets a token ask; a role with token_no_default_policy gives one that may not.
    if (reply.status !== 200) {
        return undefined;
    }
    // Vault answers each path asked (and, for one path, the same again as `capabilities`).
    const capabilities: string[] = json(reply)[path];
    return { ok: capabilities.includes("read") || capabilities.includes("root"), path, capabilities };
}

export const collisionsCheck: Check = {
    id: "collisions",
    title: "No job ID in several namespaces; no vault.policies left over",
    needs: ["nomad-token"],
    async run(t) {
        const jobs = await vaultJobs(t);
        const byId = new Map<string, string[]>();
        jobs.forEach((j) => byId.set(j.id, [...(byId.get(j.id) ?? []), j.namespace]));
        const shared = [...byId].filter(([, namespaces]) => namespaces.length > 1);
        const legacy = jobs.filter((j) => j.policies.length);
        const unmigrated = jobs.filter((j) => j.withoutIdentity.size);
        if (unmigrated.length) {
            return fail(
                unmigrated
                    .flatMap((j) =>
                        [...j.withoutIdentity].map(
                            ([identity, tasks]) => `${j.namespace}/${j.id}: task(s) ${tasks.join(", ")} have no ${identity} identity`,
                        ),
                    )
                    .join("; "),
                "Those jobs were submitted before the agents had vault.default_identity (or under the token workflow, removed in Nomad 1.10): their allocations cannot log in to Vault.",
                "Resubmit them (nomad job run) now that the servers have default_identity; `nomad setup vault -check` lists them too.",
            );
        }
        if (shared.length) {
            return warn(
                shared.map(([id, namespaces]) => `${id} in ${namespaces.join(", ")}`).join("; "),
                "With user_claim /nomad_job_id, those jobs share one entity alias; its nomad_namespace metadata flips between logins and reads get 403 now and then.",
                "Rename the jobs, or give each namespace a role whose bound_claims pin nomad_namespace.",
            );
        }
        if (legacy.length) {
            return warn(
                legacy.map((j) => `${j.namespace}/${j.id}: vault.policies [${j.policies.join(", ")}]`).join("; "),
                "vault.policies is ignored under workload identity; those jobs get only their role's policies.",
                "Remove vault.policies; grant through a role (vault { role = … }).",
            );
        }
        return pass(`${jobs.length} job(s) using Vault, IDs unique across namespaces`);
    },
};
