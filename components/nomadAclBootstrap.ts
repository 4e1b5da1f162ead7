import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as nomad from "../nomad";
import { providerFromModule } from "./dynamicProvider";

export interface NomadAclBootstrapArgs {
    /** Nomad's HTTP address; it should resolve only once the agent answers. */
    readonly address: pulumi.Input<string>;
    /** The agent's container ID: a new agent has fresh ACL state and is bootstrapped again. */
    readonly agentId: pulumi.Input<string>;
    /** The agent's container name, for recovery instructions. */
    readonly agentName: pulumi.Input<string>;
    /** How long to wait for the agent to elect a leader. */
    readonly timeoutSeconds: number;
}

/** Nomad's ACL bootstrap: components/runtime/aclBootstrap.js. */
export const aclBootstrapProvider = providerFromModule("components/runtime/aclBootstrap.js");

class AclBootstrap extends pulumi.dynamic.Resource {
    // `declare`, not a class field: a field would overwrite, after super(), the outputs the SDK sets.
    declare public readonly accessorId: pulumi.Output<string>;
    declare public readonly secretId: pulumi.Output<string>;

    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        super(aclBootstrapProvider, name, { ...props, accessorId: undefined, secretId: undefined }, opts, "vaultnomad", "AclBootstrap");
    }
}

/** Step 2 of the tutorial: `nomad acl bootstrap`, and a Nomad provider that uses the management token. */
export class NomadAclBootstrap extends pulumi.ComponentResource {
    /** The management token's secret (the tutorial's NOMAD_TOKEN). */
    public readonly token: pulumi.Output<string>;
    public readonly accessorId: pulumi.Output<string>;
    /** A Nomad provider authenticated with the management token, usable only after the bootstrap. */
    public readonly provider: nomad.Provider;

    constructor(name: string, args: NomadAclBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:NomadAclBootstrap", name, {}, opts);

        const secret = new random.RandomUuid(`${name}-secret`, {}, { parent: this });
        const bootstrap = new AclBootstrap(
            `${name}-bootstrap`,
            {
                address: args.address,
                agentId: args.agentId,
                agentName: args.agentName,
                bootstrapSecret: pulumi.secret(secret.result),
                timeoutSeconds: args.timeoutSeconds,
            },
            { parent: this, additionalSecretOutputs: ["bootstrapSecret", "secretId"] },
        );
        this.token = pulumi.secret(bootstrap.secretId);
        this.accessorId = bootstrap.accessorId;
        this.provider = new nomad.Provider(`${name}-provider`, { address: args.address, secretId: this.token }, { parent: this });
        this.registerOutputs({ token: this.token, accessorId: this.accessorId });
    }
}
