// Several Nomad clusters, one Vault (vaultnomad:nomadClusters), under mocks: a JWT mount per cluster
// with its JWKS, its role and a policy of its accessor, or one mount with jwks_pairs; the agents'
// vault blocks per cluster; workloads registered in the clusters they name, their roles on the right mounts.
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { loadSettings } from "../settings";
import { mockAccessor } from "../tools/mockState";
import { PROJECT_ROOT, ProgramRun, RecordedResource, runProgram } from "../tools/programRecorder";
import { API_SOURCE, EXTERNAL_STACK } from "./externalStack";
import { packViolations } from "./policyHarness";
import { plaintextPathsOf } from "./secretWalker";
import { parseHcl } from "./seed";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBeastCA\n-----END CERTIFICATE-----";
const PUBKEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAwestkey\n-----END PUBLIC KEY-----";
const EAST = { name: "east", address: "https://nomad-east.example.com:4646", token: "east-nomad-token", caPem: CA };
const WEST = { name: "west", address: "https://nomad-west.example.com:4646", token: "west-nomad-token" };
const { nomadAddress: _a, nomadToken: _t, ...VAULT_ONLY } = EXTERNAL_STACK;
/** api (a role and a secret) in both clusters, a worker in west only. */
const WORKLOADS = [
    {
        source: API_SOURCE,
        clusters: ["east", "west"],
        secrets: { config: { api_key: "k" } },
        role: { name: "api-db", grants: [{ path: "kv/data/default/api/config", capabilities: ["read"] }] },
    },
    { source: 'job "worker" {\n  group "w" {\n    task "w" {\n      driver = "docker"\n    }\n  }\n}\n', clusters: ["west"] },
];

const clustersConfig = (clusters: unknown[], more: Record<string, string> = {}) => ({
    ...VAULT_ONLY,
    nomadClusters: JSON.stringify(clusters),
    workloads: JSON.stringify(WORKLOADS),
    ...more,
});
const run2 = (clusters: unknown[] = [EAST, WEST], more: Record<string, string> = {}) =>
    runProgram({ stack: "prod", config: clustersConfig(clusters, more), secretKeys: ["nomadClusters", "workloads"] });

const inputs = (r: RecordedResource) => r.inputs!;
const mounts = (run: ProgramRun) => run.ofType("vault:jwt/authBackend:AuthBackend").map(inputs);
const mountAt = (run: ProgramRun, path: string) => mounts(run).find((m) => m.path === path)!;
const roles = (run: ProgramRun) => run.ofType("vault:jwt/authBackendRole:AuthBackendRole").map(inputs);
/** Each role of that name: its mount and its policies. */
const rolesNamed = (run: ProgramRun, name: string) =>
    roles(run)
        .filter((r) => r.roleName === name)
        .map((r) => [r.backend, r.tokenPolicies]);
const policy = (run: ProgramRun, name: string) => run.ofType("vault:index/policy:Policy").find((p) => inputs(p).name === name)!;
const providerOf = (run: ProgramRun, name: string) => run.resources.find((r) => r.name === name)!.providerRef?.split("::")[3];

