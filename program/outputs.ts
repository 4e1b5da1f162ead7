import * as pulumi from "@pulumi/pulumi";

/** The stack outputs; each mode fills in those that apply to it. */
export interface StackOutputs {
    readonly vaultAddress: pulumi.Input<string>;
    readonly nomadAddress: pulumi.Input<string>;
    /** Demo mode: the dev server's root token and the bootstrap token (secrets). */
    readonly vaultToken?: pulumi.Output<string>;
    readonly nomadToken?: pulumi.Output<string>;
    readonly jwtAuthAccessor: pulumi.Output<string>;
    readonly envExports: pulumi.Output<string>;
    readonly tokenExports?: string;
    /** The `vault` blocks for Nomad servers and clients, to paste into their configuration. */
    readonly nomadServerVaultConfig: string;
    readonly nomadClientVaultConfig: string;
    readonly mongoQueryResultCommand?: pulumi.Output<string>;
    /** With the Nomad secrets engine: how to get a short-lived Nomad token. */
    readonly nomadTokenCommand?: pulumi.Output<string>;
}
