import * as pulumi from "@pulumi/pulumi";
import { waitForJwks } from "./jwksCheckClient";

interface JwksCheckInputs {
    url: string;
    timeoutSeconds: number;
}

/**
 * Checks the JWKS URL before the JWT auth method is created. Vault validates the URL when the
 * method is configured; if that fails after the mount, the next `up` finds a mount it did not
 * record. Checking first makes the failure happen while nothing is mounted yet.
 * The check runs where Pulumi runs, which is Vault's network here: both share the host's.
 */
export const jwksCheckProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: JwksCheckInputs) {
        const keys = await waitForJwks(inputs.url, inputs.timeoutSeconds * 1000);
        return { id: inputs.url, outs: { ...inputs, keys } };
    },
    async diff(_id: string, olds: JwksCheckInputs, news: JwksCheckInputs) {
        return {
            changes: olds.url !== news.url || olds.timeoutSeconds !== news.timeoutSeconds,
            replaces: olds.url !== news.url ? ["url"] : [],
        };
    },
    async update(_id: string, olds: JwksCheckInputs, news: JwksCheckInputs) {
        return { outs: { ...olds, ...news } };
    },
};

export interface JwksCheckArgs {
    readonly url: pulumi.Input<string>;
    readonly timeoutSeconds: number;
}

export class JwksCheck extends pulumi.dynamic.Resource {
    constructor(name: string, args: JwksCheckArgs, opts: pulumi.CustomResourceOptions) {
        super(jwksCheckProvider, name, { ...args, keys: undefined }, opts, "vaultnomad", "JwksCheck");
    }
}
