// Existing clusters, renamed setups, static keys and Vault's Nomad secrets engine.
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "../settings";
import { mockAccessor } from "../tools/mockState";
import { PROJECT_ROOT, ProgramRun, runProgram } from "../tools/programRecorder";
import { parseHcl } from "./seed";
import { packViolations } from "./policyHarness";
import { plaintextPathsOf } from "./secretWalker";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBnomadCA\n-----END CERTIFICATE-----";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----";
const PUBKEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAnomadkey\n-----END PUBLIC KEY-----";
const VAULT_TOKEN = "hvs.external-operator-token";
const NOMAD_TOKEN = "0b5e4d0c-nomad-management";

const EXTERNAL = {
    mode: "external",
    vaultAddress: "https://vault.example.com:8200",
    vaultToken: VAULT_TOKEN,
    vaultNamespace: "platform",
    vaultCaCertFile: __filename,
    nomadAddress: "https://nomad.example.com:4646",
    nomadToken: NOMAD_TOKEN,
    nomadRegion: "eu",
    nomadCaPem: CA,
    nomadClientCertPem: CERT,
    nomadClientKeyPem: KEY,
};

const RENAMED = {
    jwtAuthPath: "jwt-wi",
    roleName: "wi-default",
    policyName: "wi-kv",
    mongoRoleName: "mongo-query-db",
    kvMount: "secrets",
    jobNamespace: "apps",
    audience: "nomad.example.com",
};

const inputsOf = (run: ProgramRun, type: string, name?: string) => run.one(type, name).inputs!;
/** A stack output's value, whether the program returned it plain or as an Output. */
const exported = (run: ProgramRun, name: string) =>
    (pulumi.output(run.exports[name]) as unknown as { promise(): Promise<unknown> }).promise();

describe("existing clusters (mode external)", function () {
    this.timeout(60_000);
    let run: ProgramRun;

    // Each test runs the program itself, so that mutation testing knows which tests read which lines.
    beforeEach(async () => {
        run = await runProgram({ stack: "prod", config: EXTERNAL });
    });

    it("creates no container, image or ACL bootstrap", () => {
        const local = run.resources.filter((r) => r.custom && /^(docker:|random:|pulumi-nodejs:dynamic)/.test(r.type));
        assert.deepStrictEqual(
            local.map((r) => r.type),
            [],
        );
    });
    it("points the Vault provider at the configured address, namespace and CA file", () => {
        const provider = inputsOf(run, "pulumi:providers:vault");
        assert.deepStrictEqual(
            [provider.address, provider.namespace, provider.caCertFile],
            [EXTERNAL.vaultAddress, "platform", __filename],
        );
    });
    it("points the Nomad provider at the configured address, region and TLS", () => {
        const provider = inputsOf(run, "pulumi:providers:nomad");
        assert.deepStrictEqual(
            [provider.address, provider.region, provider.caPem, provider.certPem, provider.keyPem],
            [EXTERNAL.nomadAddress, "eu", CA, CERT, KEY],
        );
    });
    it("has Vault fetch the cluster's JWKS, trusting its CA", () => {
        const auth = inputsOf(run, "vault:jwt/authBackend:AuthBackend");
        assert.deepStrictEqual([auth.jwksUrl, auth.jwksCaPem], ["https://nomad.example.com:4646/.well-known/jwks.json", CA]);
    });
    it("does not pre-check the JWKS from this machine, which need not see what Vault sees", () => {
        assert.deepStrictEqual(run.ofType("pulumi-nodejs:dynamic/vaultnomad:JwksCheck"), []);
    });
    it("keeps both tokens and the client key secret everywhere", async () => {
        const leaks = (
            await Promise.all(run.resources.map((r) => plaintextPathsOf([VAULT_TOKEN, NOMAD_TOKEN, KEY], r.props, r.name)))
        ).flat();
        assert.deepStrictEqual([...leaks, ...(await plaintextPathsOf([VAULT_TOKEN, NOMAD_TOKEN, KEY], run.exports, "outputs"))], []);
    });
    it("outputs the vault blocks Nomad servers and clients need", async () => {
        const server = await parseHcl(run.exports.nomadServerVaultConfig as string);
        const client = await parseHcl(run.exports.nomadClientVaultConfig as string);
        assert.deepStrictEqual(
            [server.vault[0].default_identity[0], client.vault[0].address, client.vault[0].jwt_auth_backend_path],
            [{ aud: ["vault.io"], ttl: "1h" }, EXTERNAL.vaultAddress, "jwt-nomad"],
        );
    });
    it("outputs both clusters' addresses as configured", async () => {
        assert.deepStrictEqual(
            [await exported(run, "vaultAddress"), await exported(run, "nomadAddress")],
            [EXTERNAL.vaultAddress, EXTERNAL.nomadAddress],
        );
    });
    it("outputs the shell line that points the CLIs at both clusters", async () => {
        assert.strictEqual(
            await exported(run, "envExports"),
            `export VAULT_ADDR=${EXTERNAL.vaultAddress} NOMAD_ADDR=${EXTERNAL.nomadAddress}`,
        );
    });
    it("outputs the JWT auth method's accessor", async () => {
        assert.strictEqual(await exported(run, "jwtAuthAccessor"), mockAccessor("jwt-nomad"));
    });
    it("outputs no token command without Vault's Nomad secrets engine", () => {
        assert.strictEqual(run.exports.nomadTokenCommand, undefined);
    });
    it("accepts Pulumi.external.example.yaml, given its CA file and a token", () => {
        const example = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.external.example.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        const raw = Object.fromEntries(Object.entries(example.config).map(([key, value]) => [key, String(value)]));
        const settings = loadSettings({ ...raw, "vaultnomad:vaultCaCertFile": __filename }, "prod", { VAULT_TOKEN: "t" });
        assert.deepStrictEqual([settings.mode, settings.jwksUrl], ["external", "https://nomad.service.consul:4646/.well-known/jwks.json"]);
    });
    it("takes addresses and tokens from VAULT_ADDR, VAULT_TOKEN and NOMAD_ADDR when not configured", () => {
        const env = { VAULT_ADDR: "https://v:8200", VAULT_TOKEN: "t", NOMAD_ADDR: "https://n:4646", NOMAD_TOKEN: "nt" };
        const settings = loadSettings({ "vaultnomad:mode": "external" }, "prod", env);
        assert.deepStrictEqual(
            [settings.vault?.address, settings.vault?.token, settings.nomad?.address, settings.nomad?.token, settings.jwksUrl],
            ["https://v:8200", "t", "https://n:4646", "nt", "https://n:4646/.well-known/jwks.json"],
        );
    });
});

