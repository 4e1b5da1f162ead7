// What loadSettings returns, and the error it throws.
import type { ClustersLayout, NomadClusterSpec } from "./clusters";
import type { NamespaceSpec } from "./namespaces";
import type { SecretText, WorkloadSpec } from "./workloads";

export type Mode = "demo" | "external";

/** How to reach existing Vault: TLS as files, which is what the Vault provider takes. */
export interface VaultEndpoint {
    readonly address: string;
    readonly token: string;
    readonly namespace?: string;
    readonly caCertFile?: string;
    readonly clientCertFile?: string;
    readonly clientKeyFile?: string;
    readonly skipTlsVerify: boolean;
}

/** How to reach existing Nomad: TLS as PEM, which the Nomad provider and Vault's jwks_ca_pem take. */
export interface NomadEndpoint {
    readonly address: string;
    readonly token: string;
    readonly region?: string;
    readonly caPem?: string;
    readonly clientCertPem?: string;
    readonly clientKeyPem?: string;
    readonly skipTlsVerify: boolean;
}

export interface Settings {
    readonly stack: string;
    readonly mode: Mode;
    /** `<project>-<stack>`, lower-case: the prefix of every name that must be unique on the host. */
    readonly hostPrefix: string;
    readonly vaultImage: string;
    readonly nomadImage: string;
    readonly mongoImage: string;
    readonly vaultPort: number;
    readonly nomadHttpPort: number;
    readonly nomadRpcPort: number;
    readonly nomadSerfPort: number;
    readonly mongoPort: number;
    /** This stack's Nomad data dir, the same path on the host and in the container. */
    readonly nomadDataDir: string;
    /** External mode: how to reach the clusters. */
    readonly vault?: VaultEndpoint;
    readonly nomad?: NomadEndpoint;
    /** External mode with `nomadClusters`: the Nomad clusters (then `nomad` and `jwksUrl` are unset); empty otherwise. */
    readonly nomadClusters: NomadClusterSpec[];
    readonly nomadClustersLayout: ClustersLayout;
    readonly jwtAuthPath: string;
    /** The description of the JWT auth method's mount; none when unset. */
    readonly jwtAuthDescription?: string;
    /** The JWKS URL Vault fetches, unless `jwtValidationPubkeys` are given. */
    readonly jwksUrl?: string;
    readonly jwtValidationPubkeys: string[];
    /** The signing algorithms Vault accepts, in the order Vault keeps them. */
    readonly jwtSupportedAlgs: string[];
    readonly roleName: string;
    readonly policyName: string;
    readonly mongoRoleName: string;
    readonly kvMount: string;
    /** External mode: create the KV v2 mount (otherwise it exists, and only workload secrets are written in it). */
    readonly createKvMount: boolean;
    readonly jobNamespace: string;
    readonly audience: string;
    readonly identityTtl: string;
    readonly tokenPeriodSeconds: number;
    readonly tokenTtlSeconds?: number;
    /** Claim → alias metadata name, on every role. */
    readonly claimMappings: Record<string, string>;
    readonly dbCredsDefaultTtlSeconds: number;
    readonly dbCredsMaxTtlSeconds: number;
    readonly nomadSecretsEngine: boolean;
    readonly nomadSecretsRole: string;
    readonly readyTimeoutSeconds: number;
    readonly jobTimeoutSeconds: number;
    /** The stack's own jobs (`vaultnomad:workloads`, docs/workloads.md), besides the tutorial's. */
    readonly workloads: WorkloadSpec<SecretText>[];
    /** What the program writes on the Nomad namespaces it creates for workloads (`vaultnomad:namespaces`). */
    readonly namespaces: Record<string, NamespaceSpec>;
}

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration (nothing was created):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}
