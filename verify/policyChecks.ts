// The templated policy as jobs meet it: the accessor it names, the paths it grants, and the job IDs
// it keys on.
import { decodeJwt } from "jose";
import { Stanza } from "../policy/hcl";
import { vault } from "./clients";
import { covers, grantedTo, roleGrants } from "./grants";
import { json } from "./http";
import { loginWith, revoke } from "./login";
import { fail, pass, skip, warn } from "./outcome";
import { Check, RunContext, Target } from "./types";
import { secretPaths } from "./vaultJobs";
import { ClusterView, VaultJob } from "./viewTypes";

/** A cluster's role may grant no templated policy (static policies per job): nothing to render then. */
const NO_TEMPLATED_POLICY = () =>
    skip("no templated policy: none of the role's token_policies names an auth_jwt_ accessor", "--role <a role whose policy is templated>");

export const accessorCheck: Check = {
    id: "accessor-drift",
    title: "The templated policy names the JWT mount's current accessor",
    needs: ["vault-health"],
    async run(t, { view }) {
        if (!t.policyName) {
            return NO_TEMPLATED_POLICY();
        }
        const mount = (json(await view.vault("sys/auth")).data ?? {})[`${t.jwtPath}/`];
        const named = [...new Set((await view.policyText(t.policyName)).match(/auth_jwt_\w+/g))];
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

/** The roles a job's tasks log in with (the default role for a task that names none), each with the secret paths they read. */
function pathsByRole(t: Target, job: VaultJob): Map<string, string[]> {
    return job.tasks.reduce((byRole, task) => {
        const role = task.Vault.Role || t.defaultRole;
        return byRole.set(role, [...(byRole.get(role) ?? []), ...secretPaths(task)]);
    }, new Map<string, string[]>());
}

/** What a role grants, as the capabilities check judges it: the read stanzas of its policies, or why the role cannot be read. */
type Granted = { readonly grants: Stanza[] } | { readonly missing: string };

/** A secret a job cannot read with the role it logs in with, and what that role grants. */
interface Denial {
    readonly job: VaultJob;
    readonly path: string;
    /** A role of the job's own; undefined for the default role. */
    readonly role?: string;
    readonly ofRole: Granted;
}

/** The paths a role lets the job read, rendered for it; undefined when the role cannot be read. */
const grantedOf = (ofRole: Granted, job: VaultJob) => ("grants" in ofRole ? grantedTo(ofRole.grants, job.namespace, job.id) : undefined);

/** What each job cannot read: first with the default role's templated policy, then with roles of their own. */
async function denials(t: Target, view: ClusterView, jobs: VaultJob[]): Promise<Denial[]> {
    const roles = [...new Set(jobs.flatMap((job) => [...pathsByRole(t, job).keys()]))];
    const byRole = new Map<string, Granted>(
        await Promise.all(
            roles.map(
                async (role) =>
                    [
                        role,
                        role === t.defaultRole ? { grants: await view.readGrants(t.policyName) } : await roleGrants(t, view, role),
                    ] as const,
            ),
        ),
    );
    const denied = (own: boolean) =>
        jobs.flatMap((job) =>
            [...pathsByRole(t, job)]
                .filter(([role]) => (role !== t.defaultRole) === own)
                .flatMap(([role, paths]) => {
                    const ofRole = byRole.get(role)!;
                    const granted = grantedOf(ofRole, job);
                    return paths
                        .filter((path) => !granted || !covers(granted, path))
                        .map((path) => ({ job, path, ofRole, ...(own ? { role } : {}) }));
                }),
        );
    return [...denied(false), ...denied(true)];
}

/** A denial as evidence: the job, the path, and the role of its own (with Vault's answer when that role is missing). */
const denialShown = (d: Denial) =>
    `${d.job.namespace}/${d.job.id}: ${d.path}` +
    (d.role ? ` (role ${d.role}${"missing" in d.ofRole ? `: ${d.ofRole.missing}` : ""})` : "");

/** What each denied job may read, concretely: the fix names the paths to move its secrets under. */
function grantsShown(t: Target, denied: Denial[]): string {
    const lines = denied.map(({ job, role, ofRole }) => {
        const name = `${job.namespace}/${job.id}`;
        const granted = grantedOf(ofRole, job);
        if (!granted) {
            return `${name}: role ${role} is missing at ${t.jwtPath}/`;
        }
        return `${name}${role ? ` (role ${role})` : ""}: ${granted.length ? granted.join(", ") : "none, its role's policies grant no read"}`;
    });
    return [...new Set(lines)].join("; ");
}

export const capabilitiesCheck: Check = {
    id: "capabilities",
    title: "Each job's role grants it read on the secrets its templates read",
    needs: ["vault-health", "nomad-token"],
    async run(t, context) {
        if (!t.policyName) {
            return NO_TEMPLATED_POLICY();
        }
        const jobs = await context.view.vaultJobs();
        const denied = await denials(t, context.view, jobs);
        if (denied.length) {
            return fail(
                `denied: ${denied.map(denialShown).join("; ")}`,
                "The job logs in, then reading the secret gets 403: it is not under a path the policies of the role it logs in with grant it (KV v2 needs the data/ segment).",
                `Move each secret under a path its job may read (${grantsShown(t, denied)}), or grant it in a policy of the role the job logs in with.`,
            );
        }
        const readable = await context.view.readGrants(t.policyName);
        const confirmed = await confirmWithVault(t, context, readable[0]?.path.split("/")[0]);
        if (confirmed && !confirmed.ok) {
            return fail(
                `Vault's sys/capabilities-self for the probe's ${confirmed.path}: [${confirmed.capabilities.join(", ")}]`,
                "Vault does not render the templated policy as written for a real login: the alias metadata it keys on is missing (claim_mappings) or the accessor is stale.",
                "Check the role's claim_mappings and the accessor-drift check.",
            );
        }
        const ownRoles = jobs.filter((job) => [...pathsByRole(t, job).keys()].some((role) => role !== t.defaultRole)).length;
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

/** vault.policies left in a job's tasks from the token workflow. */
const legacyPolicies = (job: VaultJob) => job.tasks.flatMap((task) => task.Vault.Policies ?? []);

/**
 * The server sets the vault block's cluster ("default" unless named) and adds a vault_<cluster>
 * identity at submission; jobs submitted before default_identity was configured have none (as
 * `nomad setup vault -check` reports). By identity: the tasks without it.
 */
const withoutIdentity = (job: VaultJob) =>
    job.tasks.reduce((missing, task) => {
        const identity = `vault_${task.Vault.Cluster}`;
        return task.Identities?.some((i) => i.Name === identity)
            ? missing
            : missing.set(identity, [...(missing.get(identity) ?? []), task.Name]);
    }, new Map<string, string[]>());

export const collisionsCheck: Check = {
    id: "collisions",
    title: "No job ID in several namespaces; no vault.policies left over",
    needs: ["nomad-token"],
    async run(_t, { view }) {
        const jobs = (await view.vaultJobs()).map((job) => ({
            ...job,
            policies: legacyPolicies(job),
            withoutIdentity: withoutIdentity(job),
        }));
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
