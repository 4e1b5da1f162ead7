// The templated policy as jobs meet it: the accessor it names, the paths it grants, and the job IDs
// it keys on.
import { denialFixes, denials, denialShown, probeOwnPath, rolesOf } from "./capabilityReads";
import { json } from "./http";
import { fail, pass, skip, warn } from "./outcome";
import { disagreementShown, textGives } from "./probeReads";
import { DENIED_CAUSE } from "./readMessages";
import { Check } from "./types";
import { VaultJob } from "./viewTypes";

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
            return fail(`denied: ${denied.map(denialShown).join("; ")}`, DENIED_CAUSE, denialFixes(denied));
        }
        const readable = await context.view.readGrants(t.policyName);
        const vaultSays = await probeOwnPath(t, context, readable[0]?.path.split("/")[0]);
        const differ = vaultSays && vaultSays.vaultGrants !== vaultSays.modelGrants;
        if (vaultSays && !vaultSays.vaultGrants) {
            return fail(
                `Vault's sys/capabilities-self for the probe's ${vaultSays.path}: [${vaultSays.vault.join(", ")}]${differ ? `, where ${textGives(vaultSays)}` : ""}`,
                "Vault does not render the templated policy as written for a real login: the alias metadata it keys on is missing (claim_mappings) or the accessor is stale.",
                "Check the role's claim_mappings and the accessor-drift check.",
            );
        }
        const ownRoles = jobs.filter((job) => rolesOf(t, job).some((role) => role !== t.defaultRole)).length;
        const evidence =
            `${jobs.length - ownRoles} job(s) using the default role and ${ownRoles} with a role of their own can read what their templates read` +
            (vaultSays ? `; Vault grants the probe read on ${vaultSays.path}` : "");
        return differ
            ? warn(
                  `${evidence}; ${disagreementShown(vaultSays)}`,
                  "verify's reading of the policies disagrees with Vault on the probe's path: Vault's answer is the one that holds.",
                  "Report the policy text to the project: verify should decide as Vault does.",
              )
            : pass(evidence);
    },
};

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