describe("a renamed setup", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    const role = (name: string) =>
        run.ofType("vault:jwt/authBackendRole:AuthBackendRole").find((r) => r.inputs!.roleName === name)!.inputs!;

    before(async () => {
        run = await runProgram({ config: RENAMED });
    });

    it("makes the role name the auth method's default role", () => {
        assert.strictEqual(inputsOf(run, "vault:jwt/authBackend:AuthBackend").defaultRole, "wi-default");
    });
    it("gives the default role the named policy", () => {
        assert.deepStrictEqual(role("wi-default").tokenPolicies, ["wi-kv"]);
    });
    it("puts the audience into both roles and the agent's default identity", async () => {
        const agent = await parseHcl(inputsOf(run, "docker:index/container:Container", "nomad-container").uploads[0].content);
        assert.deepStrictEqual(
            [role("wi-default").boundAudiences, role("mongo-query-db").boundAudiences, agent.vault[0].default_identity[0].aud],
            [["nomad.example.com"], ["nomad.example.com"], ["nomad.example.com"]],
        );
    });
    it("puts the JWT path into the agent and the agent sample", async () => {
        const agent = await parseHcl(inputsOf(run, "docker:index/container:Container", "nomad-container").uploads[0].content);
        const sample = await parseHcl(run.exports.nomadClientVaultConfig as string);
        assert.deepStrictEqual([agent.vault[0].jwt_auth_backend_path, sample.vault[0].jwt_auth_backend_path], ["jwt-wi", "jwt-wi"]);
    });
    it("puts the KV mount into the mount, the policy paths and the secret", () => {
        const policy = run.ofType("vault:index/policy:Policy").find((p) => p.inputs!.name === "wi-kv")!.inputs!.policy as string;
        const paths = [...policy.matchAll(/path "([^/]+)\//g)].map((m) => m[1]);
        assert.deepStrictEqual(
            [
                inputsOf(run, "vault:index/mount:Mount", "kv-mount").path,
                [...new Set(paths)],
                inputsOf(run, "vault:kv/secretV2:SecretV2").mount,
            ],
            ["secrets", ["secrets"], "secrets"],
        );
    });
    it("puts the namespace into the secret's path, the job role's claims, the jobs and a Nomad namespace", () => {
        assert.deepStrictEqual(
            [
                inputsOf(run, "vault:kv/secretV2:SecretV2").name,
                role("mongo-query-db").boundClaims.nomad_namespace,
                inputsOf(run, "nomad:index/job:Job", "mongo-job").hcl2.vars.namespace,
                inputsOf(run, "nomad:index/namespace:Namespace").name,
            ],
            ["apps/mongo/config", "apps", "apps", "apps"],
        );
    });
    it("creates the namespace before the jobs", () => {
        const namespace = run.one("nomad:index/namespace:Namespace");
        assert.deepStrictEqual(
            run.ofType("nomad:index/job:Job").map((job) => run.waitsFor(job, namespace)),
            [true, true],
        );
    });
    it("keeps the foundation's order", () => {
        const byName = (name: string) => run.resources.find((r) => r.name === name)!;
        const pairs = [
            ["mongo-job", "kv-mongo-config"],
            ["mongo-job", "workload-identity-role"],
            ["database-connection", "mongo-job"],
            ["mongo-query-job", "mongo-dynamic-secret-role"],
            ["mongo-query-job", "database-role"],
        ];
        assert.deepStrictEqual(
            pairs.filter(([later, earlier]) => !run.waitsFor(byName(later), byName(earlier))),
            [],
        );
    });
    it("passes every policy rule", async () => {
        assert.deepStrictEqual(await packViolations(run), []);
    });
});

describe("static public keys instead of a JWKS URL", function () {
    this.timeout(60_000);
    let run: ProgramRun;

    before(async () => {
        run = await runProgram({ config: { jwtValidationPubkeys: `${PUBKEY}\n${PUBKEY.replace("nomadkey", "otherkey")}` } });
    });

    it("sets no JWKS URL", () => {
        assert.strictEqual(inputsOf(run, "vault:jwt/authBackend:AuthBackend").jwksUrl, undefined);
    });
    it("passes the keys through as given, one per entry", () => {
        assert.deepStrictEqual(inputsOf(run, "vault:jwt/authBackend:AuthBackend").jwtValidationPubkeys, [
            PUBKEY,
            PUBKEY.replace("nomadkey", "otherkey"),
        ]);
    });
    it("needs no JWKS check", () => {
        assert.deepStrictEqual(run.ofType("pulumi-nodejs:dynamic/vaultnomad:JwksCheck"), []);
    });
});

describe("Vault's Nomad secrets engine", function () {
    this.timeout(60_000);
    let run: ProgramRun;

    before(async () => {
        run = await runProgram({ config: { nomadSecretsEngine: "true", nomadSecretsRole: "ops" } });
    });

    it("creates a dedicated management token for Vault, not the bootstrap token", () => {
        const token = inputsOf(run, "nomad:index/aclToken:AclToken");
        assert.deepStrictEqual([token.type, token.name], ["management", "vault-nomad-secrets-engine"]);
    });
    it("configures the engine with that token, as a secret, and Nomad's address", async () => {
        const backend = run.one("vault:index/nomadSecretBackend:NomadSecretBackend");
        const token = backend.props.token as pulumi.Output<string>;
        assert.deepStrictEqual(
            [backend.inputs!.token, await pulumi.isSecret(token), backend.inputs!.address, backend.inputs!.backend],
            ["mock-secret-nomad-secrets-token", true, "http://127.0.0.1:4646", "nomad"],
        );
    });
    it("creates the token before configuring the engine", () => {
        assert.ok(run.waitsFor(run.one("vault:index/nomadSecretBackend:NomadSecretBackend"), run.one("nomad:index/aclToken:AclToken")));
    });
    it("maps the role to a Nomad ACL policy of the same name", () => {
        const role = inputsOf(run, "vault:index/nomadSecretRole:NomadSecretRole");
        assert.deepStrictEqual(
            [role.role, role.type, role.policies, inputsOf(run, "nomad:index/aclPolicy:AclPolicy").name],
            ["ops", "client", ["ops"], "ops"],
        );
    });
    it("lets a Vault policy read nomad/creds/<role>", async () => {
        const policy = run.ofType("vault:index/policy:Policy").find((p) => p.inputs!.name === "ops-creds")!;
        assert.deepStrictEqual((await parseHcl(policy.inputs!.policy)).path, { "nomad/creds/ops": [{ capabilities: ["read"] }] });
    });
    it("outputs the command that fetches a short-lived Nomad token", async () => {
        assert.strictEqual(await (run.exports.nomadTokenCommand as any).promise(), "vault read nomad/creds/ops");
    });
});
