// The checks' fixes and titles as vaultnomad-verify says them of a cluster this program did not set up:
// each stack phrasing (the driver, pulumi config, the demo's containers) in the words of Vault's and
// Nomad's own commands. The stack phrasings are the checks' own fixes.
import * as assert from "assert";
import { clusterFix, clusterTitle } from "../verify/clusterWording";

const APPLY = "apply your Vault setup again (nomad setup vault, your Terraform, …)";

describe("verify: the checks' words for a cluster set up without this program", () => {
    describe("clusterFix", () => {
        const cases: Array<[string, string, string]> = [
            [
                "a role written back by the driver, as a vault write of every field",
                "npm run stack -- refresh, then up, to write the declared role back.",
                "vault write the whole role from your declared state (every field).",
            ],
            [
                "a role refreshed in brackets",
                "Write the whole role again (npm run stack -- refresh, then up); the role check lists the fields that differ.",
                "Write the whole role again (vault write the role with every field); the role check lists the fields that differ.",
            ],
            [
                "the policy rendered from the live accessor",
                "npm run stack -- up renders the policy from the live accessor.",
                "Render the policy with the mount's current accessor (vault auth list -detailed) and vault policy write it.",
            ],
            [
                "the agents' vault block from the stack's outputs",
                "Add the vault block (npm run stack -- outputs: nomadServerVaultConfig / nomadClientVaultConfig) to every agent and restart it.",
                "Add the vault block (enabled, and on servers default_identity with the role's audience) to every agent and restart it.",
            ],
            [
                "Nomad's CA for the JWT mount",
                'Set Nomad\'s CA: pulumi config set nomadCaPem -- "$(cat nomad-ca.pem)", then `npm run stack -- up`.',
                `Set Nomad's CA: vault write auth/<mount>/config jwks_ca_pem=@nomad-ca.pem (with its other fields), then ${APPLY}.`,
            ],
            [
                "verify's own TLS files",
                "pulumi config set nomadCaPem / nomadClientCertPem / nomadClientKeyPem for the cluster's TLS.",
                "Pass NOMAD_CACERT, NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY (or the flags) for the cluster's TLS.",
            ],
            [
                "the audience on both sides",
                "Set the same audience on both: pulumi config set audience <aud>, then `npm run stack -- up`.",
                `Set the same audience on both: vault.default_identity.aud on the servers and bound_audiences on the role, then ${APPLY}.`,
            ],
            [
                "the JWKS URL of the mount's config",
                "Correct jwksUrl (or nomadHttpPort), then `npm run stack -- up`.",
                `Correct jwks_url of auth/<mount>/config, then ${APPLY}.`,
            ],
            [
                "the agents' JWT path",
                "Mount it (then `npm run stack -- up`), or set jwtAuthPath to the mount the agents use.",
                `Mount it (${APPLY}), or set vault.jwt_auth_backend_path on the agents to the mount.`,
            ],
            [
                "a sealed Vault restarted from its storage",
                "Unseal it (vault operator unseal), or recreate it: pulumi up --replace <vault container URN>.",
                "Unseal it (vault operator unseal), or recreate it: restart it from its storage.",
            ],
            [
                "a Nomad token bootstrapped again",
                "pulumi up --replace <nomad-acl-bootstrap URN> bootstraps the current agent again.",
                "Use a valid Nomad token (NOMAD_TOKEN or --nomad-token).",
            ],
            [
                "the probe's Nomad token",
                "Use a management token (NOMAD_TOKEN, or the stack's nomadToken output); a stale stack token is renewed by `npm run stack -- up`.",
                "Use a management token (NOMAD_TOKEN, or --nomad-token) whose policy can submit the probe job (docs/verify.md).",
            ],
            [
                "a Vault container that stopped",
                "docker ps -a; docker logs <stack>-vault; then `npm run stack -- up`.",
                "vault status; the Vault service's logs say why.",
            ],
            [
                "the Vault service's logs that show why",
                "Wait and run verify again; docker logs <stack>-vault shows why.",
                "Wait and run verify again; the vault service's logs show why.",
            ],
            [
                "the Nomad service's logs",
                "docker logs <stack>-nomad; a dev agent elects itself within seconds of starting.",
                "the nomad service's logs; a dev agent elects itself within seconds of starting.",
            ],
            ["the driver after a colon", "Create it: then `npm run stack -- up`.", `Create it: ${APPLY}.`],
            [
                "the driver after a comma",
                "Point jwksUrl at an address Vault's network reaches, then `npm run stack -- up`.",
                `Point jwksUrl at an address Vault's network reaches, then ${APPLY}.`,
            ],
            [
                "the driver run after a check of the port, without the stack's port setting",
                "jwks_url must be <nomad address>/.well-known/jwks.json; check the port (nomadHttpPort) and run `npm run stack -- up`.",
                `jwks_url must be <nomad address>/.well-known/jwks.json; check the port and ${APPLY}.`,
            ],
            ["the driver alone", "npm run stack -- up", APPLY],
            [
                "the driver in backquotes, mid-sentence",
                "Fix the mount with `npm run stack -- up` first.",
                `Fix the mount with ${APPLY} first.`,
            ],
            [
                "the probe by the bin's name",
                "verify --probe (runs a short probe job for a real identity)",
                "vaultnomad-verify --probe (runs a short probe job for a real identity)",
            ],
            [
                "the probe's name only at the start",
                "Run vaultnomad-verify --probe (runs a short probe job)",
                "Run vaultnomad-verify --probe (runs a short probe job)",
            ],
            [
                "a token with verify's Nomad policy, not a management token",
                "NOMAD_TOKEN=<management token> in the environment",
                "NOMAD_TOKEN=<a token with verify's Nomad policy, docs/verify.md> in the environment",
            ],
            [
                "no word of the demo's shared network, and no space left before the comma",
                "Point jwks_url at an address Vault's network reaches (here both containers use the host's network), then `npm run stack -- up`.",
                `Point jwks_url at an address Vault's network reaches, then ${APPLY}.`,
            ],
            [
                "a fix without stack words as it is, trimmed",
                "  Sync the hosts' clocks (chrony/NTP).  ",
                "Sync the hosts' clocks (chrony/NTP).",
            ],
            ["one space where several were", "Sync  the   clocks", "Sync the clocks"],
            [
                "no space, nor several, before a full stop, semicolon or bracket",
                "Sync it  . Then ; check (this )",
                "Sync it. Then; check (this)",
            ],
        ];
        for (const [what, stack, cluster] of cases) {
            it(`says ${what}`, () => {
                assert.strictEqual(clusterFix(stack), cluster);
            });
        }
    });

    describe("clusterTitle", () => {
        it("asks of the Nomad token only that it is valid", () => {
            assert.strictEqual(clusterTitle("The stack's Nomad token is a valid management token"), "The Nomad token is valid");
        });
        it("compares the role with what --expect declares", () => {
            assert.strictEqual(
                clusterTitle("The role in Vault means what the stack declares"),
                "The role in Vault means what --expect declares",
            );
        });
    });
});