describe("several Nomad clusters, a JWT mount each", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    // Each test runs the program itself, so that mutation testing knows which tests read which lines.
    beforeEach(async () => {
        run = await run2();
    });

    it("mounts one JWT auth method per cluster, named after it", () => {
        assert.deepStrictEqual(
            mounts(run).map((m) => m.path),
            ["jwt-nomad-east", "jwt-nomad-west"],
        );
    });
    it("has each mount fetch its own cluster's JWKS", () => {
        assert.deepStrictEqual(
            ["jwt-nomad-east", "jwt-nomad-west"].map((path) => mountAt(run, path).jwksUrl),
            [`${EAST.address}/.well-known/jwks.json`, `${WEST.address}/.well-known/jwks.json`],
        );
    });
    it("gives Vault each cluster's CA for its JWKS", () => {
        assert.deepStrictEqual(
            ["jwt-nomad-east", "jwt-nomad-west"].map((path) => mountAt(run, path).jwksCaPem),
            [CA, undefined],
        );
    });
    it("writes the default role on each mount, with that cluster's policy", () => {
        assert.deepStrictEqual(rolesNamed(run, "nomad-workloads"), [
            ["jwt-nomad-east", ["nomad-workloads-east"]],
            ["jwt-nomad-west", ["nomad-workloads-west"]],
        ]);
    });
    it("makes that role each mount's default", () => {
        assert.deepStrictEqual(
            mounts(run).map((m) => m.defaultRole),
            ["nomad-workloads", "nomad-workloads"],
        );
    });
    it("renders each cluster's templated policy with its own mount's accessor", () => {
        const named = (name: string) =>
            [...(inputs(policy(run, name)).policy as string).matchAll(/aliases\.(auth_jwt_\w+)\./g)].map((m) => m[1]);
        assert.deepStrictEqual(
            [[...new Set(named("nomad-workloads-east"))], [...new Set(named("nomad-workloads-west"))]],
            [[mockAccessor("jwt-nomad-east")], [mockAccessor("jwt-nomad-west")]],
        );
    });
    it("gives the two mounts different accessors", () => {
        assert.notStrictEqual(mockAccessor("jwt-nomad-east"), mockAccessor("jwt-nomad-west"));
    });
    it("writes a job's role on the mount of each cluster it runs in, with a policy per cluster", () => {
        assert.deepStrictEqual(rolesNamed(run, "api-db"), [
            ["jwt-nomad-east", ["api-db-east"]],
            ["jwt-nomad-west", ["api-db-west"]],
        ]);
    });
    it("registers each job with the Nomad provider of each cluster it runs in", () => {
        assert.deepStrictEqual(
            ["api-east", "api-west", "worker-west"].map((job) => providerOf(run, `${job}-job`)),
            ["clusters-nomad-east", "clusters-nomad-west", "clusters-nomad-west"],
        );
    });
    it("registers a job only in the clusters it names", () => {
        assert.deepStrictEqual(
            run.ofType("nomad:index/job:Job").map((j) => j.name),
            ["api-east-job", "api-west-job", "worker-west-job"],
        );
    });
    it("points each Nomad provider at its cluster, with its CA", () => {
        const provider = (name: string) => inputs(run.resources.find((r) => r.name === `clusters-nomad-${name}`)!);
        assert.deepStrictEqual(
            [provider("east").address, provider("east").caPem, provider("west").address],
            [EAST.address, CA, WEST.address],
        );
    });
    it("registers a job after its role on that cluster's mount", () => {
        const role = run.resources.find((r) => r.name === "api-db-west-role")!;
        assert.ok(
            run.waitsFor(
                run.resources.find((r) => r.name === "api-west-job")!,
                role,
            ),
        );
    });
    it("writes a workload's secret once, for both clusters", () => {
        assert.deepStrictEqual(
            run.ofType("vault:kv/secretV2:SecretV2").map((s) => inputs(s).name),
            ["default/api/config"],
        );
    });
    it("outputs each cluster's agent vault block, naming its mount", async () => {
        const clusters = run.exports.nomadClusters as Record<string, { nomadClientVaultConfig: string }>;
        const paths = await Promise.all(
            ["east", "west"].map(async (name) => (await parseHcl(clusters[name].nomadClientVaultConfig)).vault[0].jwt_auth_backend_path),
        );
        assert.deepStrictEqual(paths, ["jwt-nomad-east", "jwt-nomad-west"]);
    });
    it("outputs each cluster's mount, accessor and policy", async () => {
        const east = (run.exports.nomadClusters as Record<string, Record<string, any>>).east;
        assert.deepStrictEqual(
            [east.nomadAddress, east.jwtAuthPath, await east.jwtAuthAccessor.promise(), east.policyName],
            [EAST.address, "jwt-nomad-east", mockAccessor("jwt-nomad-east"), "nomad-workloads-east"],
        );
    });
    it("describes each mount by its cluster", () => {
        assert.deepStrictEqual(
            mounts(run).map((m) => m.description),
            ["Workload identities of Nomad cluster east", "Workload identities of Nomad cluster west"],
        );
    });
    it("gives the single-cluster outputs from the first cluster", async () => {
        const [accessor, env] = await Promise.all([
            (run.exports.jwtAuthAccessor as any).promise(),
            (run.exports.envExports as any).promise(),
        ]);
        assert.deepStrictEqual(
            [run.exports.nomadAddress, accessor, env],
            [EAST.address, mockAccessor("jwt-nomad-east"), `export VAULT_ADDR=${VAULT_ONLY.vaultAddress} NOMAD_ADDR=${EAST.address}`],
        );
    });
    it("outputs the first cluster's agent vault block as the single one", async () => {
        const clusters = run.exports.nomadClusters as Record<string, { nomadServerVaultConfig: string; nomadClientVaultConfig: string }>;
        assert.deepStrictEqual(
            [run.exports.nomadServerVaultConfig, run.exports.nomadClientVaultConfig],
            [clusters.east.nomadServerVaultConfig, clusters.east.nomadClientVaultConfig],
        );
    });
    it("keeps every cluster's token secret", async () => {
        const leaks = (await Promise.all(run.resources.map((r) => plaintextPathsOf([EAST.token, WEST.token], r.props, r.name)))).flat();
        assert.deepStrictEqual([...leaks, ...(await plaintextPathsOf([EAST.token, WEST.token], run.exports, "outputs"))], []);
    });
    it("passes every policy rule", async () => {
        assert.deepStrictEqual(await packViolations(run), []);
    });
});

