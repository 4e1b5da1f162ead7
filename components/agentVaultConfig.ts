import { readProjectFile, renderTemplate } from "./assets";

export interface AgentVaultSettings {
    readonly vaultAddress: string;
    readonly jwtAuthPath: string;
    readonly audience: string;
    readonly identityTtl: string;
}

/**
 * The `vault` blocks Nomad servers and clients need for this Vault setup, ready to paste into
 * their configuration (as the Terraform module `vault-nomad-setup` prints them).
 */
export function agentVaultConfig(settings: AgentVaultSettings): { server: string; client: string } {
    return {
        server: renderTemplate(readProjectFile("components/assets/nomad-server-vault.hcl"), {
            AUDIENCE: settings.audience,
            IDENTITY_TTL: settings.identityTtl,
        }),
        client: renderTemplate(readProjectFile("components/assets/nomad-client-vault.hcl"), {
            VAULT_ADDRESS: settings.vaultAddress,
            JWT_AUTH_PATH: settings.jwtAuthPath,
        }),
    };
}
