// loadSettings called directly: how keys are read and resolved, and each check's edges, without
// running the program (settings.test.ts runs it for the rejections' "nothing registered").
import * as assert from "assert";
import { ConfigError, loadSettings, Settings } from "../settings";
import { CONFIG_KEYS, KeySpec } from "../settings/keys";

const fq = (config: Record<string, string>) => Object.fromEntries(Object.entries(config).map(([k, v]) => [`vaultnomad:${k}`, v]));
const EXTERNAL = { mode: "external", vaultAddress: "https://v:8200", vaultToken: "t", nomadAddress: "https://n:4646" };
const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----";

const load = (config: Record<string, string>, stack = "dev", env: NodeJS.ProcessEnv = {}): Settings => loadSettings(fq(config), stack, env);

/** Every problem loadSettings reports for `config`; none when it accepts it. */
function problemsOf(config: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] {
    try {
        load(config, "dev", env);
        return [];
    } catch (err) {
        assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
        return err.problems;
    }
}

describe("settings, loaded", () => {
    describe("reading values", () => {
        it("trims whole numbers", () => {
            assert.strictEqual(load({ vaultPort: " 9200 " }).vaultPort, 9200);
        });
        it("trims booleans", () => {
            assert.strictEqual(load({ ...EXTERNAL, nomadSecretsEngine: " true ", nomadToken: "n" }).nomadSecretsEngine, true);
        });
        it("read a boolean set to false as false", () => {
            assert.strictEqual(load({ ...EXTERNAL, vaultSkipTlsVerify: " false " }).vault?.skipTlsVerify, false);
        });
        it("refuse a boolean with more around it", () => {
            assert.deepStrictEqual(problemsOf({ nomadSecretsEngine: "xtrue" }).concat(problemsOf({ nomadSecretsEngine: "falsey" })), [
                'vaultnomad:nomadSecretsEngine: "xtrue" is neither true nor false.',
                'vaultnomad:nomadSecretsEngine: "falsey" is neither true nor false.',
            ]);
        });
        it("trims text", () => {
            assert.strictEqual(load({ mongoImage: " mongo:7.0 " }).mongoImage, "mongo:7.0");
        });
        it("accept a set text key", () => {
            assert.strictEqual(load({ vaultImage: "hashicorp/vault:1.18.2" }).vaultImage, "hashicorp/vault:1.18.2");
        });
        it("accept an empty text key whose default is empty", () => {
            assert.strictEqual(load({ ...EXTERNAL, vaultNamespace: " " }).vault?.namespace, undefined);
        });
        it("take a key of the other mode left at its default as unset, as Pulumi.yaml fills it in", () => {
            assert.strictEqual(load({ ...EXTERNAL, vaultPort: "8200", hostDataDir: "/tmp/vaultnomad" }).mode, "external");
        });
    });

    describe("mode", () => {
        it("reports only itself when unknown", () => {
            assert.deepStrictEqual(problemsOf({ mode: "cloud" }), ['vaultnomad:mode: "cloud" is neither "demo" nor "external".']);
        });
    });

    describe("the demo's host", () => {
        it("reports an empty image once, as empty", () => {
            assert.deepStrictEqual(problemsOf({ nomadImage: "" }), [
                "vaultnomad:nomadImage: must not be empty. Fix: pulumi config set nomadImage hashicorp/nomad:2.0.5",
            ]);
        });
        it("refuses a data dir that climbs out from the root", () => {
            assert.deepStrictEqual(
                ["/../etc", "/..", "/tmp/.."].map((dir) => problemsOf({ hostDataDir: dir }).length),
                [1, 1, 1],
            );
        });
        it("accepts a data dir whose names merely contain two dots", () => {
            assert.deepStrictEqual([...problemsOf({ hostDataDir: "/tmp/..data" }), ...problemsOf({ hostDataDir: "/tmp/a..b" })], []);
        });
        it("refuses a data dir with a space", () => {
            assert.match(
                problemsOf({ hostDataDir: "/tmp/my data" })[0],
                /^vaultnomad:hostDataDir: "\/tmp\/my data" must be an absolute host path/,
            );
        });
        it("keeps each stack's Nomad data under the data dir, without doubled slashes", () => {
            assert.strictEqual(load({ hostDataDir: "/srv/data//" }).nomadDataDir, "/srv/data/vaultnomad-dev/nomad");
        });
    });

    describe("names", () => {
        it("prefix host names with the project and the stack, lower-case, other characters as -", () => {
            assert.strictEqual(load({}, "Team/Feature X").hostPrefix, "vaultnomad-team-feature-x");
        });
        it("refuse a KV mount with a slash, naming the key", () => {
            assert.deepStrictEqual(problemsOf({ kvMount: "secret/kv" }), [
                'vaultnomad:kvMount: "secret/kv" must be a Vault mount path without slashes, such as "kv".',
            ]);
        });
        it("refuse a role, policy or secrets role name Vault would refuse, naming the key", () => {
            const keys = ["roleName", "policyName", "mongoRoleName", "nomadSecretsRole"];
            assert.deepStrictEqual(
                keys.map((key) => problemsOf({ [key]: "-bad" })),
                keys.map((key) => [`vaultnomad:${key}: "-bad" must be a name of letters, digits, _, . and -.`]),
            );
        });
    });

    describe("lifetimes", () => {
        it("name each duration key they refuse", () => {
            const keys = ["identityTtl", "tokenPeriod", "tokenTtl", "dbCredsDefaultTtl", "dbCredsMaxTtl"];
            assert.deepStrictEqual(
                keys.map((key) => problemsOf({ [key]: "1h30" })[0]?.split(":")[1]),
                keys,
            );
        });
        it("accept a database default TTL equal to the max TTL", () => {
            assert.strictEqual(load({ dbCredsDefaultTtl: "24h" }).dbCredsDefaultTtlSeconds, 86400);
        });
        it("name both TTLs when the default is longer than the max", () => {
            assert.deepStrictEqual(problemsOf({ dbCredsDefaultTtl: "2h", dbCredsMaxTtl: "1h" }), [
                "vaultnomad:dbCredsDefaultTtl: 2h is longer than vaultnomad:dbCredsMaxTtl (1h); Vault would reject the role.",
            ]);
        });
        it("accept timeouts of 10 and 3600 seconds, the edges", () => {
            const settings = load({ readyTimeoutSeconds: "10", jobTimeoutSeconds: "3600" });
            assert.deepStrictEqual([settings.readyTimeoutSeconds, settings.jobTimeoutSeconds], [10, 3600]);
        });
        it("refuse timeouts of 9 and 3601 seconds", () => {
            assert.deepStrictEqual(problemsOf({ readyTimeoutSeconds: "9", jobTimeoutSeconds: "3601" }), [
                "vaultnomad:readyTimeoutSeconds: 9 is outside 10..3600 seconds.",
                "vaultnomad:jobTimeoutSeconds: 3601 is outside 10..3600 seconds.",
            ]);
        });
    });

    describe("how Vault validates identities", () => {
        it("takes a JWKS URL alone", () => {
            assert.strictEqual(load({ jwksUrl: "https://n:4646/.well-known/jwks.json" }).jwksUrl, "https://n:4646/.well-known/jwks.json");
        });
        it("takes static keys alone, and then no JWKS URL", () => {
            const settings = load({ jwtValidationPubkeys: PUBLIC_KEY });
            assert.deepStrictEqual([settings.jwtValidationPubkeys, settings.jwksUrl], [[PUBLIC_KEY], undefined]);
        });
        it("refuses a JWKS URL that is not http(s), naming the key", () => {
            assert.match(problemsOf({ jwksUrl: "ftp://n/jwks" })[0], /^vaultnomad:jwksUrl: "ftp:\/\/n\/jwks" is not an http\(s\) URL/);
        });
        it("defaults, in external mode, to Nomad's JWKS URL without a doubled slash", () => {
            assert.strictEqual(load({ ...EXTERNAL, nomadAddress: "https://n:4646/" }).jwksUrl, "https://n:4646/.well-known/jwks.json");
        });
    });

    describe("external mode", () => {
        it("says how to set a missing address, or which variable to export", () => {
            assert.ok(
                problemsOf({ mode: "external", vaultToken: "t", nomadAddress: "https://n:4646" }).includes(
                    "vaultnomad:vaultAddress: external mode needs Vault's address. Fix: pulumi config set vaultAddress …, or export VAULT_ADDR.",
                ),
            );
        });
        it("reads the usual environment variables for keys left unset", () => {
            const settings = load({ mode: "external" }, "prod", {
                VAULT_ADDR: "https://v:8200",
                VAULT_TOKEN: "t",
                NOMAD_ADDR: "https://n:4646",
            });
            assert.deepStrictEqual(
                [settings.vault?.address, settings.vault?.token, settings.nomad?.address],
                ["https://v:8200", "t", "https://n:4646"],
            );
        });
        it("are the fallback of external-mode keys only", () => {
            const withEnv = Object.entries(CONFIG_KEYS as Record<string, KeySpec>).filter(([, spec]) => spec.env);
            assert.deepStrictEqual(
                withEnv.filter(([, spec]) => spec.scope !== "external").map(([key]) => key),
                [],
            );
        });
        it("are read by external stacks only: a demo stack takes no Vault or Nomad from the environment", () => {
            const settings = load({}, "dev", {
                VAULT_ADDR: "https://v:8200",
                VAULT_TOKEN: "t",
                NOMAD_ADDR: "https://n:4646",
                NOMAD_TOKEN: "n",
            });
            assert.deepStrictEqual([settings.mode, settings.vault, settings.nomad], ["demo", undefined, undefined]);
        });
        it("refuses a Vault address that is not http(s), naming the key", () => {
            assert.deepStrictEqual(problemsOf({ ...EXTERNAL, vaultAddress: "v:8200" }), [
                'vaultnomad:vaultAddress: "v:8200" is not an http(s) URL such as https://vault.example.com:8200.',
            ]);
        });
        it("drops trailing slashes from the addresses", () => {
            const settings = load({ ...EXTERNAL, vaultAddress: "https://v:8200//", nomadAddress: "https://n:4646//" });
            assert.deepStrictEqual([settings.vault?.address, settings.nomad?.address], ["https://v:8200", "https://n:4646"]);
        });
        it("leaves unset optional endpoint fields undefined, and TLS verification on", () => {
            const { vault, nomad } = load(EXTERNAL);
            assert.deepStrictEqual(
                [vault, nomad],
                [
                    {
                        address: "https://v:8200",
                        token: "t",
                        namespace: undefined,
                        caCertFile: undefined,
                        clientCertFile: undefined,
                        clientKeyFile: undefined,
                        skipTlsVerify: false,
                    },
                    {
                        address: "https://n:4646",
                        token: "",
                        region: undefined,
                        caPem: undefined,
                        clientCertPem: undefined,
                        clientKeyPem: undefined,
                        skipTlsVerify: false,
                    },
                ],
            );
        });
        it("passes the set optional endpoint fields, and TLS verification off when asked", () => {
            const { vault, nomad } = load({
                ...EXTERNAL,
                vaultNamespace: "team",
                vaultSkipTlsVerify: "true",
                nomadRegion: "eu",
                nomadSkipTlsVerify: "true",
            });
            assert.deepStrictEqual(
                [vault?.namespace, vault?.skipTlsVerify, nomad?.region, nomad?.skipTlsVerify],
                ["team", true, "eu", true],
            );
        });
    });
});
