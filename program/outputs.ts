// The stack outputs: their names (shared by the program, the stack driver and verify) and the one
// line that documents each (the README's outputs table is generated from it by `npm run docs`).
import type * as pulumi from "@pulumi/pulumi";

export const OUTPUT_DESCRIPTIONS = {
    vaultAddress: "Vault's API address.",
    nomadAddress: "Nomad's API address.",
    vaultToken: "Demo: Vault's root token (secret: `--show-secrets`).",
    nomadToken: "Demo: Nomad's management token from the ACL bootstrap (secret: `--show-secrets`).",
    jwtAuthAccessor: "The JWT auth method's accessor (`auth_jwt_…`), which the templated policy names.",
    envExports: "`export VAULT_ADDR=… NOMAD_ADDR=…`, ready to `eval`.",
    tokenExports: "Demo: `export VAULT_TOKEN=… NOMAD_TOKEN=…` that read the tokens from the stack, ready to `eval`.",
    nomadServerVaultConfig: "The `vault` block Nomad servers need for workload identities, to paste into their configuration.",
    nomadClientVaultConfig: "The `vault` block Nomad clients need, to paste into their configuration.",
    mongoQueryResultCommand: "Demo: the command that prints the mongo-query job's log (the tutorial's last step).",
    nomadTokenCommand: "With `nomadSecretsEngine`: the command that fetches a short-lived Nomad token from Vault.",
    nomadClusters:
        "With `nomadClusters`: per cluster, its address, the JWT mount its agents must name, that mount's accessor, its default policy, and its agents' `vault` blocks (the single outputs above are the first cluster's).",
} as const;

export type OutputName = keyof typeof OUTPUT_DESCRIPTIONS;

/** Each output's name, for code that reads outputs: `OUTPUT.vaultToken` rather than "vaultToken". */
export const OUTPUT = Object.fromEntries(Object.keys(OUTPUT_DESCRIPTIONS).map((name) => [name, name])) as { readonly [N in OutputName]: N };

/** The stack outputs; each mode fills in those that apply to it. */
export interface StackOutputs {
    readonly vaultAddress: pulumi.Input<string>;
    readonly nomadAddress: pulumi.Input<string>;
    readonly vaultToken?: pulumi.Output<string>;
    readonly nomadToken?: pulumi.Output<string>;
    readonly jwtAuthAccessor: pulumi.Output<string>;
    readonly envExports: pulumi.Output<string>;
    readonly tokenExports?: string;
    readonly nomadServerVaultConfig: string;
    readonly nomadClientVaultConfig: string;
    readonly mongoQueryResultCommand?: pulumi.Output<string>;
    readonly nomadTokenCommand?: pulumi.Output<string>;
    readonly nomadClusters?: Record<string, ClusterOutputs>;
}

/** One Nomad cluster of `nomadClusters`, as the stack outputs it. */
export interface ClusterOutputs {
    readonly nomadAddress: string;
    /** The JWT mount its agents' `vault.jwt_auth_backend_path` must name. */
    readonly jwtAuthPath: string;
    readonly jwtAuthAccessor: pulumi.Output<string>;
    /** The templated policy of that mount's default role. */
    readonly policyName: string;
    readonly nomadServerVaultConfig: string;
    readonly nomadClientVaultConfig: string;
}

// Fails to compile when an output lacks a description, or a description names no output.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
// Stryker disable next-line BooleanLiteral: the check is the type; the value is never read
const outputsAreDescribed: SameKeys<StackOutputs, typeof OUTPUT_DESCRIPTIONS> = true;
void outputsAreDescribed;

/** The shell substitution that reads a secret output from the stack, rather than its value. */
export function readOutputCommand(name: OutputName): string {
    return `$(pulumi stack output ${name} --show-secrets)`;
}

/** The README's outputs table. */
export function outputsTable(): string {
    const rows = Object.entries(OUTPUT_DESCRIPTIONS).map(([name, description]) => `| \`${name}\` | ${description} |`);
    return ["| output | what |", "|---|---|", ...rows].join("\n");
}
