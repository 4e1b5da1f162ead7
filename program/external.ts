// The same Vault setup on Vault and Nomad clusters you already run, as `nomad setup vault` and the
// Terraform module vault-nomad-setup do: no containers, no bootstrap, no sample jobs; your own jobs
// (vaultnomad:workloads) as in the demo.
import * as pulumi from "@pulumi/pulumi";
import { agentVaultConfig, ExternalClusters, KvSecrets, NomadSecretsEngine, NomadWorkloadIdentity } from "../components";
import { Settings } from "../settings";
import { configureNomadClusters } from "./clusters";
import { roleSettingsOf, workloadIdentityArgs } from "./identity";
import { StackOutputs } from "./outputs";
import { checkedWorkloads, deployWorkloads, jobNamespaces, kvEntries, ProgramWorkload } from "./workloads";
import { Step } from "../settings/workloadsCheck";

export async function configureExistingClusters(settings: Settings): Promise<StackOutputs> {
    if (settings.nomadClusters.length > 0) {
        return configureNomadClusters(settings);
    }
    const vaultEndpoint = settings.vault!;
    const nomadEndpoint = settings.nomad!;
    // Every workload is checked against its jobspec before anything is created.
    const steps = await checkedWorkloads(settings);

    // 1–2. Your Vault and your Nomad.
    const clusters = new ExternalClusters("clusters", { vault: vaultEndpoint, nomad: nomadEndpoint });

    // 3. Configure Vault to accept Nomad workload identities.
    const identity = new NomadWorkloadIdentity(
        "workload-identity",
        workloadIdentityArgs(settings, { jwksUrl: settings.jwksUrl!, jwksCaPem: nomadEndpoint.caPem }),
        { provider: clusters.vaultProvider },
    );

    // 4. The workloads' KV secrets, in your KV v2 mount (created only when asked for), and 6. their jobs,
    // with the Nomad provider that the Nomad token gives (the settings require one with workloads).
    const kv = workloadsKv(settings, steps, clusters.vaultProvider);
    // With no workloads this creates nothing, and the Nomad provider (absent without a token) goes unused.
    deployWorkloads(steps, {
        identity,
        kv,
        roleSettings: roleSettingsOf(settings),
        vaultProvider: clusters.vaultProvider,
        nomadProvider: clusters.nomadProvider!,
        namespaces: jobNamespaces(steps, settings.jobNamespace, settings.namespaces, clusters.nomadProvider!),
        jobTimeoutSeconds: settings.jobTimeoutSeconds,
        engines: {},
    });

    const secretsEngine = settings.nomadSecretsEngine
        ? new NomadSecretsEngine(
              "nomad-secrets",
              { nomadAddress: nomadEndpoint.address, nomadCaPem: nomadEndpoint.caPem, role: settings.nomadSecretsRole },
              { providers: [clusters.vaultProvider, clusters.nomadProvider!] },
          )
        : undefined;

    const agentConfig = agentVaultConfig({ ...settings, vaultAddress: vaultEndpoint.address });
    return {
        vaultAddress: vaultEndpoint.address,
        nomadAddress: nomadEndpoint.address,
        jwtAuthAccessor: identity.accessor,
        envExports: pulumi.output(`export VAULT_ADDR=${vaultEndpoint.address} NOMAD_ADDR=${nomadEndpoint.address}`),
        nomadServerVaultConfig: agentConfig.server,
        nomadClientVaultConfig: agentConfig.client,
        nomadTokenCommand: secretsEngine && pulumi.interpolate`vault read ${secretsEngine.credsPath}`,
    };
}

/** The workloads' KV secrets, in your KV v2 mount (created only when asked for); none without secrets or mount. */
export function workloadsKv(settings: Settings, steps: Step<ProgramWorkload>[], provider: pulumi.ProviderResource): KvSecrets | undefined {
    const entries = kvEntries(steps);
    return entries.length > 0 || settings.createKvMount
        ? new KvSecrets("kv", { mount: settings.kvMount, createMount: settings.createKvMount, entries }, { provider })
        : undefined;
}
