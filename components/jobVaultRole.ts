import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { WorkloadRoleSettings, workloadRoleArgs } from "./workloadIdentity";

export interface PolicyGrant {
    readonly path: string;
    readonly capabilities: string[];
}

export interface JobVaultRoleArgs extends WorkloadRoleSettings {
    /** Mount path of the JWT auth method. */
    readonly backend: pulumi.Input<string>;
    /** Name of the role and of its policy; the job's `vault { role = … }`. */
    readonly roleName: string;
    /** The policy's name when not the role's (a role of the same name on several mounts). */
    readonly policyName?: string;
    /** Only identities of this job, in this namespace, may use the role. */
    readonly namespace: string;
    readonly jobId: string;
    /** The policy: what the job may do, path by path. */
    readonly grants: PolicyGrant[];
}

/** A Vault policy of `path "…" { capabilities = […] }` stanzas, one per grant. */
export function renderGrants(grants: PolicyGrant[]): string {
    return grants.map((g) => `path ${JSON.stringify(g.path)} {\n  capabilities = ${JSON.stringify(g.capabilities)}\n}\n`).join("\n");
}

/**
 * A JWT role for one Nomad job, with its own policy instead of the default templated one
 * (the tutorial's `mongo-dynamic-secret`).
 */
export class JobVaultRole extends pulumi.ComponentResource {
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: JobVaultRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:JobVaultRole", name, {}, opts);

        const policyName = args.policyName ?? args.roleName;
        new vault.Policy(`${name}-policy`, { name: policyName, policy: renderGrants(args.grants) }, { parent: this });
        const role = new vault.jwt.AuthBackendRole(
            `${name}-role`,
            {
                backend: args.backend,
                roleName: args.roleName,
                ...workloadRoleArgs(args),
                boundClaims: { nomad_namespace: args.namespace, nomad_job_id: args.jobId },
                // By name, so that role and policy are written at once (see NomadWorkloadIdentity).
                tokenPolicies: [policyName],
            },
            { parent: this },
        );

        this.roleName = role.roleName;
        this.registerOutputs({ roleName: this.roleName });
    }
}
