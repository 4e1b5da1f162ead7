// Vault policies: no broad grants, and templated KV paths that reach the secrets actually written.
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as vault from "@pulumi/vault";
import * as nomad from "../nomad";
import { jobVaultBlocks, policyStanzas, renderForJob, Stanza, vaultPathMatches } from "./hcl";

export const vaultPoliciesGrantNoBroadPaths: ResourceValidationPolicy = {
    name: "vault-policy-no-broad-grants",
    description: "Vault policies grant nothing on a bare `*` path or on `sys/`.",
    validateResource: validateResourceOfType(vault.Policy, async (policy, _args, reportViolation) => {
        for (const { path, capabilities } of await policyStanzas(policy.policy)) {
            if (path === "*" || path === "sys" || path.startsWith("sys/")) {
                reportViolation(
                    `Policy ${policy.name} grants [${capabilities.join(", ")}] on "${path}": workloads need neither every path nor sys/.`,
                );
            }
        }
    }),
};

const isTemplated = (policy: string) => policy.includes("{{identity.entity.aliases.");

export const kvPolicyPathsMatch: StackValidationPolicy = {
    name: "kv-policy-paths-match",
    description:
        "The templated policy's KV paths use a KV v2 mount (when the stack declares it) with its data/ segment; every KV secret sits under a Vault-using job's <namespace>/<job>/ path, which the policies of the job's role let it read.",
    validateStack: async (args, reportViolation) => {
        // Mounts declared elsewhere (an existing cluster's) are taken as they are.
        const isKvV2 = new Map(
            args.resources
                .filter((r) => r.isType(vault.Mount))
                .map((r) => [
                    r.props.path as string,
                    r.props.type === "kv-v2" || (r.props.type === "kv" && r.props.options?.version === "2"),
                ]),
        );
        const templated = [];
        for (const r of args.resources.filter((r) => r.isType(vault.Policy) && isTemplated(r.props.policy))) {
            templated.push({ name: r.props.name as string, stanzas: await policyStanzas(r.props.policy) });
        }
        for (const { name, stanzas } of templated) {
            for (const { path } of stanzas) {
                const [mount, segment] = path.split("/");
                if (isKvV2.get(mount) === false) {
                    reportViolation(`Policy ${name} grants "${path}", but ${mount}/ is not a KV v2 mount.`);
                } else if (segment !== "data" && segment !== "metadata") {
                    reportViolation(`Policy ${name} grants "${path}": on a KV v2 mount, secrets are read at ${mount}/data/…`);
                }
            }
        }
        if (templated.length === 0) {
            return;
        }
        // Each job reads with the policies of the role it logs in with: its vault block's, or the default role.
        const defaultRole = args.resources.filter((r) => r.isType(vault.jwt.AuthBackend)).map((r) => r.props.defaultRole as string)[0];
        const rolePolicies = new Map(
            args.resources
                .filter((r) => r.isType(vault.jwt.AuthBackendRole))
                .map((r) => [r.props.roleName as string, (r.props.tokenPolicies ?? []) as string[]]),
        );
        const stanzasOf = new Map<string, Stanza[]>();
        for (const r of args.resources.filter((r) => r.isType(vault.Policy))) {
            stanzasOf.set(r.props.name as string, await policyStanzas(r.props.policy));
        }
        const jobRoles = new Map<string, Set<string>>();
        for (const job of args.resources.filter((r) => r.isType(nomad.Job))) {
            for (const b of await jobVaultBlocks(job.props.jobspec, job.props.hcl2?.vars)) {
                const key = `${b.namespace}/${b.job}`;
                jobRoles.set(key, (jobRoles.get(key) ?? new Set()).add((b.vault.role as string | undefined) ?? defaultRole));
            }
        }
        for (const secret of args.resources.filter((r) => r.isType(vault.kv.SecretV2))) {
            const [namespace, job] = String(secret.props.name).split("/");
            const path = `${secret.props.mount}/data/${secret.props.name}`;
            const roles = [...(jobRoles.get(`${namespace}/${job}`) ?? [])];
            if (roles.length === 0) {
                reportViolation(
                    `Secret ${path} is not under the path of a job that uses Vault (${secret.props.mount}/data/<namespace>/<job>/…; jobs: ${[...jobRoles.keys()].join(", ")}).`,
                );
                continue;
            }
            for (const role of roles) {
                const readable = (rolePolicies.get(role) ?? []).some((policy) =>
                    (stanzasOf.get(policy) ?? []).some(
                        (s) => s.capabilities.includes("read") && vaultPathMatches(renderForJob(s.path, namespace, job), path),
                    ),
                );
                if (!readable && role === defaultRole) {
                    reportViolation(
                        `No templated policy lets job ${job} in namespace ${namespace} read ${path}: write it under ${secret.props.mount}/data/<namespace>/<job>/.`,
                    );
                } else if (!readable) {
                    reportViolation(`Role ${role}'s policies do not let job ${job} in namespace ${namespace} read ${path}: grant it read.`);
                }
            }
        }
    },
};
