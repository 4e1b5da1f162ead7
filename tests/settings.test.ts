// Configuration: defaults, the checks that reject bad values before anything is created, and
// the names that keep two stacks apart on one host.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { portsOf } from "../automation/reviewStacks";
import { CONFIG_KEYS, ConfigError, DEFAULT_PORTS, loadSettings, parseDuration } from "../settings";
import { KeySpec } from "../settings/keys";
import { configTable, projectConfigSchema, replaceBetween, TABLE_END, TABLE_START } from "../tools/configDocs";
import { PROJECT_ROOT, ProgramError, runProgram } from "../tools/programRecorder";

const fq = (config: Record<string, string>) => Object.fromEntries(Object.entries(config).map(([k, v]) => [`vaultnomad:${k}`, v]));

function rejection(config: Record<string, string>): string {
    try {
        loadSettings(fq(config), "dev");
    } catch (err) {
        assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
        return err.message;
    }
    assert.fail(`accepted ${JSON.stringify(config)}`);
}

describe("settings", () => {
    describe("defaults", () => {
        it("are the tutorial's values", () => {
            const s = loadSettings({}, "dev");
            assert.deepStrictEqual(
                [
                    s.vaultPort,
                    s.nomadHttpPort,
                    s.mongoPort,
                    s.jwtAuthPath,
                    s.audience,
                    s.identityTtl,
                    s.tokenPeriodSeconds,
                    s.dbCredsDefaultTtlSeconds,
                    s.dbCredsMaxTtlSeconds,
                ],
                [8200, 4646, 27017, "jwt-nomad", "vault.io", "1h", 1800, 3600, 86400],
            );
        });
        it("are declared in Pulumi.yaml with the same types, defaults and descriptions (npm run docs)", () => {
            const project = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as any;
            assert.deepStrictEqual(project.config, projectConfigSchema());
        });
        it("are documented in docs/configuration.md's table (npm run docs)", () => {
            const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs/configuration.md"), "utf8");
            assert.strictEqual(replaceBetween(doc, TABLE_START, TABLE_END, configTable()), doc);
        });
        it("are not repeated in the dev stack file, which holds only what differs", () => {
            const dev = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")) as any;
            const defaults = projectConfigSchema() as Record<string, { default?: unknown }>;
            const repeated = Object.entries(dev.config ?? {}).filter(
                ([key, value]) => defaults[key.replace(/^vaultnomad:/, "")]?.default === value,
            );
            assert.deepStrictEqual(repeated, []);
        });
        it("are what the dev stack file holds, and every key there is known", () => {
            const dev = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")) as any;
            const raw = Object.fromEntries(Object.entries(dev.config ?? {}).map(([k, v]) => [k, String(v)]));
            assert.deepStrictEqual(loadSettings(raw, "dev"), loadSettings({}, "dev"));
        });
    });

    describe("rejects bad values before creating anything, naming the key", function () {
        this.timeout(60_000);
        const cases: Array<[string, Record<string, string>, RegExp]> = [
            ["a port that is not a number", { vaultPort: "abc" }, /vaultnomad:vaultPort: "abc" is not a whole number/],
            ["a negative port", { nomadHttpPort: "-1" }, /vaultnomad:nomadHttpPort: "-1" is not a whole number/],
            ["a fractional port", { mongoPort: "27017.5" }, /vaultnomad:mongoPort: "27017.5" is not a whole number/],
            ["a privileged port", { vaultPort: "80" }, /vaultnomad:vaultPort: 80 is outside 1024\.\.65534/],
            ["a port above 65534", { nomadRpcPort: "70000" }, /vaultnomad:nomadRpcPort: 70000 is outside/],
            [
                "two services on one port",
                { nomadHttpPort: "8200" },
                /vaultnomad:nomadHttpPort: port 8200 is already used by vaultnomad:vaultPort/,
            ],
            [
                "a port on Vault's cluster port",
                { mongoPort: "8201" },
                /vaultnomad:mongoPort: port 8201 is already used by vaultnomad:vaultPort \+ 1 \(Vault's cluster port\)/,
            ],
            [
                "Nomad's RPC and Serf ports equal",
                { nomadSerfPort: "4647" },
                /vaultnomad:nomadSerfPort: port 4647 is already used by vaultnomad:nomadRpcPort/,
            ],
            ["an empty image", { vaultImage: "" }, /vaultnomad:vaultImage: must not be empty/],
            ["an image without a tag", { nomadImage: "hashicorp/nomad" }, /vaultnomad:nomadImage: "hashicorp\/nomad" must be pinned/],
            ["an image tagged latest", { mongoImage: "mongo:latest" }, /vaultnomad:mongoImage: "mongo:latest" must be pinned/],
            [
                "a malformed image reference",
                { vaultImage: "Hashicorp/Vault:1.18" },
                /vaultnomad:vaultImage: "Hashicorp\/Vault:1.18" is not a valid image reference/,
            ],
            ["Nomad older than 1.10", { nomadImage: "hashicorp/nomad:1.9.7" }, /vaultnomad:nomadImage: Nomad 1\.9\.7 is older than 1\.10/],
            ["Vault 1.16.1", { vaultImage: "hashicorp/vault:1.16.1" }, /vaultnomad:vaultImage: Vault 1\.16\.1 rejects Nomad's JWKS/],
            [
                "Vault older than 1.12",
                { vaultImage: "hashicorp/vault:1.11.0" },
                /vaultnomad:vaultImage: Vault 1\.11\.0 is older than 1\.12/,
            ],
            ["a TTL without a unit", { identityTtl: "3600" }, /vaultnomad:identityTtl: "3600" is not a positive duration/],
            [
                "a TTL with an unknown unit",
                { tokenPeriod: "30 minutes" },
                /vaultnomad:tokenPeriod: "30 minutes" is not a positive duration/,
            ],
            ["a zero period", { tokenPeriod: "0s" }, /vaultnomad:tokenPeriod: "0s" is not a positive duration/],
            [
                "a default TTL above the max TTL",
                { dbCredsDefaultTtl: "48h" },
                /vaultnomad:dbCredsDefaultTtl: 48h is longer than vaultnomad:dbCredsMaxTtl/,
            ],
            ["an empty JWT path", { jwtAuthPath: "" }, /vaultnomad:jwtAuthPath: must not be empty/],
            [
                "a JWT path with slashes",
                { jwtAuthPath: "auth/jwt-nomad/" },
                /vaultnomad:jwtAuthPath: "auth\/jwt-nomad\/" must be a Vault mount path/,
            ],
            ["a KV mount with a slash inside", { kvMount: "secret/kv" }, /vaultnomad:kvMount: "secret\/kv" must be a Vault mount path/],
            ["an audience with a space", { audience: "vault io" }, /vaultnomad:audience: "vault io" must be a non-empty audience/],
            ["a relative data dir", { hostDataDir: "data/nomad" }, /vaultnomad:hostDataDir: "data\/nomad" must be an absolute host path/],
            [
                "a data dir that climbs out",
                { hostDataDir: "/tmp/../etc" },
                /vaultnomad:hostDataDir: "\/tmp\/\.\.\/etc" must be an absolute host path/,
            ],
            [
                "a timeout too short to start anything",
                { readyTimeoutSeconds: "1" },
                /vaultnomad:readyTimeoutSeconds: 1 is outside 10\.\.3600 seconds/,
            ],
            ["an unknown key", { vaultport: "8200" }, /vaultnomad:vaultport: unknown key; did you mean vaultnomad:vaultPort\?/],
            ["a misspelt key", { mongoImages: "mongo:7" }, /vaultnomad:mongoImages: unknown key\. Fix: pulumi config rm mongoImages/],
        ];
        for (const [what, config, message] of cases) {
            it(what, async () => {
                const error = await runProgram({ config }).then(
                    () => assert.fail(`the program ran with ${JSON.stringify(config)}`),
                    (err: ProgramError) => err,
                );
                assert.match(error.message, message);
                assert.deepStrictEqual(error.registered, [], "resources were registered before the configuration was checked");
            });
        }

        it("reports every problem at once", () => {
            assert.strictEqual((rejection({ vaultPort: "x", identityTtl: "1 hour", jwtAuthPath: "" }).match(/\n {2}- /g) ?? []).length, 3);
        });
        it("says how to fix a bad value", () => {
            assert.match(rejection({ vaultPort: "x" }), /Fix: pulumi config set vaultPort 8200/);
        });
        it("leaves keys of other namespaces alone", () => {
            assert.doesNotThrow(() => loadSettings({ "docker:host": "unix:///var/run/docker.sock" }, "dev"));
        });
    });

    describe("mode checks", () => {
        const rejected = (config: Record<string, string>) => {
            try {
                loadSettings(fq(config), "prod", {});
            } catch (err) {
                return (err as ConfigError).message;
            }
            return assert.fail(`accepted ${JSON.stringify(config)}`);
        };
        const external = { mode: "external", vaultAddress: "https://v:8200", vaultToken: "t", nomadAddress: "https://n:4646" };
        const cases: Array<[string, Record<string, string>, RegExp]> = [
            ["an unknown mode", { mode: "cloud" }, /vaultnomad:mode: "cloud" is neither "demo" nor "external"/],
            [
                "external mode without Vault's address",
                { mode: "external" },
                /vaultnomad:vaultAddress: external mode needs Vault's address\. Fix: .*or export VAULT_ADDR/,
            ],
            [
                "external mode without a Vault token",
                { mode: "external" },
                /vaultnomad:vaultToken: external mode needs a Vault token\. Fix: pulumi config set --secret vaultToken/,
            ],
            [
                "a demo-only key in external mode",
                { ...external, vaultPort: "9200" },
                /vaultnomad:vaultPort is used only in demo mode; this stack is in external mode/,
            ],
            [
                "an external-only key in demo mode",
                { vaultAddress: "https://v:8200" },
                /vaultnomad:vaultAddress is used only in external mode; this stack is in demo mode/,
            ],
            [
                "an address that is not a URL",
                { ...external, nomadAddress: "nomad:4646" },
                /vaultnomad:nomadAddress: "nomad:4646" is not an http\(s\) URL/,
            ],
            ["a CA that is not PEM", { ...external, nomadCaPem: "not a cert" }, /vaultnomad:nomadCaPem: not a PEM block/],
            [
                "a client certificate without its key",
                { ...external, nomadClientCertPem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----" },
                /nomadClientCertPem and vaultnomad:nomadClientKeyPem go together/,
            ],
            [
                "a Vault CA file that does not exist",
                { ...external, vaultCaCertFile: "/nonexistent/ca.pem" },
                /vaultnomad:vaultCaCertFile: no file at \/nonexistent\/ca\.pem/,
            ],
            [
                "the Nomad secrets engine without a Nomad token",
                { ...external, nomadSecretsEngine: "true" },
                /vaultnomad:nomadToken: the Nomad secrets engine needs a Nomad management token/,
            ],
            [
                "a JWKS URL and static keys together",
                {
                    jwksUrl: "http://n/.well-known/jwks.json",
                    jwtValidationPubkeys: "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----",
                },
                /vaultnomad:jwksUrl and vaultnomad:jwtValidationPubkeys are both set/,
            ],
            [
                "static keys that are no PEM public key",
                { jwtValidationPubkeys: "ssh-ed25519 AAAA" },
                /vaultnomad:jwtValidationPubkeys: holds no PEM public key/,
            ],
            ["a boolean that is not one", { nomadSecretsEngine: "yes" }, /vaultnomad:nomadSecretsEngine: "yes" is neither true nor false/],
            [
                "two policies with one name",
                { policyName: "p", mongoRoleName: "p" },
                /vaultnomad:policyName and vaultnomad:mongoRoleName are both "p"/,
            ],
            [
                "a namespace Nomad would refuse",
                { jobNamespace: "team/apps" },
                /vaultnomad:jobNamespace: "team\/apps" must be a Nomad namespace name/,
            ],
        ];
        for (const [what, config, message] of cases) {
            it(`rejects ${what}`, () => {
                assert.match(rejected(config), message);
            });
        }
        it("accepts a complete external configuration", () => {
            assert.strictEqual(loadSettings(fq(external), "prod", {}).vault?.address, "https://v:8200");
        });
    });

    describe("ports", () => {
        it("have one set of defaults, the settings', which the stack driver reads too", () => {
            const s = loadSettings({}, "dev");
            assert.deepStrictEqual(
                [portsOf({}), DEFAULT_PORTS],
                [
                    DEFAULT_PORTS,
                    {
                        vaultPort: s.vaultPort,
                        nomadHttpPort: s.nomadHttpPort,
                        nomadRpcPort: s.nomadRpcPort,
                        nomadSerfPort: s.nomadSerfPort,
                        mongoPort: s.mongoPort,
                    },
                ],
            );
        });
        it("are read by the driver under the settings' keys", () => {
            assert.strictEqual(portsOf({ "vaultnomad:vaultPort": { value: "10000" } }).vaultPort, 10000);
        });
    });

    describe("secret keys", () => {
        const external = { mode: "external", vaultAddress: "https://v:8200", nomadAddress: "https://n:4646" };
        const secretValues: Record<string, string> = {
            vaultToken: "hvs.plain-token",
            nomadToken: "plain-nomad-token",
            nomadClientKeyPem: "-----BEGIN PRIVATE KEY-----\nplainkey\n-----END PRIVATE KEY-----",
        };
        const secretKeys = Object.entries(CONFIG_KEYS)
            .filter(([, spec]) => (spec as KeySpec).secret)
            .map(([key]) => key);
        it("are the tokens and the client key", () => {
            assert.deepStrictEqual(secretKeys.sort(), Object.keys(secretValues).sort());
        });
        for (const key of Object.keys(secretValues)) {
            it(`refuses ${key} stored in plain text, with the command that encrypts it, without echoing it`, () => {
                const config = { ...external, vaultToken: "set", [key]: secretValues[key] };
                const message = (() => {
                    try {
                        loadSettings(fq(config), "prod", {}, (fullKey) => fullKey !== `vaultnomad:${key}`);
                    } catch (err) {
                        return (err as ConfigError).message;
                    }
                    return assert.fail(`accepted ${key} in plain text`);
                })();
                assert.deepStrictEqual(
                    [
                        message.includes(`Fix: pulumi config set --secret ${key} (it prompts for the value)`),
                        message.includes(secretValues[key]),
                    ],
                    [true, false],
                );
            });
        }
        it("accepts them set with --secret", () => {
            const config = {
                ...external,
                ...secretValues,
                nomadClientCertPem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
            };
            assert.strictEqual(loadSettings(fq(config), "prod", {}, () => true).vault?.token, "hvs.plain-token");
        });
        it("the program reads which keys were set with --secret from Pulumi's runtime", async function () {
            this.timeout(60_000);
            const config = { ...external, vaultToken: "hvs.plain-token" };
            await assert.rejects(runProgram({ stack: "prod", config, plaintext: ["vaultToken"] }), /pulumi config set --secret vaultToken/);
        });
    });

    describe("durations", () => {
        it("read Go-style compound durations", () => {
            assert.deepStrictEqual(["90s", "30m", "1h30m", "24h"].map(parseDuration), [90, 1800, 5400, 86400]);
        });
    });
});
