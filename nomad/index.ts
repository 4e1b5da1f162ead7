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

export const JOB_INPUTS = [
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
] as const;

/** The outputs this project reads; the provider returns more. */
export const JOB_OUTPUTS = ["name", "namespace", "type", "status", "deploymentId", "deploymentStatus", "modifyIndex"] as const;

export class Job extends pulumi.CustomResource {
    public static readonly __pulumiType = "nomad:index/job:Job";
    // `declare`, not a class field: a field would overwrite, after super(), the outputs the SDK sets.
    declare public readonly name: pulumi.Output<string>;
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly type: pulumi.Output<string>;
    declare public readonly status: pulumi.Output<string>;
    declare public readonly deploymentId: pulumi.Output<string>;
    declare public readonly deploymentStatus: pulumi.Output<string>;
    declare public readonly modifyIndex: pulumi.Output<string>;

    constructor(name: string, args: JobArgs, opts: pulumi.CustomResourceOptions = {}) {
        if (!args?.jobspec && !opts.urn) {
            throw new Error("Missing required property 'jobspec'");
        }
        const inputs: pulumi.Inputs = {};
        for (const key of JOB_INPUTS) {
            inputs[key] = args[key];
        }
        for (const key of JOB_OUTPUTS) {
            inputs[key] = undefined;
        }
        super(Job.__pulumiType, name, inputs, pulumi.mergeOptions({ version: PLUGIN_VERSION }, opts));
    }
}

// Fails to compile when JobArgs gains a field that JOB_INPUTS does not pass on.
const everyJobArgIsPassed: Exclude<keyof JobArgs, (typeof JOB_INPUTS)[number]> extends never ? true : never = true;
const everyProviderArgIsPassed: Exclude<keyof ProviderArgs, (typeof PROVIDER_INPUTS)[number]> extends never ? true : never = true;
void everyJobArgIsPassed;
void everyProviderArgIsPassed;
