// "Use Nomad Workload Identities with Vault", step by step, with Vault and Nomad as dev agents in
// containers on this host.
import * as pulumi from "@pulumi/pulumi";
import * as nomadSdk from "../nomad";
import {
    agentVaultConfig,
    JobVaultRole,
    KvSecrets,
    MongoSecretsEngine,
    NomadAclBootstrap,
    NomadDevAgent,
    NomadJob,
    NomadSecretsEngine,
    NomadWorkloadIdentity,
    VaultDevServer,
} from "../components";
import { Settings } from "../settings";
import { roleSettingsOf, workloadIdentityArgs } from "./identity";
import { OUTPUT, readOutputCommand, StackOutputs } from "./outputs";

export function runTutorialDemo(settings: Settings): StackOutputs {
    const roleSettings = roleSettingsOf(settings);

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
        workloadIdentityArgs(settings, { jwksUrl: settings.jwksUrl ?? nomad.jwksUrl, checkFirstSeconds: settings.readyTimeoutSeconds }),
        { provider: vault.provider },
    );

    // 4. Run a Nomad job that reads secrets from Vault: the KV secret, then the mongo job.
    const kv = new KvSecrets("kv", { mount: settings.kvMount, jobNamespace: settings.jobNamespace }, { provider: vault.provider });
    const namespace =
        settings.jobNamespace === "default"
            ? []
            : [
                  new nomadSdk.Namespace(
                      "jobs-namespace",
                      { name: settings.jobNamespace, description: "The tutorial's sample jobs" },
                      { provider: acl.provider },
                  ),
              ];
    const mongo = new NomadJob(
        "mongo",
        {
            file: "jobs/mongo.nomad.hcl",
            vars: {
                mongo_image: settings.mongoImage,
                mongo_port: String(settings.mongoPort),
                namespace: settings.jobNamespace,
                kv_mount: settings.kvMount,
            },
            timeoutSeconds: settings.jobTimeoutSeconds,
        },
        { provider: acl.provider, dependsOn: [identity, kv, ...namespace] },
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
            roleName: settings.mongoRoleName,
            namespace: settings.jobNamespace,
            jobId: "mongo-query",
            policyFile: "components/assets/mongo-dynamic-secret.policy.hcl",
            ...roleSettings,
        },
        { provider: vault.provider },
    );
    const mongoQuery = new NomadJob(
        "mongo-query",
        {
            file: "jobs/mongo-query.nomad.hcl",
            vars: { mongo_image: settings.mongoImage, namespace: settings.jobNamespace, vault_role: settings.mongoRoleName },
            timeoutSeconds: settings.jobTimeoutSeconds,
        },
        { provider: acl.provider, dependsOn: [database, mongoQueryRole, ...namespace] },
    );

    // Beyond the tutorial: Vault's Nomad secrets engine, when asked for.
    const secretsEngine = settings.nomadSecretsEngine
        ? new NomadSecretsEngine(
              "nomad-secrets",
              { nomadAddress: nomad.address, role: settings.nomadSecretsRole },
              { providers: [vault.provider, acl.provider] },
          )
        : undefined;

    const agentConfig = agentVaultConfig({ ...settings, vaultAddress: vault.listenAddress });
    return {
        vaultAddress: vault.address,
        nomadAddress: nomad.address,
        vaultToken: vault.rootToken,
        nomadToken: acl.token,
        jwtAuthAccessor: identity.accessor,
        envExports: pulumi.interpolate`export VAULT_ADDR=${vault.address} NOMAD_ADDR=${nomad.address}`,
        tokenExports: `export VAULT_TOKEN="${readOutputCommand(OUTPUT.vaultToken)}" NOMAD_TOKEN="${readOutputCommand(OUTPUT.nomadToken)}"`,
        nomadServerVaultConfig: agentConfig.server,
        nomadClientVaultConfig: agentConfig.client,
        mongoQueryResultCommand: pulumi.interpolate`docker exec -e NOMAD_TOKEN="${readOutputCommand(OUTPUT.nomadToken)}" ${nomad.containerName} nomad alloc logs -address=${nomad.address} -namespace=${settings.jobNamespace} -job ${mongoQuery.jobName}`,
        nomadTokenCommand: secretsEngine && pulumi.interpolate`vault read ${secretsEngine.credsPath}`,
    };
}
