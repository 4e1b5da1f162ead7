// Pulumi.<stack>.yaml as adopt writes it: a header that says where it comes from and what it holds
// not (no token, no key, no secret value), then the configuration.
import * as yaml from "js-yaml";

export function stackFileText(stack: string, config: Record<string, unknown>, addresses: { vault: string; nomad: string }): string {
    const header = [
        `# The stack ${stack}, written by \`npm run stack -- adopt --stack ${stack}\` from the clusters at`,
        `# ${addresses.vault} and ${addresses.nomad}: what they hold, in this program's keys (docs/external.md).`,
        "# No token, key or secret value is stored here: the stack reads VAULT_TOKEN and NOMAD_TOKEN from the",
        "# environment, and the secrets its jobs read stay in Vault.",
    ];
    return `${header.join("\n")}\n${yaml.dump({ config })}`;
}
