// A typed binding over the pulumi-nomad provider plugin, for the resources this project uses.
//
// `@pulumi/nomad` is the SDK that normally carries these classes. This binding registers the same
// type tokens with the same argument names, and pins the same plugin version, so the Pulumi CLI
// fetches and runs the real provider exactly as it would for the package. To switch to the package,
// replace `import * as nomad from "../nomad"` with `import * as nomad from "@pulumi/nomad"`.
// tests/nomadBinding.test.ts checks every name here against the provider's schema.

import * as pulumi from "@pulumi/pulumi";

/** The pulumi-nomad plugin version this binding was written against. */
export const PLUGIN_VERSION = "2.6.1";

export interface ProviderArgs {
    /** URL of the root of the target Nomad agent. */
    readonly address?: pulumi.Input<string>;
    /** Region of the target Nomad agent. */
    readonly region?: pulumi.Input<string>;
    /** ACL token secret for API requests. */
    readonly secretId?: pulumi.Input<string>;
    /** PEM-encoded certificate authority used to verify the remote agent's certificate. */
    readonly caPem?: pulumi.Input<string>;
    /** PEM-encoded certificate provided to the remote agent; requires `keyPem`. */
    readonly certPem?: pulumi.Input<string>;
    /** PEM-encoded private key, required if `certPem` is specified. */
    readonly keyPem?: pulumi.Input<string>;
    /** Skip TLS verification on client side. */
    readonly skipVerify?: pulumi.Input<boolean>;
}

export const PROVIDER_INPUTS = ["address", "region", "secretId", "caPem", "certPem", "keyPem", "skipVerify"] as const;

/** The provider secret inputs, as the generated SDK marks them. */
const PROVIDER_SECRETS: ReadonlyArray<keyof ProviderArgs> = ["secretId", "keyPem"];

export class Provider extends pulumi.ProviderResource {
    constructor(name: string, args: ProviderArgs = {}, opts: pulumi.ResourceOptions = {}) {
        const inputs: pulumi.Inputs = {};
        for (const key of PROVIDER_INPUTS) {
            const value = args[key];
            if (value === undefined) {
                continue;
            }
            // Provider configuration travels as strings; the generated SDK JSON-encodes non-strings.
            const encoded = key === "skipVerify" ? pulumi.output(value).apply((v) => JSON.stringify(v)) : value;
            inputs[key] = PROVIDER_SECRETS.includes(key) ? pulumi.secret(encoded) : encoded;
        }
        super("nomad", name, inputs, pulumi.mergeOptions({ version: PLUGIN_VERSION }, opts));
    }
}

/** Each resource's type token, the inputs it passes on, the outputs it declares and its secret outputs. */
export const RESOURCES = {
    "nomad:index/job:Job": {
        inputs: [
            "jobspec",
            "hcl2",
            "detach",
            "purgeOnDestroy",
            "deregisterOnDestroy",
            "deregisterOnIdChange",
            "rerunIfDead",
            "json",
            "policyOverride",
            "preserveCounts",
            "readAllocationIds",
        ],
        outputs: ["name", "namespace", "type", "status", "deploymentId", "deploymentStatus", "modifyIndex"],
        secrets: [],
    },
    "nomad:index/aclPolicy:AclPolicy": { inputs: ["name", "description", "rulesHcl"], outputs: [], secrets: [] },
    "nomad:index/aclToken:AclToken": {
        inputs: ["name", "type", "policies", "global", "expirationTtl"],
        outputs: ["accessorId", "secretId"],
        secrets: ["secretId"],
    },
    "nomad:index/namespace:Namespace": { inputs: ["name", "description"], outputs: [], secrets: [] },
} as const;

type Token = keyof typeof RESOURCES;

/** Registers a resource as the generated SDK does: inputs passed on, outputs declared, plugin pinned. */
function register(type: Token, name: string, args: object, opts: pulumi.CustomResourceOptions) {
    const spec = RESOURCES[type];
    const inputs: pulumi.Inputs = {};
    for (const key of spec.inputs) {
        inputs[key] = (args as Record<string, unknown>)[key];
    }
    for (const key of spec.outputs) {
        inputs[key] ??= undefined;
    }
    const secrets: string[] = [...spec.secrets];
    return { type, name, inputs, opts: pulumi.mergeOptions({ version: PLUGIN_VERSION, additionalSecretOutputs: secrets }, opts) };
}

// Output properties are `declare`d, not class fields: a field would overwrite, after super(), the
// outputs the SDK sets.

