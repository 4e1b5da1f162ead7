// "Use Nomad Workload Identities with Vault", step by step, as one Pulumi stack.
import * as pulumi from "@pulumi/pulumi";
import {
    JobVaultRole,
    KvSecrets,
    MongoSecretsEngine,
    NomadAclBootstrap,
    NomadDevAgent,
    NomadJob,
    NomadWorkloadIdentity,
    VaultDevServer,
} from "./components";
import { loadSettings } from "./settings";

const settings = loadSettings(pulumi.runtime.allConfig(), pulumi.getStack());
const roleSettings = { audience: settings.audience, tokenPeriodSeconds: settings.tokenPeriodSeconds };

// 1. Start the Vault agent.
const vault = new VaultDevServer("vault", {
    image: settings.vaultImage,
    port: settings.vaultPort,
    containerName: `${settings.hostPrefix}-vault`,
    readyTimeoutSeconds: settings.readyTimeoutSeconds,
});

// 2. Start the Nomad agent, and bootstrap its ACL system.
const nomad = new NomadDevAgent("nomad", {
    image: settings.nomadImage,
    httpPort: settings.nomadHttpPort,
    rpcPort: settings.nomadRpcPort,
    serfPort: settings.nomadSerfPort,
    // Not vault.address: the agent needs Vault only once tasks ask for tokens, so both start at once.
    vaultAddress: vault.listenAddress,
    jwtAuthPath: settings.jwtAuthPath,
    audience: settings.audience,
    identityTtl: settings.identityTtl,
    dataDir: settings.nomadDataDir,
    containerName: `${settings.hostPrefix}-nomad`,
    readyTimeoutSeconds: settings.readyTimeoutSeconds,
});
const acl = new NomadAclBootstrap("nomad-acl", {
    address: nomad.address,
    agentId: nomad.containerId,
    agentName: nomad.containerName,
    timeoutSeconds: settings.readyTimeoutSeconds,
});

// 3. Configure Vault to accept Nomad workload identities: auth method, role, templated policy.
const identity = new NomadWorkloadIdentity(
    "workload-identity",
    { jwksUrl: nomad.jwksUrl, path: settings.jwtAuthPath, jwksTimeoutSeconds: settings.readyTimeoutSeconds, ...roleSettings },
    { provider: vault.provider },
);

// 4. Run a Nomad job that reads secrets from Vault: the KV secret, then the mongo job.
const kv = new KvSecrets("kv", { mount: "kv" }, { provider: vault.provider });
const mongo = new NomadJob(
    "mongo",
    {
        file: "jobs/mongo.nomad.hcl",
        vars: { mongo_image: settings.mongoImage, mongo_port: String(settings.mongoPort) },
        timeoutSeconds: settings.jobTimeoutSeconds,
    },
    { provider: acl.provider, dependsOn: [identity, kv] },
);

// 5. Configure Vault dynamic secrets for MongoDB.
const database = new MongoSecretsEngine(
    "database",
    {
        mongoHostPort: `127.0.0.1:${settings.mongoPort}`,
        rootPassword: kv.mongoRootPassword,
        connectAfter: [mongo],
        defaultTtlSeconds: settings.dbCredsDefaultTtlSeconds,
        maxTtlSeconds: settings.dbCredsMaxTtlSeconds,
    },
    { provider: vault.provider },
);

// 6. A Vault ACL role for the dynamic secret, and the job that uses it.
const mongoQueryRole = new JobVaultRole(
    "mongo-dynamic-secret",
    {
        backend: identity.path,
        roleName: "mongo-dynamic-secret",
        namespace: "default",
        jobId: "mongo-query",
        policyFile: "components/assets/mongo-dynamic-secret.policy.hcl",
        ...roleSettings,
    },
    { provider: vault.provider },
);
const mongoQuery = new NomadJob(
    "mongo-query",
    { file: "jobs/mongo-query.nomad.hcl", vars: { mongo_image: settings.mongoImage }, timeoutSeconds: settings.jobTimeoutSeconds },
    { provider: acl.provider, dependsOn: [database, mongoQueryRole] },
);

export const vaultAddress = vault.address;
export const nomadAddress = nomad.address;
export const vaultToken = vault.rootToken;
export const nomadToken = acl.token;
export const jwtAuthAccessor = identity.accessor;
export const envExports = pulumi.interpolate`export VAULT_ADDR=${vault.address} NOMAD_ADDR=${nomad.address}`;
export const tokenExports =
    'export VAULT_TOKEN="$(pulumi stack output vaultToken --show-secrets)" NOMAD_TOKEN="$(pulumi stack output nomadToken --show-secrets)"';
export const mongoQueryResultCommand = pulumi.interpolate`docker exec -e NOMAD_TOKEN="$(pulumi stack output nomadToken --show-secrets)" ${nomad.containerName} nomad alloc logs -address=${nomad.address} -job ${mongoQuery.jobName}`;
