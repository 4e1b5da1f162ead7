// vaultnomad:nomadClusters read by loadSettings: each entry's fields, the secrets it must keep
// encrypted, the single-cluster keys it replaces, the layout, and the workloads' clusters.
import * as assert from "assert";
import { ConfigError, loadSettings, Settings } from "../settings";

const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----";
const CA = "-----BEGIN CERTIFICATE-----\nMIIBnomadCA\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----";
const EXTERNAL = { mode: "external", vaultAddress: "https://v:8200", vaultToken: "t" };
const EAST = { name: "east", address: "https://nomad-east:4646/", token: "east-token" };
const WEST = { name: "west", address: "https://nomad-west:4646", token: "west-token", jwtValidationPubkeys: PUBLIC_KEY };
const AT = "vaultnomad:nomadClusters";

interface Load {
    readonly config?: Record<string, string>;
    readonly clusters?: unknown;
    readonly workloads?: unknown[];
    /** The nomadClusters key as the stack file stores it. */
    readonly stored?: unknown;
    readonly plaintext?: boolean;
}

function load({ config = {}, clusters = [EAST, WEST], workloads, stored, plaintext = false }: Load = {}): Settings {
    const raw: Record<string, string> = Object.fromEntries(
        Object.entries({ ...EXTERNAL, ...config }).map(([k, v]) => [`vaultnomad:${k}`, v]),
    );
    raw[AT] = JSON.stringify(clusters);
    if (workloads) {
        raw["vaultnomad:workloads"] = JSON.stringify(workloads);
    }
    return loadSettings(raw, "prod", {}, (key) => !(plaintext && key === AT), undefined, stored);
}

function problemsOf(options: Load): string[] {
    try {
        load(options);
        return [];
    } catch (err) {
        assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
        return err.problems;
    }
}

