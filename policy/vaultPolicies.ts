// Vault policies: no broad grants, and templated KV paths that reach the secrets actually written.
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as vault from "@pulumi/vault";
import * as nomad from "../nomad";
import { JobTask, jobTasks, parseHcl, policyStanzas, resolveJobspec } from "./hcl";
import { JobspecTask, jobspecTasks } from "./jobspecTasks";
import { known, knownPart } from "./known";
import { deniedKvRequests, roleToken, secretRead } from "./kvReads";
import { requestShown } from "./readJudge";
import { KvMountOf } from "./vaultRequests";

export const vaultPoliciesGrantNoBroadPaths: ResourceValidationPolicy = {
    name: "vault-policy-no-broad-grants",
    description: "Vault policies grant nothing on a bare `*` path or on `sys/`.",
    validateResource: validateResourceOfType(vault.Policy, async (policy, _args, reportViolation) => {
        // Rendered from the JWT accessor, the templated policy is unknown until the update checks it.
        const text = known(() => policy.policy);
        if (text === undefined) {
            return;
        }
        for (const { path, capabilities } of await policyStanzas(text)) {
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
        "The templated policy's KV paths use a KV v2 mount (when the stack declares it) with its data/ segment; every KV secret sits under a Vault-using job's <namespace>/<job>/ path, and every KV secret and KV request of a job's templates and secret blocks is granted to the job's role as Vault decides it (the exact or highest-priority rule, a deny from any policy winning).",
    validateStack: async (args, reportViolation) => {
        // Mounts declared elsewhere (an existing cluster's) are taken as they are.
        const mounts = args.resources.filter((r) => r.isType(vault.Mount)).map((r) => knownPart(r.props) as Record<string, any>);
        const isKvV2 = new Map(
            mounts.map((props) => [
                props.path as string,
                props.type === "kv-v2" || (props.type === "kv" && props.options?.version === "2"),
            ]),
        );
        const kvMounts = mounts.filter((props) => props.type === "kv" || props.type === "kv-v2").map((props) => props.path as string);
        // A policy unknown in preview (the templated one is rendered from the accessor) is checked on update,
        // and leaves the roles that hold it unjudged, not violated.
        const texts = new Map<string, string | undefined>();
        const templated = [];
        for (const r of args.resources.filter((r) => r.isType(vault.Policy))) {
            const text = known(() => r.props.policy as string);
            const stanzas = text === undefined ? undefined : await policyStanzas(text);
            texts.set(r.props.name as string, text);
            if (stanzas && isTemplated(text!)) {
                templated.push({ name: r.props.name as string, stanzas });
            }
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
        const defaultRole = args.resources
            .filter((r) => r.isType(vault.jwt.AuthBackend))
            .map((r) => known(() => r.props.defaultRole as string))[0];
        const rolePolicies = new Map(
            args.resources
                .filter((r) => r.isType(vault.jwt.AuthBackendRole))
                .map((r) => knownPart(r.props) as Record<string, any>)
                .map((props) => [props.roleName as string, (props.tokenPolicies ?? []) as string[]]),
        );
        const jobRoles = new Map<string, Set<string>>();
        const vaultTasks: Array<{ task: JobTask; spec: JobspecTask; role: string }> = [];
        for (const job of args.resources.filter((r) => r.isType(nomad.Job))) {
            const spec = known(() => [job.props.jobspec as string, knownPart(job.props.hcl2?.vars)] as const);
            if (spec === undefined) {
                return; // a job not known yet may be the one a secret belongs to
            }
            const parsed = await parseHcl(await resolveJobspec(spec[0], spec[1] as Record<string, string>));
            const specs = jobspecTasks(parsed);
            // jobTasks and jobspecTasks walk the parsed jobspec in the same order.
            jobTasks(parsed).forEach((task, i) =>
                ((task.body.vault ?? []) as Array<Record<string, any>>).forEach((block) => {
                    const key = `${task.namespace}/${task.job}`;
                    const role = (block.role as string | undefined) ?? defaultRole!;
                    jobRoles.set(key, (jobRoles.get(key) ?? new Set()).add(role));
                    vaultTasks.push({ task, spec: specs[i], role });
                }),
            );
        }
        const tokenOf = (role: string) => roleToken(rolePolicies.get(role) ?? [], texts);
        for (const secret of args.resources.filter((r) => r.isType(vault.kv.SecretV2))) {
            const place = known(() => ({ name: String(secret.props.name), mount: String(secret.props.mount) }));
            if (place === undefined) {
                continue;
            }
            const [namespace, job] = place.name.split("/");
            const path = `${place.mount}/data/${place.name}`;
            const roles = [...(jobRoles.get(`${namespace}/${job}`) ?? [])];
            if (roles.length === 0) {
                reportViolation(
                    `Secret ${path} is not under the path of a job that uses Vault (${place.mount}/data/<namespace>/<job>/…; jobs: ${[...jobRoles.keys()].join(", ")}).`,
                );
                continue;
            }
            for (const role of roles) {
                const token = tokenOf(role);
                const read = token && secretRead(token, { namespace, id: job }, path);
                if (!read || read.readable) {
                    continue;
                }
                const denied = read.decision.rule?.deniedBy.length;
                if (role === defaultRole) {
                    reportViolation(
                        `No templated policy lets job ${job} in namespace ${namespace} read ${path} (${read.reason}): ${denied ? "lift the deny from the role's policies, or write it elsewhere" : `write it under ${place.mount}/data/<namespace>/<job>/`}.`,
                    );
                } else {
                    reportViolation(
                        `Role ${role}'s policies do not let job ${job} in namespace ${namespace} read ${path} (${read.reason}): ${denied ? "lift the deny from the role's policies" : "grant it read"}.`,
                    );
                }
            }
        }
        // What each job's templates and secret blocks ask of the stack's KV mounts, as Vault decides it for its role.
        const kvMountOf: KvMountOf = (path) => {
            const mount = kvMounts.find((m) => path.startsWith(`${m}/`));
            return mount === undefined ? undefined : { mount: `${mount}/`, version: isKvV2.get(mount) ? 2 : 1 };
        };
        for (const { task, spec, role } of vaultTasks) {
            const token = tokenOf(role);
            for (const verdict of token ? deniedKvRequests(token, task, spec, kvMountOf) : []) {
                reportViolation(
                    `Job ${task.job} in namespace ${task.namespace}: task ${task.task} asks ${requestShown(verdict.request)}, which role ${role}'s policies do not grant (${verdict.explanation.reason}).`,
                );
            }
        }
    },
};
