// adopt's decisions on the JWT mount, its config, the default role and the templated policy, on
// facts built by hand: the keys that say what the cluster holds, and each refusal, word for word.
import * as assert from "assert";
import { describeDifference, differences } from "../adopt/fields";
import { identityDifferences, identityKeys, identityRefusals, mountRefusals, policyComparison } from "../adopt/identity";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { clusterFacts, clusterSettings, JWKS_URL } from "./adoptFacts";
import { ACCESSOR } from "./fakeStack";

const PUBKEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----";
const CA = "-----BEGIN CERTIFICATE-----\nMIIBnomadCA\n-----END CERTIFICATE-----\n";

const reasons = (refusals: Array<{ subject: string; reason: string }>) => refusals.map((r) => `${r.subject}: ${r.reason}`);
const fixes = (refusals: Array<{ fix: string }>) => refusals.map((r) => r.fix);

describe("adopt's decisions: the identity", () => {
    describe("the JWT mount", () => {
        it("is the one the agents log in at, whatever slashes surround it", () => {
            const refusalsFor = (path: string) =>
                mountRefusals(clusterFacts({ jwtMounts: ["jwt-nomad", "jwt-old"], agentVault: { JWTAuthBackendPath: path } }));
            assert.deepStrictEqual([refusalsFor("jwt-nomad//"), refusalsFor("//jwt-nomad"), refusalsFor("/jwt-nomad/")], [[], [], []]);
        });
        it("is one mounted under a nested path, whose inner slash stays", () => {
            const facts = clusterFacts({ jwtMounts: ["nomad/jwt", "jwt-old"], agentVault: { JWTAuthBackendPath: "/nomad/jwt/" } });
            assert.deepStrictEqual(mountRefusals(facts), []);
        });
        it("is the only one when the agents name none", () => {
            assert.deepStrictEqual(mountRefusals(clusterFacts({ agentVault: undefined })), []);
        });
        it("is --auth-path's, among several", () => {
            assert.deepStrictEqual(
                mountRefusals(clusterFacts({ jwtMounts: ["jwt-nomad", "jwt-old"], agentVault: undefined }), "jwt-old"),
                [],
            );
        });
        it("refuses a cluster without a JWT mount", () => {
            assert.deepStrictEqual(mountRefusals(clusterFacts({ jwtMounts: [] })), [
                {
                    subject: "sys/auth",
                    reason: "Vault has no JWT auth method for Nomad's identities.",
                    fix: "Adopt a cluster that has one; `npm run stack -- up` in external mode creates one.",
                },
            ]);
        });
        it("refuses when Vault has not read its mounts", () => {
            assert.strictEqual(mountRefusals(clusterFacts({ jwtMounts: undefined }))[0].subject, "sys/auth");
        });
        it("refuses agents that log in where no JWT method is mounted", () => {
            assert.deepStrictEqual(mountRefusals(clusterFacts({ agentVault: { JWTAuthBackendPath: "jwt-gone" } })), [
                {
                    subject: "the agents' jwt_auth_backend_path jwt-gone/",
                    reason: "no JWT auth method is mounted there (JWT mounts in Vault: [jwt-nomad]).",
                    fix: "Pass --auth-path <mount> with the mount the agents should log in at.",
                },
            ]);
        });
        it("refuses an --auth-path where no JWT method is mounted, over the agents' word", () => {
            assert.strictEqual(
                reasons(mountRefusals(clusterFacts(), "jwt-gone"))[0],
                "--auth-path jwt-gone/: no JWT auth method is mounted there (JWT mounts in Vault: [jwt-nomad]).",
            );
        });
        it("refuses two mounts and no agent to choose, saying why the agents did not", () => {
            const facts = clusterFacts({
                jwtMounts: ["jwt-nomad", "jwt-old"],
                agentVault: undefined,
                agentsUnread: "agent/self: not read",
            });
            assert.deepStrictEqual(mountRefusals(facts), [
                {
                    subject: "sys/auth",
                    reason: "JWT mounts in Vault: [jwt-nomad, jwt-old], and no agent's vault block names jwt_auth_backend_path to choose between them (agent/self: not read).",
                    fix: "Pass --auth-path <mount>, or run adopt with a NOMAD_TOKEN that may read agent/self (agent:read).",
                },
            ]);
        });
        it("refuses two mounts whose agents name none, with nothing more to say", () => {
            assert.match(
                reasons(mountRefusals(clusterFacts({ jwtMounts: ["jwt-nomad", "jwt-old"], agentVault: { JWTAuthBackendPath: "" } })))[0],
                /to choose between them\.$/,
            );
        });
    });

    describe("the keys", () => {
        it("say what a cluster of nomad setup vault holds", () => {
            assert.deepStrictEqual(
                [identityKeys(clusterFacts(), {}), identityRefusals(clusterFacts())],
                [
                    {
                        mode: "external",
                        vaultAddress: "https://vault.example.com:8200",
                        nomadAddress: "https://nomad.example.com:4646",
                        jwtAuthPath: "jwt-nomad",
                        jwksUrl: JWKS_URL,
                        jwtSupportedAlgs: "EdDSA,RS256",
                        roleName: "nomad-workloads",
                        policyName: "nomad-workloads",
                        kvMount: "secret",
                        audience: "vault.io",
                        identityTtl: "1h",
                        tokenPeriod: "30m",
                        claimMappings: "nomad_job_id,nomad_namespace,nomad_task",
                    },
                    [],
                ],
            );
        });
        it("name Vault's namespace, its TLS files, the skipping of verification, Nomad's region and client certificate", () => {
            const facts = clusterFacts({
                connection: {
                    ...clusterFacts().connection,
                    vaultNamespace: "platform",
                    vaultSkipVerify: true,
                    nomadRegion: "eu",
                    nomadClientCertPem: CA,
                    nomadSkipVerify: true,
                },
            });
            const keys = identityKeys(facts, {
                caCert: "/etc/vault/ca.pem",
                clientCert: "/etc/vault/client.pem",
                clientKey: "/etc/vault/client.key",
            });
            assert.deepStrictEqual(
                [
                    keys.vaultNamespace,
                    keys.vaultCaCertFile,
                    keys.vaultClientCertFile,
                    keys.vaultClientKeyFile,
                    keys.vaultSkipTlsVerify,
                    keys.nomadRegion,
                    keys.nomadClientCertPem,
                    keys.nomadSkipTlsVerify,
                ],
                ["platform", "/etc/vault/ca.pem", "/etc/vault/client.pem", "/etc/vault/client.key", true, "eu", CA, true],
            );
        });
        it("name a client certificate without its key as such, for the settings to refuse", () => {
            assert.strictEqual(identityKeys(clusterFacts(), { clientCert: "/etc/vault/client.pem" }).vaultClientKeyFile, "");
        });
        it("say static keys, and then no JWKS URL", () => {
            const keys = identityKeys(
                clusterFacts({ authConfig: { ...clusterFacts().authConfig, jwt_validation_pubkeys: [PUBKEY, PUBKEY] } }),
                {},
            );
            assert.deepStrictEqual([keys.jwtValidationPubkeys, keys.jwksUrl], [`${PUBKEY}\n${PUBKEY}`, undefined]);
        });
        it("say the mount's description, Nomad's CA as Vault holds it, and the tokens' TTL", () => {
            const facts = clusterFacts({
                mount: { accessor: ACCESSOR, description: "JWT auth backend for Nomad", local: false },
                authConfig: { ...clusterFacts().authConfig, jwks_ca_pem: CA },
                role: { ...clusterFacts().role, token_ttl: 900 },
                connection: { ...clusterFacts().connection, nomadCaPem: CA },
            });
            const [keys, refusals] = [identityKeys(facts, {}), identityRefusals(facts)];
            assert.deepStrictEqual(
                [keys.jwtAuthDescription, keys.nomadCaPem, keys.tokenTtl, refusals],
                ["JWT auth backend for Nomad", CA, "15m", []],
            );
        });
        it("leave out what the cluster does not say", () => {
            const facts = clusterFacts({
                authConfig: { default_role: "nomad-workloads" },
                role: { ...clusterFacts().role, claim_mappings: null, bound_audiences: null },
                agentVault: undefined,
                policyText: "",
            });
            const keys = identityKeys(facts, {});
            assert.deepStrictEqual(
                ["jwksUrl", "jwtValidationPubkeys", "jwtSupportedAlgs", "claimMappings", "audience", "identityTtl", "kvMount"].filter(
                    (key) => key in keys,
                ),
                [],
            );
        });
    });

    describe("refuses, before loading the keys", () => {
        const refusalsOf = (changes: Parameters<typeof clusterFacts>[0]) => reasons(identityRefusals(clusterFacts(changes)));
        const fixOf = (changes: Parameters<typeof clusterFacts>[0]) => fixes(identityRefusals(clusterFacts(changes)));

        it("each with its fix", () => {
            const connection = { ...clusterFacts().connection, nomadCaPem: CA };
            assert.deepStrictEqual(
                [
                    fixOf({ mount: { accessor: ACCESSOR, description: "", local: true } }),
                    fixOf({ authConfig: { ...clusterFacts().authConfig, default_role: "" } }),
                    fixOf({ role: undefined }),
                    fixOf({ policyName: "", policyText: undefined }),
                    fixOf({ role: { ...clusterFacts().role, token_period: 0 } }),
                    fixOf({ policyText: "# empty\n" }),
                    fixOf({ kvMounts: { secret: "1" } }),
                    fixOf({ connection }),
                    fixOf({ agentVault: { DefaultIdentity: { Audience: ["nomad.io"] } } }),
                ],
                [
                    ["Adopt a replicated mount, or keep this one out of the program."],
                    ["vault write auth/jwt-nomad/config default_role=<role> (with its other fields), then adopt again."],
                    ["Create it (nomad setup vault does), or name an existing one as default_role."],
                    ["Give the role the templated policy of docs/external.md (nomad setup vault's), then adopt again."],
                    ["vault write auth/jwt-nomad/role/nomad-workloads token_period=30m (with its other fields)."],
                    ["Give the role the templated policy of docs/external.md."],
                    ["Grant a KV v2 mount, or upgrade this one (vault kv enable-versioning)."],
                    ["Adopt with the CA Vault has as jwks_ca_pem, or write NOMAD_CACERT's CA as jwks_ca_pem first."],
                    ["Give both one audience (vaultnomad-verify names the mismatch), then adopt again."],
                ],
            );
        });
        it("nothing of a cluster read without its mount's entry and config but that it has no default role", () => {
            assert.deepStrictEqual(refusalsOf({ mount: undefined, authConfig: undefined }), [
                "auth/jwt-nomad/config: names no default_role: the program's default role is the mount's default, which jobs without vault.role log in with.",
            ]);
        });

        it("a mount local to this Vault cluster", () => {
            assert.deepStrictEqual(refusalsOf({ mount: { accessor: ACCESSOR, description: "", local: true } }), [
                "the mount jwt-nomad/: is local to this Vault cluster (local = true), which the program cannot express: it mounts replicated methods.",
            ]);
        });
        it("a config without a default role", () => {
            assert.deepStrictEqual(refusalsOf({ authConfig: { ...clusterFacts().authConfig, default_role: "" } }), [
                "auth/jwt-nomad/config: names no default_role: the program's default role is the mount's default, which jobs without vault.role log in with.",
            ]);
        });
        it("a default role that does not exist", () => {
            assert.deepStrictEqual(refusalsOf({ role: undefined }), [
                "auth/jwt-nomad/role/nomad-workloads: the mount's default role does not exist.",
            ]);
        });
        it("a role without a templated policy", () => {
            assert.deepStrictEqual(refusalsOf({ policyName: "", policyText: undefined }), [
                "auth/jwt-nomad/role/nomad-workloads: none of its token_policies [nomad-workloads] is a templated policy (naming an auth_jwt_ accessor).",
            ]);
        });
        it("a role with several token policies, none templated, naming each", () => {
            const role = { ...clusterFacts().role, token_policies: ["nomad-workloads", "shared-read"] };
            assert.deepStrictEqual(refusalsOf({ policyName: "", policyText: undefined, role }), [
                "auth/jwt-nomad/role/nomad-workloads: none of its token_policies [nomad-workloads, shared-read] is a templated policy (naming an auth_jwt_ accessor).",
            ]);
        });
        it("a role with no token policies at all", () => {
            assert.deepStrictEqual(
                refusalsOf({ policyName: "", policyText: undefined, role: { ...clusterFacts().role, token_policies: null } }),
                [
                    "auth/jwt-nomad/role/nomad-workloads: none of its token_policies [] is a templated policy (naming an auth_jwt_ accessor).",
                ],
            );
        });
        it("a role whose tokens are not periodic", () => {
            assert.deepStrictEqual(refusalsOf({ role: { ...clusterFacts().role, token_period: 0 } }), [
                "auth/jwt-nomad/role/nomad-workloads: token_period is 0: the program issues periodic tokens, which Nomad renews for as long as a task runs.",
            ]);
        });
        it("the KV mount of a policy written with more space between its words", () => {
            const keys = identityKeys(
                clusterFacts({ policyText: renderWorkloadsPolicy(ACCESSOR, "secret").replace(/path "/g, 'path  "') }),
                {},
            );
            assert.strictEqual(keys.kvMount, "secret");
        });
        it("a templated policy that grants no path", () => {
            assert.deepStrictEqual(refusalsOf({ policyText: "# empty\n" }), [
                "sys/policies/acl/nomad-workloads: grants no path, so it is not the templated policy.",
            ]);
        });
        it("a KV mount of version 1", () => {
            assert.deepStrictEqual(refusalsOf({ kvMounts: { secret: "1" } }), [
                "the KV mount secret/: is KV version 1, but the templated policy grants KV v2 paths (data/, metadata/).",
            ]);
        });
        it("no KV mount at all is no refusal: adopt says so", () => {
            assert.deepStrictEqual(refusalsOf({ kvMounts: {} }), []);
        });
        it("a Nomad reached with a CA that Vault does not hold", () => {
            const connection = { ...clusterFacts().connection, nomadCaPem: CA };
            assert.deepStrictEqual(
                [
                    refusalsOf({ connection }),
                    refusalsOf({ connection, authConfig: { ...clusterFacts().authConfig, jwks_ca_pem: CA.replace("nomadCA", "otherCA") } }),
                ],
                [
                    [
                        "auth/jwt-nomad/config: jwks_ca_pem is empty, but Nomad is reached with NOMAD_CACERT: the program gives Vault the CA it reaches Nomad with (nomadCaPem).",
                    ],
                    [
                        "auth/jwt-nomad/config: jwks_ca_pem is another CA than NOMAD_CACERT: the program gives Vault the CA it reaches Nomad with (nomadCaPem).",
                    ],
                ],
            );
        });
        it("the same CA, whatever surrounds it", () => {
            assert.deepStrictEqual(
                refusalsOf({
                    connection: { ...clusterFacts().connection, nomadCaPem: `\n${CA}\n` },
                    authConfig: { ...clusterFacts().authConfig, jwks_ca_pem: CA },
                }),
                [],
            );
        });
        it("agents that sign for another audience than the role binds", () => {
            assert.deepStrictEqual(
                refusalsOf({ agentVault: { JWTAuthBackendPath: "jwt-nomad", DefaultIdentity: { Audience: ["nomad.io", "other"] } } }),
                [
                    "the agents' default_identity: signs for [nomad.io, other], but role nomad-workloads binds [vault.io]: jobs cannot log in today.",
                ],
            );
        });
        it("a role that binds several audiences, none the agents', naming each", () => {
            const role = { ...clusterFacts().role, bound_audiences: ["vault.io", "consul.io"] };
            assert.deepStrictEqual(
                refusalsOf({ role, agentVault: { JWTAuthBackendPath: "jwt-nomad", DefaultIdentity: { Audience: ["nomad.io"] } } }),
                [
                    "the agents' default_identity: signs for [nomad.io], but role nomad-workloads binds [vault.io, consul.io]: jobs cannot log in today.",
                ],
            );
        });
        it("no audience check where the agents sign none", () => {
            assert.deepStrictEqual(refusalsOf({ agentVault: { JWTAuthBackendPath: "jwt-nomad", DefaultIdentity: null } }), []);
        });
    });

    describe("held against what the program writes", () => {
        const held = async (changes: Parameters<typeof clusterFacts>[0]) => {
            const facts = clusterFacts(changes);
            return identityDifferences(facts, clusterSettings(identityKeys(facts, {})));
        };

        it("find nothing on the cluster as it is", async () => {
            assert.deepStrictEqual(await held({}), { refusals: [], changes: [] });
        });
        it("refuse a config field no key says, naming it, its value and what the program writes", async () => {
            const { refusals } = await held({ authConfig: { ...clusterFacts().authConfig, oidc_discovery_url: "https://issuer" } });
            assert.deepStrictEqual(refusals, [
                {
                    subject: "auth/jwt-nomad/config",
                    reason: 'oidc_discovery_url is "https://issuer", where the program leaves it unset (null): no configuration key says it.',
                    fix: "Adopt once Vault holds what the program writes (vault write auth/jwt-nomad/config …), or keep this mount out of the program.",
                },
            ]);
        });
        it("refuse a role field no key says", async () => {
            const { refusals } = await held({ role: { ...clusterFacts().role, user_claim: "/nomad_namespace" } });
            assert.deepStrictEqual(refusals, [
                {
                    subject: "auth/jwt-nomad/role/nomad-workloads",
                    reason: 'user_claim is "/nomad_namespace", where the program writes "/nomad_job_id": no configuration key says it.',
                    fix: "Adopt once the role holds what the program writes (vault write auth/jwt-nomad/role/nomad-workloads …, every field), or keep it out of the program.",
                },
            ]);
        });
        it("take the templated policy in other words as a change of its text", async () => {
            const { refusals, changes } = await held({ policyText: renderWorkloadsPolicy(ACCESSOR, "secret").replace(/\n {2}/g, "\n") });
            assert.deepStrictEqual(
                [refusals, changes],
                [
                    [],
                    [
                        "the policy nomad-workloads: the same grants in other words; the first `up` writes the program's text (preview shows it as an update)",
                    ],
                ],
            );
        });
        it("refuse a policy that grants something else", async () => {
            const { refusals } = await held({ policyText: renderWorkloadsPolicy(ACCESSOR, "secret").replace('"list"', '"read"') });
            assert.deepStrictEqual(refusals, [
                {
                    subject: "sys/policies/acl/nomad-workloads",
                    reason: "is not the templated policy the program writes for secret/ and the mount's accessor auth_jwt_d34481ad: it grants other paths or capabilities.",
                    fix: "Adopt once the policy is the templated one (docs/external.md), or keep it out of the program.",
                },
            ]);
        });
    });

    describe("a policy's text against the program's", () => {
        const program = renderWorkloadsPolicy(ACCESSOR, "kv");
        it("is the same only to the byte", async () => {
            assert.deepStrictEqual(
                [await policyComparison(program, program), await policyComparison(`${program}\n`, program)],
                ["same", "other text"],
            );
        });
        it("holds the same grants in any order", async () => {
            assert.strictEqual(await policyComparison(program.split("\n\n").reverse().join("\n\n"), program), "other text");
        });
        it("holds the same grants with capabilities in any order", async () => {
            const stanza = (capabilities: string) => `path "kv/data/a" {\n  capabilities = [${capabilities}]\n}\n`;
            assert.strictEqual(await policyComparison(stanza('"read", "list"'), stanza('"list", "read"')), "other text");
        });
        it("holds other grants where a capability moves to another path", async () => {
            const policy = (a: string, b: string) =>
                `path "kv/data/a" {\n  capabilities = [${a}]\n}\npath "kv/data/b" {\n  capabilities = [${b}]\n}\n`;
            assert.strictEqual(
                await policyComparison(policy('"read", "list"', '"read"'), policy('"read"', '"read", "list"')),
                "other grants",
            );
        });
        it("holds other grants with one capability more", async () => {
            assert.strictEqual(await policyComparison(program.replace('["list"]', '["list", "read"]'), program), "other grants");
        });
        it("holds other grants when it does not parse", async () => {
            assert.strictEqual(await policyComparison('path "kv/data/x" {', program), "other grants");
        });
    });

    describe("fields by meaning", () => {
        it("find nothing where Vault holds what the program leaves unset, of any type", () => {
            assert.deepStrictEqual(
                differences(
                    {
                        a: null,
                        b: "",
                        c: 0,
                        d: false,
                        e: [],
                        f: {},
                        bound_claims_type: "string",
                        clock_skew_leeway: 60,
                        namespace_in_state: true,
                    },
                    {},
                ),
                [],
            );
        });
        it("name a field set where the program sets none, and a default that differs", () => {
            assert.deepStrictEqual(differences({ token_num_uses: 3, expiration_leeway: 0, a: true }, {}), [
                { field: "token_num_uses", vault: 3, program: undefined },
                { field: "expiration_leeway", vault: 0, program: undefined },
                { field: "a", vault: true, program: undefined },
            ]);
        });
        it("compare what the program sets by meaning: durations as seconds, sets as sets", () => {
            assert.deepStrictEqual(
                differences({ token_period: 1800, token_policies: ["b", "a"] }, { token_period: "30m", token_policies: ["a", "b"] }),
                [],
            );
        });
        it("say a difference with both values, and Vault's default for a field left unset", () => {
            assert.deepStrictEqual(
                [
                    describeDifference({ field: "token_ttl", vault: 60, program: 0 }),
                    describeDifference({ field: "clock_skew_leeway", vault: 0, program: undefined }),
                    describeDifference({ field: "bound_subject", vault: "x", program: undefined }),
                    describeDifference({ field: "bound_claims", vault: undefined, program: { a: "b" } }),
                ],
                [
                    "token_ttl is 60, where the program writes 0",
                    "clock_skew_leeway is 0, where the program leaves it unset (60)",
                    'bound_subject is "x", where the program leaves it unset (null)',
                    'bound_claims is null, where the program writes {"a":"b"}',
                ],
            );
        });
    });
});
