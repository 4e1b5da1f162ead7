import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { readProjectFile, renderTemplate } from "./assets";
import { JwksCheck } from "./jwksCheck";
import { DEFAULT_ROLE, WorkloadRoleSettings, workloadRoleArgs } from "./workloadRole";

export { DEFAULT_ROLE, workloadRoleArgs };
export type { WorkloadRoleSettings };
/** Nomad signs workload identities with either algorithm, depending on its keyring. */
export const JWT_SUPPORTED_ALGS = ["RS256", "EdDSA"];

/** The templated workloads policy for the auth method's real accessor and the KV mount. */
export function renderWorkloadsPolicy(accessor: string, kvMount = "kv"): string {
    return renderTemplate(readProjectFile("components/assets/nomad-workloads.policy.hcl"), {
        KV_MOUNT: kvMount,
        AUTH_METHOD_ACCESSOR: accessor,
    });
}

/** How Vault validates Nomad's identities: keys fetched from a JWKS URL, or static public keys. */
export type IdentityKeys =
    | {
          /** JWKS URL as Vault reaches it (from Vault's network, not necessarily the host's). */
          readonly jwksUrl: pulumi.Input<string>;
          /** PEM CA of Nomad's HTTPS certificate, for Vault's fetch. */
          readonly jwksCaPem?: string;
          /**
           * Fetch the JWKS from here before mounting, for at most this many seconds. Only where
           * this machine sees what Vault sees (the demo: both on the host's network).
           */
          readonly checkFirstSeconds?: number;
      }
    | {
          /** PEM public keys, for a Vault that cannot reach Nomad (seed 000). */
          readonly jwtValidationPubkeys: string[];
      }
    | {
          /** Several clusters' JWKS in one mount (`jwks_pairs`: JWT plugin 0.20, Vault 1.16, or later). */
          readonly jwksPairs: Array<{ readonly jwksUrl: string; readonly jwksCaPem?: string }>;
      };

/** The auth method's arguments for the keys: Vault takes exactly one way of validating. */
function keyArgs(keys: IdentityKeys): vault.jwt.AuthBackendArgs {
    if ("jwksPairs" in keys) {
        // Vault's own field names: the provider passes each pair's map through as it is.
        return { jwksPairs: keys.jwksPairs.map((p) => ({ jwks_url: p.jwksUrl, ...(p.jwksCaPem ? { jwks_ca_pem: p.jwksCaPem } : {}) })) };
    }
    return "jwksUrl" in keys ? { jwksUrl: keys.jwksUrl, jwksCaPem: keys.jwksCaPem } : { jwtValidationPubkeys: keys.jwtValidationPubkeys };
}

export interface NomadWorkloadIdentityArgs extends WorkloadRoleSettings {
    readonly keys: IdentityKeys;
    /** Mount path of the JWT auth method, such as "jwt-nomad". */
    readonly path: string;
    /** Description of the mount; none when unset. */
    readonly description?: string;
    /** The signing algorithms Vault accepts, in the order Vault keeps them; JWT_SUPPORTED_ALGS when unset. */
    readonly jwtSupportedAlgs?: string[];
    /** The default role, "nomad-workloads" in the tutorial. */
    readonly roleName?: string;
    /** Its templated policy, "nomad-workloads" in the tutorial. */
    readonly policyName?: string;
    /** The KV v2 mount the templated policy grants, "kv" in the tutorial. */
    readonly kvMount?: string;
}

/**
 * Step 3 of the tutorial: Vault's JWT auth method trusting Nomad's identities, the default role,
 * and its templated policy.
 */
export class NomadWorkloadIdentity extends pulumi.ComponentResource {
    /** Mount accessor of the auth method (`auth_jwt_…`), as the templated policy uses it. */
    public readonly accessor: pulumi.Output<string>;
    /** Mount path of the auth method. */
    public readonly path: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: NomadWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:NomadWorkloadIdentity", name, {}, opts);
        const roleName = args.roleName ?? DEFAULT_ROLE;
        const policyName = args.policyName ?? DEFAULT_ROLE;

        const keys = args.keys;
        const check =
            "jwksUrl" in keys && keys.checkFirstSeconds !== undefined
                ? [new JwksCheck(`${name}-jwks-check`, { url: keys.jwksUrl, timeoutSeconds: keys.checkFirstSeconds }, { parent: this })]
                : [];
        const auth = new vault.jwt.AuthBackend(
            `${name}-jwt`,
            {
                path: args.path,
                type: "jwt",
                description: args.description,
                ...keyArgs(keys),
                jwtSupportedAlgs: args.jwtSupportedAlgs ?? JWT_SUPPORTED_ALGS,
                defaultRole: roleName,
            },
            { parent: this, dependsOn: check },
        );
        // Read from the mount, so that everything using the path waits for the auth method.
        const mountPath = auth.path.apply((path) => path ?? args.path);
        // The role names its policy rather than reading policy.name: Vault does not need the policy
        // to exist when the role is written, so both are written at once.
        new vault.Policy(
            `${name}-policy`,
            { name: policyName, policy: auth.accessor.apply((accessor) => renderWorkloadsPolicy(accessor, args.kvMount)) },
            { parent: this },
        );
        const role = new vault.jwt.AuthBackendRole(
            `${name}-role`,
            { backend: mountPath, roleName, ...workloadRoleArgs(args), tokenPolicies: [policyName] },
            { parent: this },
        );

        this.accessor = auth.accessor;
        this.path = mountPath;
        this.roleName = role.roleName;
        this.registerOutputs({ accessor: this.accessor, path: this.path, roleName: this.roleName });
    }
}
