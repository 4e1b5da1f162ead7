// verify's login-chain checks, each with a healthy and a broken scenario, against a fake Vault and
// fake Nomad agents that serve real keys and sign real identities (RS256 and EdDSA).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { PROBE_IDENTITY_ENV, probeJob } from "../verify/probe";
import { CheckResult, resultsJson, verify } from "../verify/run";
import { Target } from "../verify/types";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { FakeServer, fakeServer } from "./fakeHttp";
import { checkOnly, FakeStack, jwksOf, KEYS, nomadApi, probeIdentity, startFakeStack, World } from "./fakeStack";

describe("verify: the login chain", function () {
    this.timeout(20_000);
    let stack: FakeStack;
    let world: World;
    let vault: FakeServer;
    const extra: FakeServer[] = [];

    beforeEach(async () => {
        stack = await startFakeStack();
        ({ world, vault } = stack);
    });
    afterEach(async () => {
        await Promise.all([stack.close(), ...extra.splice(0).map((s) => s.close())]);
    });

    const target = (): Target => stack.target();
    const check = (id: string): Promise<CheckResult> => checkOnly(target(), id);
    /** Another agent of the cluster, a client node whose full node (/v1/node/:id) gives its HTTPAddr. */
    const addAgent = async (agent: { server: boolean; jwks?: { keys: unknown[] } }, agentWorld?: World) => {
        let address = "";
        const server = await fakeServer((req) => nomadApi(agentWorld ?? world, { ...agent, address: () => address })(req));
        address = server.address;
        extra.push(server);
        world.otherAgents.push(server.address.replace("http://", ""));
    };

    describe("agents", () => {
        it("passes when every agent, server and client, has Vault and one audience", async () => {
            await addAgent({ server: false });
            assert.deepStrictEqual(
                [(await check("agents")).status, (await check("agents")).evidence],
                ["pass", "2 agent(s), aud [vault.io]"],
            );
        });
        it("fails on an agent without Vault enabled, naming Nomad's error", async () => {
            world.vaultEnabled = false;
            const result = await check("agents");
            assert.deepStrictEqual(
                [result.status, result.cause],
                ["fail", 'Jobs fail with "Vault \\"default\\" not enabled but used in the job" on those agents.'],
            );
        });
        it("fails when servers sign for different audiences", async () => {
            await addAgent({ server: true }, { ...world, agentAudience: ["nomad.io"] });
            assert.match((await check("agents")).evidence, /^servers sign for different audiences: \[vault\.io\] vs \[nomad\.io\]$/);
        });
    });

    describe("audience and mount path", () => {
        it("passes when the agents' JWT path is a mount of Vault", async () => {
            assert.strictEqual((await check("audience")).evidence, "aud [vault.io] bound by nomad-workloads; JWT path jwt-nomad/ mounted");
        });
        it("fails when an agent logs in at a path Vault does not serve", async () => {
            world.agentJwtPath = "jwt";
            const result = await check("audience");
            assert.deepStrictEqual(
                [result.status, result.cause],
                ["fail", 'Those clients log tasks in at a path Vault does not serve ("no handler for route").'],
            );
        });
    });

    describe("JWKS from Vault's side", () => {
        it("passes when every server serves the keys Vault fetches", async () => {
            await addAgent({ server: true });
            assert.match((await check("jwks-from-vault")).evidence, /: 2 key\(s\), the same on 2 server\(s\)$/);
        });
        it("fails when one server's keyring has diverged", async () => {
            await addAgent({ server: true, jwks: jwksOf(KEYS.rogue) });
            const result = await check("jwks-from-vault");
            assert.deepStrictEqual(
                [result.status, result.cause],
                [
                    "fail",
                    'Servers disagree on their keyring: identities signed by some fail with "failed to verify id token signature", now and then.',
                ],
            );
        });
    });

    describe("JWKS over TLS", () => {
        const failingWith = async (error: string) =>
            (await verify({ ...target(), fetchFromVault: async () => ({ status: 0, body: "", error }) })).find(
                (r) => r.id === "jwks-from-vault",
            )!;

        it("names a Nomad that demands client certificates", async () => {
            assert.match(
                (await failingWith("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED")).cause!,
                /verify_https_client.*cannot present one/,
            );
        });
        it("names a CA Vault does not trust", async () => {
            assert.match((await failingWith("UNABLE_TO_VERIFY_LEAF_SIGNATURE")).cause!, /certificate signed by unknown authority/);
        });
    });

    describe("a real identity", () => {
        it("passes an RS256 identity signed by a served key", async () => {
            assert.match(
                (await check("identity")).evidence,
                /^kid 110a70ac-76a5-16a7-4ae7-bb0865ecd1a5 \(RS256\), aud \[vault\.io\], 60 min left on Vault's clock; Vault's clock agrees with this machine's$/,
            );
        });
        it("passes an EdDSA identity signed by a served key", async () => {
            world.probe = probeIdentity(KEYS.ed25519);
            assert.match((await check("identity")).evidence, /^kid 2c1f8a6e-9b1d-4f0e-8e7a-3f5d2b9c7a11 \(EdDSA\)/);
        });
        it("fails an identity whose key the JWKS does not serve", async () => {
            world.probe = probeIdentity(KEYS.rogue);
            const result = await check("identity");
            assert.deepStrictEqual(
                [result.status, result.evidence.startsWith(`kid ${KEYS.rogue.kid} is not among the JWKS's`)],
                ["fail", true],
            );
        });
        it("fails an identity expired on Vault's clock, giving the skew", async () => {
            const past = Math.floor(Date.now() / 1000) - 7200;
            world.probe = probeIdentity(KEYS.rsa, { iat: past, nbf: past, exp: past + 3600 });
            const result = await check("identity");
            assert.match(`${result.status}: ${result.evidence}`, /^fail: Vault's clock is 36\d\ds after exp/);
        });
        it("fails an identity for another audience", async () => {
            world.probe = probeIdentity(KEYS.rsa, { aud: "nomad.io" });
            assert.strictEqual(
                (await check("identity")).cause,
                'Vault refuses the login: "invalid audience (aud) claim: audience claim does not match any expected audience".',
            );
        });
        it("is skipped, not failed, without a probe", async () => {
            const results = await verify({ ...target(), probe: undefined });
            assert.strictEqual(results.find((r) => r.id === "identity")!.status, "skip");
        });
    });

    describe("login and role", () => {
        it("passes a login whose token is periodic, and revokes it", async () => {
            const result = await check("login-and-role");
            const revoked = vault.requests.some((r) => r.url === "/v1/auth/token/revoke-self");
            assert.deepStrictEqual(
                [result.evidence, revoked],
                ["logged in as nomad-workloads: period 1800s, policies [default, nomad-workloads]; token revoked", true],
            );
        });
        it("fails on a role that drifted from what the stack declares, field by field", async () => {
            world.role = { ...world.role!, token_period: 3600 };
            assert.strictEqual((await check("login-and-role")).evidence, "token_period: Vault has 3600, the stack declares 1800");
        });
        it("fails a refused login with Vault's own message", async () => {
            world.loginError = "error validating token: invalid subject (sub) claim";
            assert.match((await check("login-and-role")).evidence, /^login: HTTP 400 .*invalid subject \(sub\) claim/);
        });
        it("fails a token that is not periodic", async () => {
            world.tokenPeriod = 0;
            assert.match((await check("login-and-role")).cause!, /lease expired/);
        });
    });

    describe("accessor drift", () => {
        it("passes when the policy names the live accessor", async () => {
            assert.strictEqual((await check("accessor-drift")).evidence, "nomad-workloads names auth_jwt_d34481ad");
        });
        it("fails when the policy still names a re-created mount's old accessor", async () => {
            world.policyAccessor = "auth_jwt_0ld0ld00";
            assert.strictEqual(
                (await check("accessor-drift")).evidence,
                "policy nomad-workloads names [auth_jwt_0ld0ld00], the mount's accessor is auth_jwt_d34481ad",
            );
        });
    });

    describe("capabilities", () => {
        it("passes when each default-role job may read what its templates read", async () => {
            assert.strictEqual(
                (await check("capabilities")).evidence,
                "1 job(s) using the default role and 1 with a role of their own can read what their templates read; Vault grants the probe read on kv/data/default/vaultnomad-verify-probe/verify",
            );
        });
        it("fails naming the denied path of a job reading outside its own", async () => {
            world.jobs.push({ ID: "web", Namespace: "default", Templates: ['{{with secret "kv/data/default/mongo/config"}}{{end}}'] });
            assert.strictEqual(
                (await check("capabilities")).evidence,
                'denied: default/web: read kv/data/default/mongo/config: no rule of policies default, nomad-workloads matches "kv/data/default/mongo/config"',
            );
        });
        it("fails naming the path a job's own role does not grant it", async () => {
            world.jobRoles["mongo-dynamic-secret"].policy = 'path "database/creds/other" {\n  capabilities = ["read"]\n}\n';
            assert.strictEqual(
                (await check("capabilities")).evidence,
                'denied: default/mongo-query (role mongo-dynamic-secret): read database/creds/mongo: no rule of policies default, mongo-dynamic-secret matches "database/creds/mongo"',
            );
        });
        it("fails naming a job's own role that Vault does not have", async () => {
            world.jobRoles = {};
            assert.match(
                (await check("capabilities")).evidence,
                /^denied: default\/mongo-query \(role mongo-dynamic-secret: HTTP 404\b.*\): read database\/creds\/mongo$/,
            );
        });
    });

    describe("capabilities, as Vault evaluates them", () => {
        it("fails when Vault itself denies the probe its own path", async () => {
            world.probeCapabilities = ["deny"];
            assert.strictEqual(
                (await check("capabilities")).evidence,
                "Vault's sys/capabilities-self for the probe's kv/data/default/vaultnomad-verify-probe/verify: [deny], where the policies' text gives [read]",
            );
        });
    });

    describe("collisions and leftovers", () => {
        it("passes unique job IDs", async () => {
            assert.strictEqual((await check("collisions")).status, "pass");
        });
        it("warns of one job ID in several namespaces, without failing the run", async () => {
            world.jobs.push({ ID: "mongo", Namespace: "team", Templates: [] });
            const results = await verify(target());
            const result = results.find((r) => r.id === "collisions")!;
            assert.deepStrictEqual(
                [result.status, result.evidence, resultsJson("dev", results).passed],
                ["warn", "mongo in default, team", true],
            );
        });
        it("warns of vault.policies, which workload identity ignores", async () => {
            world.jobs[0].Policies = ["mongo-root"];
            assert.strictEqual((await check("collisions")).evidence, "default/mongo: vault.policies [mongo-root]");
        });
    });

    describe("tokens the user does not hold", () => {
        it("skips the Nomad checks, and does not fail, without a Nomad token", async () => {
            const results = await verify({ ...target(), nomadToken: "" });
            const nomadChecks = results.filter((r) => ["nomad-token", "agents", "collisions", "mongo-healthy"].includes(r.id));
            assert.deepStrictEqual(
                [nomadChecks.map((r) => r.status), resultsJson("dev", results).passed],
                [["skip", "skip", "skip", "skip"], true],
            );
        });
    });

    describe("Vault namespaces", () => {
        it("sends the configured namespace with every Vault call", async () => {
            await verify({ ...target(), vaultNamespace: "platform" });
            const without = vault.requests.filter((r) => r.headers["x-vault-namespace"] !== "platform").map((r) => r.url);
            assert.deepStrictEqual([vault.requests.length > 5, without], [true, []]);
        });
    });

    describe("the stack's Nomad token", () => {
        it("passes a management token", async () => {
            assert.strictEqual((await check("nomad-token")).status, "pass");
        });
        it("fails a stack's token that Nomad knows as a client token, not a management one", async () => {
            world.nomadTokenType = "client";
            assert.deepStrictEqual(
                [(await check("nomad-token")).status, (await check("nomad-token")).evidence.startsWith("acl/token/self: HTTP 200")],
                ["fail", true],
            );
        });
    });

    describe("the mongo job", () => {
        it("passes a running allocation whose deployment is healthy", async () => {
            assert.match((await check("mongo-healthy")).evidence, /^allocation \w{8} running, healthy$/);
        });
        it("fails a running allocation that is not healthy yet", async () => {
            world.mongoAlloc = { ClientStatus: "running", Healthy: false };
            assert.strictEqual((await check("mongo-healthy")).status, "fail");
        });
        it("fails an allocation once healthy that no longer runs", async () => {
            world.mongoAlloc = { ClientStatus: "failed", Healthy: true };
            assert.match((await check("mongo-healthy")).evidence, /^allocation \w{8} failed; /);
        });
    });

    describe("dynamic secrets", () => {
        it("fails when Vault cannot create a database user", async () => {
            world.credsStatus = 500;
            assert.match((await check("db-creds")).evidence, /^database\/creds\/mongo: HTTP 500 .*server selection error/);
        });
    });

    describe("--json", () => {
        it("matches verify/result.schema.json", async () => {
            const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "verify/result.schema.json"), "utf8"));
            world.agentAudience = ["nomad.io"];
            const validate = new Ajv({ allErrors: true }).compile(schema);
            const valid = validate(JSON.parse(JSON.stringify(resultsJson("dev", await verify(target())))));
            assert.deepStrictEqual([valid, validate.errors ?? []], [true, []]);
        });
        it("matches the schema with skipped checks and what would run them", async () => {
            const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "verify/result.schema.json"), "utf8"));
            const validate = new Ajv({ allErrors: true }).compile(schema);
            const valid = validate(JSON.parse(JSON.stringify(resultsJson("dev", await verify({ ...target(), probe: undefined })))));
            assert.deepStrictEqual([valid, validate.errors ?? []], [true, []]);
        });
        it("describes the error document verify prints under --json", () => {
            const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "verify/result.schema.json"), "utf8"));
            const validate = new Ajv().compile(schema);
            assert.strictEqual(validate({ stack: "dev", passed: false, error: "There is no stack named dev." }), true);
        });
        it("the schema refuses a result without a status", () => {
            const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "verify/result.schema.json"), "utf8"));
            const validate = new Ajv().compile(schema);
            assert.strictEqual(
                validate({ stack: "dev", passed: true, counts: {}, checks: [{ id: "x", title: "x", evidence: "" }] }),
                false,
            );
        });
    });
});

describe("verify: the probe job", () => {
    it("asks Nomad for a vault_default identity with the stack's audience, in the task's environment", () => {
        const task = (probeJob("apps", { audience: "vault.io" }) as any).TaskGroups[0].Tasks[0];
        assert.deepStrictEqual(
            [task.Identities, task.Config.command, task.Config.args],
            [
                [{ Name: "vault_default", Audience: ["vault.io"], TTL: 3_600_000_000_000, Env: true, File: false }],
                "sh",
                ["-c", `printf %s "$${PROBE_IDENTITY_ENV}"`],
            ],
        );
    });
});
