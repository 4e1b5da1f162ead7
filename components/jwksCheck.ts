import * as pulumi from "@pulumi/pulumi";
import { providerFromModule } from "./dynamicProvider";

/**
 * Checks the JWKS URL before the JWT auth method is created (components/runtime/jwksCheck.js).
 * The check runs where Pulumi runs, which is Vault's network here: both share the host's.
 */
export const jwksCheckProvider = providerFromModule("components/runtime/jwksCheck.js");

export interface JwksCheckArgs {
    readonly url: pulumi.Input<string>;
    readonly timeoutSeconds: number;
}

export class JwksCheck extends pulumi.dynamic.Resource {
    constructor(name: string, args: JwksCheckArgs, opts: pulumi.CustomResourceOptions) {
        super(jwksCheckProvider, name, { ...args, keys: undefined }, opts, "vaultnomad", "JwksCheck");
    }
}
