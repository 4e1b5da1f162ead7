import * as pulumi from "@pulumi/pulumi";
import * as nomad from "../nomad";

export interface NomadJobArgs {
    /** The jobspec's HCL2 text, such as the contents of jobs/mongo.nomad.hcl. */
    readonly jobspec: string;
    /** HCL2 variables of the jobspec. Strings only: the provider panics on numbers. */
    readonly vars?: Record<string, string>;
    /** How long `up` waits for the job's deployment to be healthy. */
    readonly timeoutSeconds: number;
}

/**
 * The tutorial's `nomad job run <file>`: registers one jobspec and waits for its deployment.
 * Destroy purges the job, so nothing is left dead in Nomad.
 */
export class NomadJob extends pulumi.ComponentResource {
    public readonly jobName: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: NomadJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:NomadJob", name, {}, opts);

        const timeout = `${args.timeoutSeconds}s`;
        const vars = args.vars ?? {};
        const job = new nomad.Job(
            `${name}-job`,
            {
                jobspec: args.jobspec,
                // Only with variables: the provider reads a job without them back with no hcl2 block, so an
                // empty one would differ from an imported job.
                ...(Object.keys(vars).length > 0 ? { hcl2: { vars } } : {}),
                // The provider returns right after registering unless told to wait for the deployment.
                detach: false,
                purgeOnDestroy: true,
            },
            { parent: this, customTimeouts: { create: timeout, update: timeout } },
        );

        this.jobName = job.name;
        this.namespace = job.namespace;
        this.registerOutputs({ jobName: this.jobName, namespace: this.namespace });
    }
}
