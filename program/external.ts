// The same Vault setup on Vault and Nomad clusters you already run, as `nomad setup vault` and the
// Terraform module vault-nomad-setup do: no containers, no bootstrap, no sample jobs.
import * as pulumi from "@pulumi/pulumi";
import { agentVaultConfig, ExternalClusters, NomadSecretsEngine, NomadWorkloadIdentity } from "../components";
import { Settings } from "../settings";
import { workloadIdentityArgs } from "./identity";
import { StackOutputs } from "./outputs";

export function configureExistingClusters(settings: Settings): StackOutputs {
    const vaultEndpoint = settings.vault!;
    const nomadEndpoint = settings.nomad!;

    // 1–2. Your Vault and your Nomad.
    const clusters = new ExternalClusters("clusters", { vault: vaultEndpoint, nomad: nomadEndpoint });

    // 3. Configure Vault to accept Nomad workload identities.
    const identity = new NomadWorkloadIdentity(
        "workload-identity",
        workloadIdentityArgs(settings, { jwksUrl: settings.jwksUrl!, jwksCaPem: nomadEndpoint.caPem }),
        { provider: clusters.vaultProvider },
    );

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
