// The ordering the tutorial's flow forces, resource by resource, with the reason for each edge.
// The bench compares the program's recorded graph with this one: anything more is serialisation
// the flow does not need. The workloads' part (the tutorial's jobs and the stack's own) follows
// from the configuration.
import { MONGO_MOUNT } from "../components";
import { kvEntryKey, namespaceResourceName, ProgramWorkload, workloadsOf } from "../program/workloads";
import { planWorkloads } from "../program/tutorialWorkloads";
import { loadSettings } from "../settings";
import { CheckedWorkload } from "../settings/workloadsCheck";
import { Graph } from "./graph";

const VAULT = "vault-provider";

/** For each resource of the program but the workloads': what it cannot do without, and why. */
export const REQUIRED_DEPENDENCIES: Record<string, Record<string, string>> = {
    "vault-root-token": {},
    "vault-image": {},
    "vault-container": { "vault-image": "runs the image", "vault-root-token": "starts with the root token" },
    [VAULT]: { "vault-container": "every Vault call needs a Vault", "vault-root-token": "authenticates with it" },
    "nomad-image": {},
    "nomad-container": { "nomad-image": "runs the image" },
    "nomad-acl-secret": {},
    "nomad-acl-bootstrap": { "nomad-container": "the agent must answer", "nomad-acl-secret": "bootstraps with the chosen secret" },
    "nomad-acl-provider": { "nomad-acl-bootstrap": "uses the management token" },
    // Not forced by the tutorial, but by the fault handling: a JWKS that fails the check leaves no mount behind.
    "workload-identity-jwks-check": { "nomad-container": "fetches the JWKS as Vault will" },
    "workload-identity-jwt": {
        [VAULT]: "a Vault call",
        "nomad-container": "Vault fetches the JWKS when the config is written",
        "workload-identity-jwks-check": "mounts only once the JWKS is served",
    },
    "workload-identity-policy": { [VAULT]: "a Vault call", "workload-identity-jwt": "renders the mount's accessor" },
    "workload-identity-role": { [VAULT]: "a Vault call", "workload-identity-jwt": "a role of that method" },
    "kv-mount": { [VAULT]: "a Vault call" },
    "database-mount": { [VAULT]: "a Vault call" },
    "database-connection": {
        [VAULT]: "a Vault call",
        "database-mount": "a connection of that mount",
        "mongo-job": "Vault connects to MongoDB when the connection is written",
        "kv-mongo-root-password": "connects as root",
    },
    "database-role": { [VAULT]: "a Vault call", "database-connection": "names the connection" },
};

/** The engine resource a job reading under each engine's mount waits for. */
const ENGINE_READY: Record<string, string> = { [MONGO_MOUNT]: "database-role" };

/** What each workload's resources cannot do without: its secrets, its role and policy, its job. */
export function workloadDependencies(
    workloads: CheckedWorkload<ProgramWorkload>[],
    stackNamespace: string,
): Record<string, Record<string, string>> {
    const required: Record<string, Record<string, string>> = {};
    for (const w of workloads) {
        const job: Record<string, string> = { "nomad-acl-provider": "registered with the management token" };
        if (w.namespace !== "default") {
            const namespace = namespaceResourceName(w.namespace, stackNamespace);
            required[namespace] = { "nomad-acl-provider": "created with the management token" };
            job[namespace] = "runs in that namespace";
        }
        for (const [name, data] of Object.entries(w.secrets)) {
            const secret = `kv-${kvEntryKey(w.jobId, name)}`;
            required[secret] = { [VAULT]: "a Vault call", "kv-mount": "a secret of that mount" };
            for (const value of Object.values(data)) {
                if (typeof value === "object" && value !== null && "generate" in value) {
                    required[`kv-${value.generate}`] = {};
                    required[secret][`kv-${value.generate}`] = "holds the password";
                }
            }
            job[secret] = "the task reads it when it starts";
        }
        if (w.role) {
            const role = w.roleResourceName ?? w.role.name;
            required[`${role}-policy`] = { [VAULT]: "a Vault call" };
            required[`${role}-role`] = { [VAULT]: "a Vault call", "workload-identity-jwt": "a role of that method" };
            job[`${role}-role`] = "logs in with that role";
            job[`${role}-policy`] = "which must grant what it reads";
        } else {
            job["workload-identity-role"] = "the task logs in with the default role";
            job["workload-identity-policy"] = "which must let it read its secrets";
        }
        w.after.forEach((other) => (job[`${other}-job`] = "waits for it, healthy (after)"));
        w.engineMounts.forEach((mount) => (job[ENGINE_READY[mount]] = `reads ${mount}/ (its grants or templates)`));
        required[`${w.jobId}-job`] = job;
    }
    return required;
}

/** The graph the flow forces for a stack's configuration, by short key (by default, the dev stack's). */
export async function requiredGraph(config: Record<string, string> = {}, stack = "dev"): Promise<Graph> {
    const raw = Object.fromEntries(Object.entries(config).map(([key, value]) => [`vaultnomad:${key}`, value]));
    const settings = loadSettings(raw, stack);
    const workloads = workloadsOf(await planWorkloads(settings));
    const dependencies = { ...REQUIRED_DEPENDENCIES, ...workloadDependencies(workloads, settings.jobNamespace) };
    return new Map(Object.entries(dependencies).map(([node, deps]) => [node, Object.keys(deps).sort()]));
}