describe("several Nomad clusters, one mount with jwks_pairs", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    beforeEach(async () => {
        run = await run2([EAST, WEST], { nomadClustersLayout: "jwks-pairs" });
    });

    it("mounts one JWT auth method at the stack's path", () => {
        assert.deepStrictEqual(
            mounts(run).map((m) => m.path),
            ["jwt-nomad"],
        );
    });
    it("lists each cluster's JWKS URL, with its CA, as Vault's jwks_pairs", () => {
        assert.deepStrictEqual(mounts(run)[0].jwksPairs, [
            { jwks_url: `${EAST.address}/.well-known/jwks.json`, jwks_ca_pem: CA },
            { jwks_url: `${WEST.address}/.well-known/jwks.json` },
        ]);
    });
    it("sets no single JWKS URL beside the pairs, which Vault refuses", () => {
        assert.deepStrictEqual([mounts(run)[0].jwksUrl, mounts(run)[0].jwksCaPem], [undefined, undefined]);
    });
    it("writes one default role and one templated policy", () => {
        assert.deepStrictEqual(
            [roles(run).filter((r) => r.roleName === "nomad-workloads").length, inputs(policy(run, "nomad-workloads")).name],
            [1, "nomad-workloads"],
        );
    });
    it("writes a job's role once, for every cluster it runs in", () => {
        assert.deepStrictEqual(rolesNamed(run, "api-db"), [["jwt-nomad", ["api-db"]]]);
    });
    it("points every cluster's agents at the one mount", () => {
        const clusters = run.exports.nomadClusters as Record<string, { jwtAuthPath: string }>;
        assert.deepStrictEqual([clusters.east.jwtAuthPath, clusters.west.jwtAuthPath], ["jwt-nomad", "jwt-nomad"]);
    });
    it("passes every policy rule", async () => {
        assert.deepStrictEqual(await packViolations(run), []);
    });
});

describe("a cluster Vault cannot fetch from", function () {
    this.timeout(60_000);
    it("creates no Nomad provider for a cluster that runs no job", async () => {
        const run = await run2([EAST, { ...WEST, name: "north" }, WEST]);
        assert.deepStrictEqual(
            run.ofType("pulumi:providers:nomad").map((p) => p.name),
            ["clusters-nomad-east", "clusters-nomad-west"],
        );
    });
    it("takes the stack's mount description over the cluster's", async () => {
        const run = await run2([EAST, WEST], { jwtAuthDescription: "Nomad identities" });
        assert.deepStrictEqual(
            mounts(run).map((m) => m.description),
            ["Nomad identities", "Nomad identities"],
        );
    });
    it("validates that cluster's identities with its static keys", async () => {
        const run = await run2([EAST, { ...WEST, jwtValidationPubkeys: PUBKEY }]);
        const west = mountAt(run, "jwt-nomad-west");
        assert.deepStrictEqual([west.jwksUrl, west.jwtValidationPubkeys], [undefined, [PUBKEY]]);
    });
    it("refuses a job that waits for a job of another cluster, before any resource", async () => {
        const workloads = [{ ...WORKLOADS[0], clusters: ["east"], after: ["worker"] }, WORKLOADS[1]];
        await assert.rejects(
            runProgram({
                stack: "prod",
                config: { ...clustersConfig([EAST, WEST]), workloads: JSON.stringify(workloads) },
                secretKeys: ["nomadClusters", "workloads"],
            }),
            (err: { cause?: Error; registered?: unknown[] }) =>
                /after: worker does not run in cluster east, where this job waits for it/.test(String(err.cause ?? err)) &&
                err.registered?.length === 0,
        );
    });
});

describe("Pulumi.clusters.example.yaml", () => {
    it("is a configuration the program accepts, given a Vault token", () => {
        const example = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.clusters.example.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        const raw = Object.fromEntries(
            Object.entries(example.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
        );
        const settings = loadSettings(raw, "prod", { VAULT_TOKEN: "t" });
        assert.deepStrictEqual(
            settings.nomadClusters.map((c) => [c.name, c.jwksUrl ?? `${c.jwtValidationPubkeys.length} key(s)`]),
            [
                ["east", "https://nomad-east.service.consul:4646/.well-known/jwks.json"],
                ["west", "1 key(s)"],
            ],
        );
    });
});
