// "Use Nomad Workload Identities with Vault", step by step, with Vault and Nomad as dev agents in
// containers on this host.
import * as pulumi from "@pulumi/pulumi";
import {
    agentVaultConfig,
    KvSecrets,
    MONGO_MOUNT,
    MongoSecretsEngine,
    NomadAclBootstrap,
    NomadDevAgent,
    NomadJob,
    NomadSecretsEngine,
    NomadWorkloadIdentity,
    VaultDevServer,
} from "../components";
import { Settings } from "../settings";
import { MONGO_JOB, MONGO_QUERY_JOB, MONGO_ROOT_PASSWORD, MONGO_SECRET, planWorkloads } from "./tutorialWorkloads";
import { deployWorkloads, jobNamespaces, kvEntries, kvEntryKey } from "./workloads";
import { roleSettingsOf, workloadIdentityArgs } from "./identity";
import { OUTPUT, readOutputCommand, StackOutputs } from "./outputs";

export async function runTutorialDemo(settings: Settings): Promise<StackOutputs> {
    const roleSettings = roleSettingsOf(settings);
    // Every workload is checked against its jobspec before anything is created.
    const steps = await planWorkloads(settings);

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

    // 4. KV v2 at kv/, holding the mongo root password (and the secrets of the stack's own workloads).
    const kv = new KvSecrets("kv", { mount: settings.kvMount, entries: kvEntries(steps) }, { provider: vault.provider });

    // 5. Vault's dynamic secrets for MongoDB, connected once the mongo job runs.
    const mongoSecretsEngine = (started: ReadonlyMap<string, NomadJob>) =>
        new MongoSecretsEngine(
            "database",
            {
                mongoHostPort: `127.0.0.1:${settings.mongoPort}`,
                rootPassword: kv.values.get(kvEntryKey(MONGO_JOB, MONGO_SECRET))![MONGO_ROOT_PASSWORD],
                connectAfter: [started.get(MONGO_JOB)!],
                defaultTtlSeconds: settings.dbCredsDefaultTtlSeconds,
                maxTtlSeconds: settings.dbCredsMaxTtlSeconds,
            },
            { provider: vault.provider },
        );

    // 6. The jobs, each once what it reads exists: mongo; the mongo-dynamic-secret role and policy and
    // the mongo-query job. The stack's own workloads (vaultnomad:workloads) are deployed the same way.
    const jobs = deployWorkloads(steps, {
        identity,
        kv,
        roleSettings,
        vaultProvider: vault.provider,
        nomadProvider: acl.provider,
        namespaces: jobNamespaces(steps, settings.jobNamespace, settings.namespaces, acl.provider),
        jobTimeoutSeconds: settings.jobTimeoutSeconds,
        engines: { [MONGO_MOUNT]: mongoSecretsEngine },
    });
    const mongoQuery = jobs.get(MONGO_QUERY_JOB)!;

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
