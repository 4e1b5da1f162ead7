// Every configuration key, its default (the tutorial's value) and what it means.
// Pulumi.yaml declares the same keys for the CLI; tests/settings.test.ts keeps the two in step.

export const PROJECT = "vaultnomad";

export type Kind = "string" | "integer" | "boolean";
/** Which mode a key belongs to; "any" keys apply to both. */
export type Scope = "any" | "demo" | "external";

export interface KeySpec {
    readonly kind: Kind;
    readonly default: string | number | boolean;
    readonly description: string;
    readonly scope: Scope;
    /** Set with `pulumi config set --secret`. */
    readonly secret?: boolean;
    /** In external mode, the environment variable read when the key is not set. */
    readonly env?: string;
    /** Kept as given, not trimmed: a PEM's text goes to Vault as it is, and a trimmed newline would be a change. */
    readonly verbatim?: boolean;
}

export const CONFIG_KEYS = {
    mode: {
        kind: "string",
        default: "demo",
        scope: "any",
        description: 'Where Vault and Nomad run: "demo" (containers on this host) or "external" (existing clusters).',
    },

    // The newest releases whose image tags were confirmed upstream (docs/design.md, Default images).
    vaultImage: { kind: "string", default: "hashicorp/vault:2.0.4", scope: "demo", description: "Vault image (pinned tag or digest)." },
    nomadImage: { kind: "string", default: "hashicorp/nomad:2.0.5", scope: "demo", description: "Nomad image, 1.10 or later." },
    mongoImage: { kind: "string", default: "mongo:7", scope: "demo", description: "Image of the mongo and mongo-query jobs." },
    vaultPort: {
        kind: "integer",
        default: 8200,
        scope: "demo",
        description: "Vault API port on 127.0.0.1; the next port is Vault's cluster port.",
    },
    nomadHttpPort: { kind: "integer", default: 4646, scope: "demo", description: "Nomad HTTP API port on 127.0.0.1." },
    nomadRpcPort: { kind: "integer", default: 4647, scope: "demo", description: "Nomad RPC port on 127.0.0.1." },
    nomadSerfPort: { kind: "integer", default: 4648, scope: "demo", description: "Nomad Serf port on 127.0.0.1." },
    mongoPort: { kind: "integer", default: 27017, scope: "demo", description: "Host port of the mongo job on 127.0.0.1." },
    hostDataDir: {
        kind: "string",
        default: "/tmp/vaultnomad",
        scope: "demo",
        description: "Host folder under which each stack keeps its Nomad data dir.",
    },
    dbCredsDefaultTtl: { kind: "string", default: "1h", scope: "demo", description: "Default TTL of the mongo database credentials." },
    dbCredsMaxTtl: { kind: "string", default: "24h", scope: "demo", description: "Maximum TTL of the mongo database credentials." },
    jobTimeoutSeconds: { kind: "integer", default: 600, scope: "demo", description: "How long to wait for a job's deployment." },

    vaultAddress: {
        kind: "string",
        default: "",
        scope: "external",
        env: "VAULT_ADDR",
        description: "Vault's address (default: $VAULT_ADDR).",
    },
    vaultToken: {
        kind: "string",
        default: "",
        scope: "external",
        env: "VAULT_TOKEN",
        secret: true,
        description: "Vault token with rights to configure auth methods, policies and mounts (default: $VAULT_TOKEN).",
    },
    vaultNamespace: {
        kind: "string",
        default: "",
        scope: "external",
        env: "VAULT_NAMESPACE",
        description: "Vault Enterprise namespace (default: $VAULT_NAMESPACE).",
    },
    vaultCaCertFile: {
        kind: "string",
        default: "",
        scope: "external",
        description: "File of the CA that signed Vault's certificate (the Vault provider reads files).",
    },
    vaultClientCertFile: {
        kind: "string",
        default: "",
        scope: "external",
        description: "File of a client certificate for Vault (mutual TLS).",
    },
    vaultClientKeyFile: { kind: "string", default: "", scope: "external", description: "File of the key of that client certificate." },
    vaultSkipTlsVerify: {
        kind: "boolean",
        default: false,
        scope: "external",
        description: "Do not verify Vault's certificate (testing only).",
    },
    nomadAddress: {
        kind: "string",
        default: "",
        scope: "external",
        env: "NOMAD_ADDR",
        description: "Nomad's address (default: $NOMAD_ADDR).",
    },
    nomadToken: {
        kind: "string",
        default: "",
        scope: "external",
        env: "NOMAD_TOKEN",
        secret: true,
        description: "Nomad management token, needed for workloads and the Nomad secrets engine (default: $NOMAD_TOKEN).",
    },
    nomadRegion: {
        kind: "string",
        default: "",
        scope: "external",
        env: "NOMAD_REGION",
        description: "Nomad region (default: $NOMAD_REGION).",
    },
    nomadCaPem: {
        kind: "string",
        default: "",
        scope: "external",
        verbatim: true,
        description: "PEM CA that signed Nomad's certificate; Vault gets it as jwks_ca_pem too.",
    },
    nomadClientCertPem: {
        kind: "string",
        default: "",
        scope: "external",
        verbatim: true,
        description: "PEM client certificate for Nomad (mutual TLS).",
    },
    nomadClientKeyPem: {
        kind: "string",
        default: "",
        scope: "external",
        verbatim: true,
        secret: true,
        description: "PEM key of the Nomad client certificate.",
    },
    nomadClustersLayout: {
        kind: "string",
        default: "mount-per-cluster",
        scope: "external",
        description:
            'With nomadClusters: "mount-per-cluster" (a JWT mount per cluster) or "jwks-pairs" (one mount trusting every cluster\'s JWKS).',
    },
    nomadSkipTlsVerify: {
        kind: "boolean",
        default: false,
        scope: "external",
        description: "Do not verify Nomad's certificate (testing only).",
    },

    jwtAuthPath: {
        kind: "string",
        default: "jwt-nomad",
        scope: "any",
        description: "Vault path of the JWT auth method for Nomad workload identities.",
    },
    jwtAuthDescription: { kind: "string", default: "", scope: "any", description: "Description of the JWT auth method's mount." },
    jwksUrl: {
        kind: "string",
        default: "",
        scope: "any",
        description: "JWKS URL as Vault reaches it (default: the demo agent's, or <nomadAddress>/.well-known/jwks.json).",
    },
    jwtValidationPubkeys: {
        kind: "string",
        default: "",
        scope: "any",
        description: "PEM public keys Vault validates identities with, instead of fetching a JWKS URL.",
    },
    jwtSupportedAlgs: {
        kind: "string",
        default: "RS256,EdDSA",
        scope: "any",
        description: "Signing algorithms Vault accepts from Nomad, comma-separated, in the order Vault keeps them.",
    },
    roleName: { kind: "string", default: "nomad-workloads", scope: "any", description: "The default JWT role for Nomad workloads." },
    policyName: { kind: "string", default: "nomad-workloads", scope: "any", description: "The templated policy of the default role." },
    mongoRoleName: {
        kind: "string",
        default: "mongo-dynamic-secret",
        scope: "demo",
        description: "The JWT role and policy of the mongo-query job.",
    },
    kvMount: { kind: "string", default: "kv", scope: "any", description: "Mount path of the KV v2 engine the templated policy grants." },
    createKvMount: {
        kind: "boolean",
        default: false,
        scope: "external",
        description: "Create the KV v2 mount at kvMount; leave false when it exists (workload secrets are then written into it).",
    },
    jobNamespace: { kind: "string", default: "default", scope: "demo", description: "Nomad namespace of the sample jobs." },
    audience: {
        kind: "string",
        default: "vault.io",
        scope: "any",
        description: "Audience of Nomad's default identity and the roles' bound audience.",
    },
    identityTtl: { kind: "string", default: "1h", scope: "any", description: "TTL of Nomad's default workload identity." },
    tokenPeriod: { kind: "string", default: "30m", scope: "any", description: "Period of the Vault tokens issued to Nomad tasks." },
    tokenTtl: { kind: "string", default: "", scope: "any", description: "Initial TTL of those tokens (default: the period)." },
    claimMappings: {
        kind: "string",
        default: "nomad_namespace,nomad_job_id,nomad_task",
        scope: "any",
        description:
            "Claims every role maps to alias metadata, comma-separated (claim, or claim=metadata); the templated policy reads nomad_namespace and nomad_job_id.",
    },

    nomadSecretsEngine: {
        kind: "boolean",
        default: false,
        scope: "any",
        description: "Also mount Vault's Nomad secrets engine, for short-lived Nomad tokens.",
    },
    nomadSecretsRole: {
        kind: "string",
        default: "nomad-operator",
        scope: "any",
        description: "Role of the Nomad secrets engine, and its Nomad ACL policy.",
    },

    readyTimeoutSeconds: {
        kind: "integer",
        default: 120,
        scope: "any",
        description: "How long to wait for Vault, Nomad, the JWKS and the ACL bootstrap.",
    },
    reviewBranch: { kind: "string", default: "", scope: "any", description: "Git branch of a review stack; the stack driver sets it." },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export function fq(key: string): string {
    return `${PROJECT}:${key}`;
}