describe("a fix, said of a cluster", () => {
    it("speaks of the cluster's own setup instead of the stack's", () => {
        assert.strictEqual(
            clusterFix("Restore the role (npm run stack -- refresh, then up)."),
            "Restore the role (vault write the role with every field).",
        );
    });
    it("leaves no blank before the punctuation a removed stack phrase was followed by", () => {
        assert.strictEqual(clusterFix("Correct jwksUrl (or nomadHttpPort) (nomadHttpPort) ."), "Correct jwks_url of auth/<mount>/config.");
    });
    it("closes the gap a removed stack phrase leaves between words", () => {
        assert.strictEqual(
            clusterFix("Both agents run (here both containers use the host's network) on one host."),
            "Both agents run on one host.",
        );
    });
    it("leaves no blank at the ends where a stack phrase was", () => {
        assert.strictEqual(clusterFix("(nomadHttpPort) Check the address"), "Check the address");
    });
});

describe("a check's title, said of a cluster", () => {
    it("asks for a valid Nomad token, not the stack's management token", () => {
        assert.strictEqual(clusterTitle("The stack's Nomad token is a valid management token"), "The Nomad token is valid");
    });
    it("compares with what --expect declares", () => {
        assert.strictEqual(clusterTitle("The role is what the stack declares"), "The role is what --expect declares");
    });
});
