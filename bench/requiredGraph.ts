// The ordering the tutorial's flow forces, resource by resource, with the reason for each edge.
// The bench compares the program's recorded graph with this one: anything more is serialisation
// the flow does not need.
import { Graph } from "./graph";

const VAULT = "vault-provider";

/** For each resource of the program: what it cannot do without, and why. */
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
    "kv-mongo-root-password": {},
    "kv-mount": { [VAULT]: "a Vault call" },
    "kv-mongo-config": { [VAULT]: "a Vault call", "kv-mount": "a secret of that mount", "kv-mongo-root-password": "holds the password" },
    "mongo-job": {
        "nomad-acl-provider": "registered with the management token",
        "kv-mongo-config": "the task reads the root password when it starts",
        "workload-identity-role": "the task logs in with the default role",
        "workload-identity-policy": "which must let it read the secret",
    },
    "database-mount": { [VAULT]: "a Vault call" },
    "database-connection": {
        [VAULT]: "a Vault call",
        "database-mount": "a connection of that mount",
        "mongo-job": "Vault connects to MongoDB when the connection is written",
        "kv-mongo-root-password": "connects as root",
    },
    "database-role": { [VAULT]: "a Vault call", "database-connection": "names the connection" },
    "mongo-dynamic-secret-policy": { [VAULT]: "a Vault call" },
    "mongo-dynamic-secret-role": { [VAULT]: "a Vault call", "workload-identity-jwt": "a role of that method" },
    "mongo-query-job": {
        "nomad-acl-provider": "registered with the management token",
        "mongo-job": "queries the mongo service",
        "database-role": "reads database/creds/mongo",
        "mongo-dynamic-secret-role": "logs in with that role",
        "mongo-dynamic-secret-policy": "which must grant the creds path",
    },
};

export const REQUIRED_GRAPH: Graph = new Map(Object.entries(REQUIRED_DEPENDENCIES).map(([node, deps]) => [node, Object.keys(deps).sort()]));