describe("settings: several Nomad clusters", () => {
    describe("reading entries", () => {
        it("reads each cluster's address without a trailing slash, and its token", () => {
            const [east] = load().nomadClusters;
            assert.deepStrictEqual([east.name, east.nomad.address, east.nomad.token], ["east", "https://nomad-east:4646", "east-token"]);
        });
        it("defaults a cluster's JWKS URL to its address", () => {
            assert.strictEqual(load().nomadClusters[0].jwksUrl, "https://nomad-east:4646/.well-known/jwks.json");
        });
        it("takes static keys instead of a JWKS URL", () => {
            const west = load().nomadClusters[1];
            assert.deepStrictEqual([west.jwksUrl, west.jwtValidationPubkeys], [undefined, [PUBLIC_KEY]]);
        });
        it("takes static keys as a list too", () => {
            assert.deepStrictEqual(
                load({ clusters: [{ ...WEST, jwtValidationPubkeys: [PUBLIC_KEY] }] }).nomadClusters[0].jwtValidationPubkeys,
                [PUBLIC_KEY],
            );
        });
        it("reads TLS settings", () => {
            const nomad = load({ clusters: [{ ...EAST, caPem: CA, region: "eu", skipTlsVerify: true }] }).nomadClusters[0].nomad;
            assert.deepStrictEqual([nomad.caPem, nomad.region, nomad.skipTlsVerify], [CA, "eu", true]);
        });
        it("verifies each cluster's certificate unless told not to", () => {
            assert.strictEqual(load().nomadClusters[0].nomad.skipTlsVerify, false);
        });
        it("reads a client certificate and its key", () => {
            const nomad = load({ clusters: [{ ...EAST, clientCertPem: CA, clientKeyPem: KEY }] }).nomadClusters[0].nomad;
            assert.deepStrictEqual([nomad.clientCertPem, nomad.clientKeyPem], [CA, KEY]);
        });
        it("trims every trailing slash of an address", () => {
            assert.strictEqual(
                load({ clusters: [{ ...EAST, address: "https://nomad-east:4646//" }] }).nomadClusters[0].nomad.address,
                "https://nomad-east:4646",
            );
        });
        it("takes a cluster's own JWKS URL", () => {
            const jwksUrl = "https://lb.example.com/east/jwks.json";
            assert.strictEqual(load({ clusters: [{ ...EAST, jwksUrl }] }).nomadClusters[0].jwksUrl, jwksUrl);
        });
        it("leaves unset TLS fields undefined", () => {
            const nomad = load().nomadClusters[1].nomad;
            assert.deepStrictEqual(
                [nomad.region, nomad.caPem, nomad.clientCertPem, nomad.clientKeyPem],
                [undefined, undefined, undefined, undefined],
            );
        });
        it("leaves the single-cluster Nomad and JWKS unset", () => {
            const settings = load();
            assert.deepStrictEqual([settings.nomad, settings.jwksUrl], [undefined, undefined]);
        });
        it("needs no nomadAddress", () => {
            assert.deepStrictEqual(problemsOf({}), []);
        });
        it("defaults the layout to a mount per cluster", () => {
            assert.strictEqual(load().nomadClustersLayout, "mount-per-cluster");
        });
        it("has no clusters without the key", () => {
            const settings = loadSettings({ "vaultnomad:mode": "external", "vaultnomad:vaultToken": "t" }, "prod", {
                VAULT_ADDR: "https://v:8200",
                NOMAD_ADDR: "https://n:4646",
            });
            assert.deepStrictEqual([settings.nomadClusters, settings.nomad?.address], [[], "https://n:4646"]);
        });
    });

    describe("refusing entries", () => {
        it("refuses a value that is not a list", () => {
            assert.deepStrictEqual(problemsOf({ clusters: { east: EAST } }), [
                `${AT}: must be a non-empty list of clusters, each { name, address, token, … }, as structured config (see docs/external.md).`,
            ]);
        });
        it("refuses text that is not JSON", () => {
            const raw = {
                "vaultnomad:mode": "external",
                "vaultnomad:vaultAddress": "https://v",
                "vaultnomad:vaultToken": "t",
                [AT]: "east",
            };
            assert.throws(() => loadSettings(raw, "prod", {}), /nomadClusters: must be a non-empty list/);
        });
        it("refuses an empty list", () => {
            assert.strictEqual(problemsOf({ clusters: [] }).length, 1);
        });
        it("refuses an entry that is not an object", () => {
            assert.deepStrictEqual(problemsOf({ clusters: ["east"] }), [
                `${AT}[0]: must be { name, address, token, … } (see docs/external.md).`,
            ]);
        });
        it("names an unknown field", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, addr: "x" }] }), [
                `${AT}[0].addr: unknown field; a cluster has name, address, token, region, caPem, clientCertPem, clientKeyPem, skipTlsVerify, jwksUrl, jwtValidationPubkeys.`,
            ]);
        });
        it("refuses a name that cannot be part of a mount path", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, name: "East/1" }] }), [
                `${AT}[0].name: "East/1" is not a cluster name: lower-case letters, digits and -, at most 32, such as "east".`,
            ]);
        });
        it("refuses a name longer than 32", () => {
            assert.strictEqual(problemsOf({ clusters: [{ ...EAST, name: "e".repeat(33) }] }).length, 1);
        });
        it("accepts a name of 32", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, name: "e".repeat(32) }] }), []);
        });
        it("refuses two clusters of one name", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [EAST, { ...WEST, name: "east" }] }), [
                `${AT}: two clusters are named east; give each its own name.`,
            ]);
        });
        it("needs an address", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ name: "east" }] }), [
                `${AT}[0].address: each cluster needs Nomad's address, such as https://nomad-east.example.com:4646.`,
            ]);
        });
        it("refuses an address that is not http(s)", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, address: "nomad-east:4646" }] }), [
                `${AT}[0].address: "nomad-east:4646" is not an http(s) URL such as https://nomad.example.com:4646.`,
            ]);
        });
        it("refuses a JWKS URL that is no URL", () => {
            assert.strictEqual(problemsOf({ clusters: [{ ...EAST, jwksUrl: "not a url" }] }).length, 1);
        });
        it("refuses an address of another scheme", () => {
            assert.strictEqual(problemsOf({ clusters: [{ ...EAST, address: "xhttp://nomad-east:4646" }] }).length, 1);
        });
        it("keeps only the valid entries, reporting the others", () => {
            assert.throws(
                () => load({ clusters: [EAST, { ...WEST, name: "" }] }),
                (err: ConfigError) => err.problems.length === 1,
            );
        });
        it("refuses a token that is not a string, once", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, token: 5 }], plaintext: true }), [
                `${AT}[0].token: must be a string.`,
            ]);
        });
        it("refuses a field that is not a string", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, region: 1 }] }), [`${AT}[0].region: must be a string.`]);
        });
        it("refuses a client certificate or key that is not PEM", () => {
            assert.deepStrictEqual(
                problemsOf({ clusters: [{ ...EAST, clientCertPem: "cert", clientKeyPem: "key" }] }).map((p) => p.split(":")[1]),
                ["nomadClusters[0].clientCertPem", "nomadClusters[0].clientKeyPem"],
            );
        });
        it("refuses a CA that is not PEM, naming the --path fix", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, caPem: "ca" }] }), [
                `${AT}[0].caPem: not a PEM block (-----BEGIN …-----). Fix: pulumi config set --path 'nomadClusters[0].caPem' -- "$(cat file.pem)"`,
            ]);
        });
        it("wants a client certificate and its key together", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, clientCertPem: CA }] }), [
                `${AT}[0].clientCertPem: clientCertPem and clientKeyPem go together: set both or neither.`,
            ]);
        });
        it("refuses a skipTlsVerify that is not a boolean", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, skipTlsVerify: "yes" }] }), [
                `${AT}[0].skipTlsVerify: must be true or false.`,
            ]);
        });
        it("refuses static keys without a PEM public key", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, jwtValidationPubkeys: "key" }] }), [
                `${AT}[0].jwtValidationPubkeys: holds no PEM public key (-----BEGIN PUBLIC KEY-----).`,
            ]);
        });
        it("refuses both a JWKS URL and static keys", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...WEST, jwksUrl: "https://nomad-west:4646/.well-known/jwks.json" }] }), [
                `${AT}[0].jwksUrl: jwksUrl and jwtValidationPubkeys are both set: Vault takes either a JWKS URL or static keys. Remove one.`,
            ]);
        });
    });

    describe("secrets", () => {
        it("refuses tokens when the key is not secret", () => {
            assert.deepStrictEqual(problemsOf({ plaintext: true }), [
                `${AT}[0].token: given in plain text. Fix: pulumi config set --secret --path 'nomadClusters[0].token' <value>`,
                `${AT}[1].token: given in plain text. Fix: pulumi config set --secret --path 'nomadClusters[1].token' <value>`,
            ]);
        });
        it("refuses a token the stack file keeps in plain text beside an encrypted one", () => {
            const stored = [{ ...EAST, token: { secure: "v1:abc" } }, WEST];
            assert.deepStrictEqual(problemsOf({ stored }), [
                `${AT}[1].token: given in plain text. Fix: pulumi config set --secret --path 'nomadClusters[1].token' <value>`,
            ]);
        });
        it("accepts tokens the stack file keeps encrypted", () => {
            const stored = [EAST, WEST].map((c) => ({ ...c, token: { secure: "v1:abc" } }));
            assert.deepStrictEqual(problemsOf({ stored }), []);
        });
        it("refuses a client key in plain text", () => {
            const east = { ...EAST, clientCertPem: CA, clientKeyPem: CA };
            const stored = [{ ...east, token: { secure: "v1:abc" } }];
            assert.deepStrictEqual(problemsOf({ clusters: [east], stored }), [
                `${AT}[0].clientKeyPem: given in plain text. Fix: pulumi config set --secret --path 'nomadClusters[0].clientKeyPem' <value>`,
            ]);
        });
        it("needs nothing encrypted of a cluster without a token", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ name: "east", address: EAST.address }], plaintext: true }), []);
        });
    });

    describe("beside the single-cluster keys", () => {
        it("refuses nomadAddress, naming the field that replaces it", () => {
            assert.deepStrictEqual(problemsOf({ config: { nomadAddress: "https://n:4646" } }), [
                `vaultnomad:nomadAddress is set with ${AT}: give it per cluster, as nomadClusters[i].address. Fix: pulumi config rm nomadAddress`,
            ]);
        });
        it("names, for each single-cluster key of Nomad, the entry field that replaces it", () => {
            const config = {
                nomadAddress: "https://n:4646",
                nomadToken: "n",
                nomadRegion: "eu",
                nomadCaPem: CA,
                nomadClientCertPem: CA,
                nomadClientKeyPem: CA,
                nomadSkipTlsVerify: "true",
                jwksUrl: "https://n:4646/.well-known/jwks.json",
                jwtValidationPubkeys: PUBLIC_KEY,
            };
            const fields = problemsOf({ config })
                .filter((p) => !p.includes("both set"))
                .map((p) =>
                    /^vaultnomad:(\w+) is set with .*as nomadClusters\[i\]\.(\w+)\. Fix: pulumi config rm (\w+)$/.exec(p)?.slice(1),
                );
            assert.deepStrictEqual(fields, [
                ["nomadAddress", "address", "nomadAddress"],
                ["nomadToken", "token", "nomadToken"],
                ["nomadRegion", "region", "nomadRegion"],
                ["nomadCaPem", "caPem", "nomadCaPem"],
                ["nomadClientCertPem", "clientCertPem", "nomadClientCertPem"],
                ["nomadClientKeyPem", "clientKeyPem", "nomadClientKeyPem"],
                ["nomadSkipTlsVerify", "skipTlsVerify", "nomadSkipTlsVerify"],
                ["jwksUrl", "jwksUrl", "jwksUrl"],
                ["jwtValidationPubkeys", "jwtValidationPubkeys", "jwtValidationPubkeys"],
            ]);
        });
        it("ignores NOMAD_ADDR, which names one Nomad", () => {
            const raw = {
                "vaultnomad:mode": "external",
                "vaultnomad:vaultAddress": "https://v",
                "vaultnomad:vaultToken": "t",
                [AT]: JSON.stringify([EAST]),
            };
            assert.strictEqual(loadSettings(raw, "prod", { NOMAD_ADDR: "https://n:4646" }).nomad, undefined);
        });
        it("refuses the Nomad secrets engine, which serves one Nomad", () => {
            assert.deepStrictEqual(problemsOf({ config: { nomadSecretsEngine: "true" } }), [
                `vaultnomad:nomadSecretsEngine: Vault's Nomad secrets engine serves one Nomad, and ${AT} names several. Fix: pulumi config rm nomadSecretsEngine`,
            ]);
        });
        it("still needs Vault's address", () => {
            assert.match(problemsOf({ config: { vaultAddress: "" } }).join("\n"), /vaultAddress: external mode needs Vault's address/);
        });
        it("is refused in demo mode", () => {
            assert.deepStrictEqual(problemsOf({ config: { mode: "demo", vaultAddress: "", vaultToken: "" } }), [
                `${AT} is used only in external mode; this stack is in demo mode. Fix: pulumi config rm nomadClusters`,
            ]);
        });
    });

    describe("layout", () => {
        it("reads jwks-pairs", () => {
            assert.strictEqual(load({ clusters: [EAST], config: { nomadClustersLayout: "jwks-pairs" } }).nomadClustersLayout, "jwks-pairs");
        });
        it("refuses an unknown layout", () => {
            assert.deepStrictEqual(problemsOf({ config: { nomadClustersLayout: "one" } }), [
                `vaultnomad:nomadClustersLayout: "one" is neither "mount-per-cluster" nor "jwks-pairs".`,
            ]);
        });
        it("refuses static keys in the jwks-pairs layout", () => {
            assert.deepStrictEqual(problemsOf({ config: { nomadClustersLayout: "jwks-pairs" } }), [
                `${AT}[1].jwtValidationPubkeys: one mount with jwks_pairs cannot also hold static keys. Fix: give a jwksUrl, or pulumi config set nomadClustersLayout mount-per-cluster`,
            ]);
        });
    });

    describe("workloads' clusters", () => {
        const API = { source: 'job "api" {}', clusters: ["east"] };
        const origin = "vaultnomad:workloads[0] (source of job api)";
        it("reads the clusters a workload runs in", () => {
            assert.deepStrictEqual(load({ workloads: [API] }).workloads[0].clusters, ["east"]);
        });
        it("wants each workload to name its clusters", () => {
            assert.deepStrictEqual(problemsOf({ workloads: [{ source: API.source }] }), [
                `${origin}: clusters: say which clusters the job runs in, such as clusters: [east].`,
            ]);
        });
        it("refuses a cluster that is not configured", () => {
            assert.deepStrictEqual(problemsOf({ workloads: [{ ...API, clusters: ["north"] }] }), [
                `${origin}: clusters: north is not a cluster of ${AT} (east, west).`,
            ]);
        });
        it("refuses clusters that are not a list of names", () => {
            assert.deepStrictEqual(problemsOf({ workloads: [{ ...API, clusters: "east" }] }), [
                `${origin}: clusters: must be a list of cluster names from nomadClusters.`,
            ]);
        });
        it("wants a token for a cluster that runs workloads", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [{ ...EAST, token: undefined }, WEST], workloads: [API] }), [
                `${AT}[0].token: ${origin} runs in east, which needs a Nomad token that may register jobs and namespaces. Fix: pulumi config set --secret --path 'nomadClusters[0].token' <token>`,
            ]);
        });
        it("needs no token for a cluster that runs none", () => {
            assert.deepStrictEqual(problemsOf({ clusters: [EAST, { ...WEST, token: undefined }], workloads: [API] }), []);
        });
        it("refuses clusters on a stack without nomadClusters", () => {
            const raw = {
                "vaultnomad:mode": "external",
                "vaultnomad:vaultAddress": "https://v",
                "vaultnomad:vaultToken": "t",
                "vaultnomad:nomadAddress": "https://n",
                "vaultnomad:nomadToken": "n",
                "vaultnomad:workloads": JSON.stringify([API]),
            };
            assert.throws(
                () => loadSettings(raw, "prod", {}),
                (err: ConfigError) =>
                    err.problems.includes(
                        `${origin}: clusters: names clusters, but ${AT} is not set. Fix: remove clusters, or configure nomadClusters.`,
                    ),
            );
        });
    });
});
