// The checks' titles and fixes speak of the stack and its tools (the driver, pulumi config, the
// demo's containers). A cluster verified with vaultnomad-verify was set up otherwise (nomad setup
// vault, Terraform, by hand): there the same check is said of the cluster, and the same fix with
// Vault's and Nomad's own commands.

const APPLY = "apply your Vault setup again (nomad setup vault, your Terraform, …)";

/** Stack phrasing → cluster phrasing, most specific first. */
const REWRITES: Array<[RegExp, string]> = [
    [
        /npm run stack -- refresh, then up,? (to write the declared role back)?/,
        "vault write the whole role from your declared state (every field) ",
    ],
    [/\(npm run stack -- refresh, then up\)/, "(vault write the role with every field)"],
    [
        /npm run stack -- up renders the policy from the live accessor\./,
        "Render the policy with the mount's current accessor (vault auth list -detailed) and vault policy write it.",
    ],
    [/\(npm run stack -- outputs: [^)]*\)/, "(enabled, and on servers default_identity with the role's audience)"],
    [
        /pulumi config set nomadCaPem -- "\$\(cat nomad-ca\.pem\)"/,
        "vault write auth/<mount>/config jwks_ca_pem=@nomad-ca.pem (with its other fields)",
    ],
    [
        /pulumi config set nomadCaPem \/ nomadClientCertPem \/ nomadClientKeyPem/,
        "Pass NOMAD_CACERT, NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY (or the flags)",
    ],
    [/pulumi config set audience <aud>/, "vault.default_identity.aud on the servers and bound_audiences on the role"],
    [/Correct jwksUrl \(or nomadHttpPort\)/, "Correct jwks_url of auth/<mount>/config"],
    [/set jwtAuthPath to the mount the agents use/, "set vault.jwt_auth_backend_path on the agents to the mount"],
    [/pulumi up --replace <vault container URN>/, "restart it from its storage"],
    [
        /pulumi up --replace <nomad-acl-bootstrap URN> bootstraps the current agent again\./,
        "Use a valid Nomad token (NOMAD_TOKEN or --nomad-token).",
    ],
    [
        /NOMAD_TOKEN, or the stack's nomadToken output\); a stale stack token is renewed by `npm run stack -- up`/,
        "NOMAD_TOKEN, or --nomad-token) whose policy can submit the probe job (docs/verify.md)",
    ],
    [/docker ps -a; docker logs <stack>-vault; then `npm run stack -- up`\./, "vault status; the Vault service's logs say why."],
    [/docker logs <stack>-(vault|nomad) shows why/, "the $1 service's logs show why"],
    [/docker logs <stack>-(vault|nomad)/, "the $1 service's logs"],
    [/: then `npm run stack -- up`/, `: ${APPLY}`],
    [/\(then `npm run stack -- up`\)/, `(${APPLY})`],
    [/(?:, )?then `npm run stack -- up`/, `, then ${APPLY}`],
    [/(?:and )?run `npm run stack -- up`/, `and ${APPLY}`],
    [/`?npm run stack -- up`?/, APPLY],
    [/^verify --probe/, "vaultnomad-verify --probe"],
    [/NOMAD_TOKEN=<management token>/, "NOMAD_TOKEN=<a token with verify's Nomad policy, docs/verify.md>"],
    [/\(nomadHttpPort\)/, ""],
    [/\(here both containers use the host's network\)/, ""],
];

/** A check's title as it reads for a cluster: its token need not be a management token, its declared role is --expect's. */
export function clusterTitle(title: string): string {
    return title
        .replace("The stack's Nomad token is a valid management token", "The Nomad token is valid")
        .replace("what the stack declares", "what --expect declares");
}

/** A fix (or what would run a skipped check) as it reads for a cluster set up without this program. */
export function clusterFix(fix: string): string {
    return REWRITES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), fix)
        .replace(/\s+([.,;)])/g, "$1")
        .replace(/\s{2,}/g, " ")
        .trim();
}