export interface JobHcl2 {
    /** Set this to true to be able to use HCL2 filesystem functions. */
    readonly allowFs?: pulumi.Input<boolean>;
    /** Additional variables to use when templating the job with HCL2. Values must be strings. */
    readonly vars?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface JobArgs {
    /** The contents of the jobspec to register. */
    readonly jobspec: pulumi.Input<string>;
    /** Options for the HCL2 jobspec parser. */
    readonly hcl2?: pulumi.Input<JobHcl2>;
    /** If true (the provider's default), return right after registering instead of monitoring the deployment. */
    readonly detach?: pulumi.Input<boolean>;
    /** Purge the job when the resource is destroyed; the provider's default leaves it dead. */
    readonly purgeOnDestroy?: pulumi.Input<boolean>;
    /** Deregister the job when the resource is destroyed (default true). */
    readonly deregisterOnDestroy?: pulumi.Input<boolean>;
    /** Deregister the previous job when the job ID changes (default true). */
    readonly deregisterOnIdChange?: pulumi.Input<boolean>;
    /** Run the job again when its status is dead. */
    readonly rerunIfDead?: pulumi.Input<boolean>;
    /** Set this to true if the jobspec is JSON. */
    readonly json?: pulumi.Input<boolean>;
    /** Override soft-mandatory Sentinel policies. */
    readonly policyOverride?: pulumi.Input<boolean>;
    /** Keep the task group counts already stored in Nomad. */
    readonly preserveCounts?: pulumi.Input<boolean>;
    /** Read the job's allocation IDs into state. */
    readonly readAllocationIds?: pulumi.Input<boolean>;
}

export class Job extends pulumi.CustomResource {
    public static readonly __pulumiType = "nomad:index/job:Job";
    declare public readonly name: pulumi.Output<string>;
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly type: pulumi.Output<string>;
    declare public readonly status: pulumi.Output<string>;
    declare public readonly deploymentId: pulumi.Output<string>;
    declare public readonly deploymentStatus: pulumi.Output<string>;
    declare public readonly modifyIndex: pulumi.Output<string>;

    constructor(name: string, args: JobArgs, opts: pulumi.CustomResourceOptions = {}) {
        if (!args?.jobspec) {
            throw new Error("Missing required property 'jobspec'");
        }
        const r = register(Job.__pulumiType, name, args, opts);
        super(r.type, r.name, r.inputs, r.opts);
    }
}

export interface AclPolicyArgs {
    /** A unique name for the policy. */
    readonly name?: pulumi.Input<string>;
    readonly description?: pulumi.Input<string>;
    /** The contents of the policy, in HCL. */
    readonly rulesHcl: pulumi.Input<string>;
}

export class AclPolicy extends pulumi.CustomResource {
    public static readonly __pulumiType = "nomad:index/aclPolicy:AclPolicy";
    declare public readonly name: pulumi.Output<string>;

    constructor(name: string, args: AclPolicyArgs, opts: pulumi.CustomResourceOptions = {}) {
        const r = register(AclPolicy.__pulumiType, name, args, opts);
        super(r.type, r.name, r.inputs, r.opts);
    }
}

export interface AclTokenArgs {
    /** A human-friendly name for the token. */
    readonly name?: pulumi.Input<string>;
    /** "client" or "management". */
    readonly type: pulumi.Input<string>;
    /** Policies of a client token. */
    readonly policies?: pulumi.Input<pulumi.Input<string>[]>;
    /** Replicate the token to every region. */
    readonly global?: pulumi.Input<boolean>;
    /** Lifetime of the token, such as "1h"; none when unset. */
    readonly expirationTtl?: pulumi.Input<string>;
}

export class AclToken extends pulumi.CustomResource {
    public static readonly __pulumiType = "nomad:index/aclToken:AclToken";
    declare public readonly accessorId: pulumi.Output<string>;
    /** The token's secret. */
    declare public readonly secretId: pulumi.Output<string>;

    constructor(name: string, args: AclTokenArgs, opts: pulumi.CustomResourceOptions = {}) {
        const r = register(AclToken.__pulumiType, name, args, opts);
        super(r.type, r.name, r.inputs, r.opts);
    }
}

export interface NamespaceArgs {
    readonly name?: pulumi.Input<string>;
    readonly description?: pulumi.Input<string>;
}

export class Namespace extends pulumi.CustomResource {
    public static readonly __pulumiType = "nomad:index/namespace:Namespace";
    declare public readonly name: pulumi.Output<string>;

    constructor(name: string, args: NamespaceArgs, opts: pulumi.CustomResourceOptions = {}) {
        const r = register(Namespace.__pulumiType, name, args, opts);
        super(r.type, r.name, r.inputs, r.opts);
    }
}

// Fails to compile when an Args interface gains a field that RESOURCES does not pass on.
type Passes<A, T extends Token> = Exclude<keyof A, (typeof RESOURCES)[T]["inputs"][number]> extends never ? true : never;
const everyArgIsPassed: [
    Passes<JobArgs, "nomad:index/job:Job">,
    Passes<AclPolicyArgs, "nomad:index/aclPolicy:AclPolicy">,
    Passes<AclTokenArgs, "nomad:index/aclToken:AclToken">,
    Passes<NamespaceArgs, "nomad:index/namespace:Namespace">,
] = [true, true, true, true];
const everyProviderArgIsPassed: Exclude<keyof ProviderArgs, (typeof PROVIDER_INPUTS)[number]> extends never ? true : never = true;
void everyArgIsPassed;
void everyProviderArgIsPassed;
