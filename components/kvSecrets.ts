import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";

export interface KvSecretsArgs {
    /** Mount path of the KV v2 engine; the templated policy grants `<mount>/data/<namespace>/<job>/*`. */
    readonly mount: string;
    /** Nomad namespace of the mongo job: its secret is `<namespace>/mongo/config`, as the policy expects. */
    readonly jobNamespace: string;
}

/** Step 4 of the tutorial: KV v2 at `kv/`, holding the mongo root password. */
export class KvSecrets extends pulumi.ComponentResource {
    /** The generated mongo root password (secret). */
    public readonly mongoRootPassword: pulumi.Output<string>;

    constructor(name: string, args: KvSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:KvSecrets", name, {}, opts);

        // Letters and digits only: the password is placed in a MongoDB connection URL.
        const password = new random.RandomPassword(`${name}-mongo-root-password`, { length: 32, special: false }, { parent: this });
        const mount = new vault.Mount(`${name}-mount`, { path: args.mount, type: "kv", options: { version: "2" } }, { parent: this });
        new vault.kv.SecretV2(
            `${name}-mongo-config`,
            {
                mount: mount.path,
                name: `${args.jobNamespace}/mongo/config`,
                dataJson: pulumi.secret(password.result.apply((rootPassword) => JSON.stringify({ root_password: rootPassword }))),
            },
            { parent: this },
        );

        this.mongoRootPassword = pulumi.secret(password.result);
        this.registerOutputs({});
    }
}
