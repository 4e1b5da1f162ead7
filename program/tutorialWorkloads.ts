// The tutorial's two jobs as the demo stack's built-in workloads: mongo reads its root password
// from KV with the default role; mongo-query logs in with its own role to read dynamic credentials.
import { MONGO_CREDS_PATH, MONGO_MOUNT, renderWorkloadsPolicy } from "../components";
import { ConfigError, Settings } from "../settings";
import { CheckedWorkload, checkWorkloads, Step } from "../settings/workloadsCheck";
import { fromConfig, kvEntryKey, ProgramWorkload, workloadsOf } from "./workloads";

export const MONGO_JOB = "mongo";
export const MONGO_QUERY_JOB = "mongo-query";
/** The mongo job's KV secret (`<namespace>/mongo/config`) and the key of its root password. */
export const MONGO_SECRET = "config";
export const MONGO_ROOT_PASSWORD = "root_password";

export function tutorialWorkloads(settings: Settings): ProgramWorkload[] {
    return [
        {
            origin: `built-in workload ${MONGO_JOB}`,
            jobspec: "jobs/mongo.nomad.hcl",
            namespace: settings.jobNamespace,
            vars: { mongo_image: settings.mongoImage, mongo_port: String(settings.mongoPort) },
            // Letters and digits only: the password is placed in a MongoDB connection URL.
            secrets: { [MONGO_SECRET]: { [MONGO_ROOT_PASSWORD]: { generate: "mongo-root-password", length: 32 } } },
            after: [],
        },
        {
            origin: `built-in workload ${MONGO_QUERY_JOB}`,
            jobspec: "jobs/mongo-query.nomad.hcl",
            namespace: settings.jobNamespace,
            vars: { mongo_image: settings.mongoImage },
            secrets: {},
            role: { name: settings.mongoRoleName, grants: [{ path: MONGO_CREDS_PATH, capabilities: ["read"] }] },
            // Fixed, so that renaming the role (mongoRoleName) updates it in place.
            roleResourceName: "mongo-dynamic-secret",
            after: [MONGO_JOB],
        },
    ];
}

/** The database engine connects to MongoDB when it is written: it waits for the mongo job. */
export const TUTORIAL_ENGINES = [{ mount: MONGO_MOUNT, after: [MONGO_JOB] }];

/** The built-in workloads and the stack's own, checked against their jobspecs, in creation order. */
export async function planWorkloads(settings: Settings): Promise<Step<ProgramWorkload>[]> {
    const steps = await checkWorkloads([...tutorialWorkloads(settings), ...settings.workloads.map(fromConfig)], {
        kvMount: settings.kvMount,
        defaultRole: settings.roleName,
        defaultPolicyName: settings.policyName,
        // Any accessor: the checks read only the paths the policy grants each job.
        defaultPolicy: renderWorkloadsPolicy("auth_jwt_any", settings.kvMount),
        engines: TUTORIAL_ENGINES,
    });
    checkKvEntryKeys(workloadsOf(steps));
    return steps;
}

/** Two secrets whose resources would share a name (job "a-b" secret "c", job "a" secret "b-c"). */
function checkKvEntryKeys(workloads: CheckedWorkload<ProgramWorkload>[]): void {
    const owners = new Map<string, string>();
    const problems: string[] = [];
    for (const w of workloads) {
        for (const name of Object.keys(w.secrets)) {
            const key = kvEntryKey(w.jobId, name);
            const other = owners.get(key);
            if (other) {
                problems.push(
                    `${w.origin}: secrets.${name}: its resource name kv-${key} is already taken by a secret of ${other}; rename the secret.`,
                );
            }
            owners.set(key, w.origin);
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
}
