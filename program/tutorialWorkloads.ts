// The tutorial's two jobs as the demo stack's built-in workloads: mongo reads its root password
// from KV with the default role; mongo-query logs in with its own role to read dynamic credentials.
import { MONGO_CREDS_PATH, MONGO_MOUNT } from "../components";
import { Settings } from "../settings";
import { Step } from "../settings/workloadsCheck";
import { checkedWorkloads, ProgramWorkload } from "./workloads";

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
export function planWorkloads(settings: Settings): Promise<Step<ProgramWorkload>[]> {
    return checkedWorkloads(settings, tutorialWorkloads(settings), TUTORIAL_ENGINES);
}
