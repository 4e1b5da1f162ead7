import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { readProjectFile, renderTemplate } from "./assets";
import { JwksCheck } from "./jwksCheck";
import { DEFAULT_ROLE } from "./names";

export { DEFAULT_ROLE };
/** Nomad signs workload identities with either algorithm, depending on its keyring. */
export const JWT_SUPPORTED_ALGS = ["RS256", "EdDSA"];

export interface WorkloadRoleSettings {
    /** Must equal the `aud` of Nomad's `vault.default_identity`. */
    readonly audience: string;
    /** Period of the issued tokens, in seconds. */
    readonly tokenPeriodSeconds: number;
}

/** What every role for Nomad workload identities shares, as in the tutorial's role files. */
export function workloadRoleArgs(settings: WorkloadRoleSettings) {
    return {
        roleType: "jwt",
        boundAudiences: [settings.audience],
        // One entity alias per job; `/nomad_job_id` is a JSON pointer into the claims.
        userClaim: "/nomad_job_id",
        userClaimJsonPointer: true,
        // Alias metadata that the templated policies read.
        claimMappings: { nomad_namespace: "nomad_namespace", nomad_job_id: "nomad_job_id", nomad_task: "nomad_task" },
        // Service tokens, periodic and with no maximum TTL, so Nomad can renew them while the task runs.
        tokenType: "service",
        tokenPeriod: settings.tokenPeriodSeconds,
        tokenExplicitMaxTtl: 0,
    };
}

/** The nomad-workloads policy with the auth method's real accessor in place of the placeholder. */
export function renderWorkloadsPolicy(accessor: string): string {
    return renderTemplate(readProjectFile("components/assets/nomad-workloads.policy.hcl"), { AUTH_METHOD_ACCESSOR: accessor });
}

export interface NomadWorkloadIdentityArgs extends WorkloadRoleSettings {
    /** JWKS URL as Vault reaches it (from Vault's network, not the host's). */
    readonly jwksUrl: pulumi.Input<string>;
    /** Mount path of the JWT auth method, such as "jwt-nomad". */
    readonly path: string;
    /** How long to wait for the JWKS to be served before giving up (nothing is mounted then). */
    readonly jwksTimeoutSeconds: number;
}

/**
 * Step 3 of the tutorial: Vault's JWT auth method trusting Nomad's JWKS, the default
 * `nomad-workloads` role, and its templated policy.
 */
export class NomadWorkloadIdentity extends pulumi.ComponentResource {
    /** Mount accessor of the auth method (`auth_jwt_…`), as the templated policy uses it. */
    public readonly accessor: pulumi.Output<string>;
    /** Mount path of the auth method. */
    public readonly path: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: NomadWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:NomadWorkloadIdentity", name, {}, opts);

        const jwksCheck = new JwksCheck(
            `${name}-jwks-check`,
            { url: args.jwksUrl, timeoutSeconds: args.jwksTimeoutSeconds },
            { parent: this },
        );
        const auth = new vault.jwt.AuthBackend(
            `${name}-jwt`,
            { path: args.path, type: "jwt", jwksUrl: args.jwksUrl, jwtSupportedAlgs: JWT_SUPPORTED_ALGS, defaultRole: DEFAULT_ROLE },
            { parent: this, dependsOn: [jwksCheck] },
        );
        // Read from the mount, so that everything using the path waits for the auth method.
        const mountPath = auth.path.apply((path) => path ?? args.path);
        // The role names its policy rather than reading policy.name: Vault does not need the policy
        // to exist when the role is written, so both are written at once.
        new vault.Policy(`${name}-policy`, { name: DEFAULT_ROLE, policy: auth.accessor.apply(renderWorkloadsPolicy) }, { parent: this });
        const role = new vault.jwt.AuthBackendRole(
            `${name}-role`,
            { backend: mountPath, roleName: DEFAULT_ROLE, ...workloadRoleArgs(args), tokenPolicies: [DEFAULT_ROLE] },
            { parent: this },
        );

        this.accessor = auth.accessor;
        this.path = mountPath;
        this.roleName = role.roleName;
        this.registerOutputs({ accessor: this.accessor, path: this.path, roleName: this.roleName });
    }
}
