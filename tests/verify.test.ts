// `verify` against a fake Vault and a fake Nomad on 127.0.0.1: a healthy stack and the failures
// users hit, each with its exact verdict and diagnosis.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { runAndPrint } from "../automation/verifyCommand";
import { CheckResult, formatResults, verify } from "../verify/run";
import { Target } from "../verify/types";
import { FakeServer, fakeServer } from "./fakeHttp";
import { FakeStack, startFakeStack, World } from "./fakeStack";

describe("verify", function () {
    this.timeout(20_000);
    let stack: FakeStack;
    let world: World;
    let vault: FakeServer;

    beforeEach(async () => {
        stack = await startFakeStack();
        ({ world, vault } = stack);
    });
    afterEach(() => stack.close());

    const target = (): Target => stack.target();
    const verdicts = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));
    const result = (results: CheckResult[], id: string) => results.find((r) => r.id === id)!;

    it("passes every check on a healthy stack", async () => {
        const results = await verify(target());
        assert.deepStrictEqual(
            results.filter((r) => r.status !== "pass").map((r) => `${r.id}: ${r.status} ${r.evidence}`),
            [],
        );
    });
    it("runs the whole chain, in order", async () => {
        assert.deepStrictEqual(
            (await verify(target())).map((r) => r.id),
            [
                "vault-health",
                "nomad-leader",
                "nomad-token",
                "agents",
                "audience",
                "jwks-from-vault",
                "identity",
                "login-and-role",
                "accessor-drift",
                "capabilities",
                "collisions",
                "mongo-healthy",
                "mongo-query",
                "db-creds",
            ],
        );
    });
    it("shows the dynamic user mongo-query authenticated as", async () => {
        assert.strictEqual(
            result(await verify(target()), "mongo-query").evidence,
            "allocation 909f0184 complete; authenticated as v-jwt-nomad-mongo-mongo-QbF7-1700544973",
        );
    });
    it("revokes the lease it took to test the database credentials", async () => {
        await verify(target());
        const revoke = vault.requests.find((r) => r.url === "/v1/sys/leases/revoke");
        assert.deepStrictEqual(JSON.parse(revoke!.body), { lease_id: "database/creds/mongo/abc" });
    });
    it("diagnoses a sealed Vault, and skips what needs Vault", async () => {
        world.sealed = true;
        const results = await verify(target());
        const health = result(results, "vault-health");
        assert.deepStrictEqual(
            [health.status, health.cause, verdicts(results)["jwks-from-vault"], verdicts(results)["db-creds"]],
            ["fail", "Vault is sealed; a dev server starts unsealed, so it was sealed by hand or is not the dev server.", "skip", "skip"],
        );
    });
    it("diagnoses a Nomad without a leader, and skips what needs Nomad", async () => {
        world.leader = "";
        const results = await verify(target());
        const leader = result(results, "nomad-leader");
        assert.deepStrictEqual(
            [leader.status, leader.cause, verdicts(results)["nomad-token"], verdicts(results)["mongo-query"]],
            ["fail", "The Nomad server has not elected a leader (still starting, or its raft state is broken).", "skip", "skip"],
        );
    });
    it("diagnoses a JWKS URL that answers 404 as a wrong path or port", async () => {
        world.jwksPath = "/jwks";
        const jwks = result(await verify(target()), "jwks-from-vault");
        assert.deepStrictEqual(
            [jwks.status, jwks.cause],
            ["fail", "Something answers at that address, but it serves no JWKS there: a wrong path or port."],
        );
    });
    it("diagnoses a JWKS URL Vault cannot reach, naming the container pitfall", async () => {
        const closed = await fakeServer(() => ({ status: 200 }));
        await closed.close();
        world.jwksUrl = `${closed.address}/.well-known/jwks.json`;
        const jwks = result(await verify(target()), "jwks-from-vault");
        assert.deepStrictEqual(
            [jwks.status, jwks.evidence, jwks.cause],
            [
                "fail",
                `${world.jwksUrl} from Vault: no answer (ECONNREFUSED)`,
                "Vault cannot reach Nomad at that address. From inside a container, localhost is the container itself.",
            ],
        );
    });
    it("diagnoses an audience mismatch between the agent and the role", async () => {
        world.agentAudience = ["nomad.io"];
        const check = result(await verify(target()), "audience");
        assert.deepStrictEqual(
            [check.status, check.evidence, check.cause],
            [
                "fail",
                "agent default_identity.aud [nomad.io], role nomad-workloads bound_audiences [vault.io]",
                'Logins fail with "audience claim does not match any expected audience" (older Vault: "aud claim does not match any bound audience"): the agent and the role disagree.',
            ],
        );
    });
    it("diagnoses a failed mongo-query with its task's last event", async () => {
        world.mongoQueryStatus = "failed";
        const check = result(await verify(target()), "mongo-query");
        assert.deepStrictEqual(
            [check.status, check.evidence],
            ["fail", "allocation 909f0184 failed; Template: Missing: vault.read(database/creds/mongo)"],
        );
    });
    it("waits for a stack that is still starting, then passes", async () => {
        world.vaultUnreadyCalls = 3;
        const results = await verify({ ...target(), probe: undefined }, { waitMs: 2_000, intervalMs: 20 });
        assert.deepStrictEqual(
            [result(results, "vault-health").status, vault.requests.filter((r) => r.url === "/v1/sys/health").length],
            ["pass", 4],
        );
    });
    it("reports a still-starting stack once, without waiting, by default", async () => {
        world.vaultUnreadyCalls = 3;
        const health = result(await verify(target()), "vault-health");
        assert.deepStrictEqual([health.status, health.cause], ["fail", "Vault is not ready (standby, uninitialised or starting)."]);
    });
    /** What `verify --probe` prints, line by line as it runs, with the fakes' ports replaced by the stack's. */
    const printed = async (on: FakeStack = stack, nomadAs = "http://127.0.0.1:4646") => {
        const lines: string[] = [];
        await runAndPrint("dev", on.target(), { json: false }, (line) => lines.push(line));
        const text = lines.join("\n").replaceAll(on.vault.address, "http://127.0.0.1:8200").replaceAll(on.nomad.address, nomadAs);
        if (process.env.PRINT_VERIFY_EXAMPLES) console.log(text);
        return text;
    };
    const example = (file: string, title: string) => {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
        const start = text.indexOf(`<!-- verify-example: ${title} -->`);
        assert.ok(start >= 0, `${file} has no verify example "${title}"`);
        return /```\n([\s\S]*?)\n```/.exec(text.slice(start))![1];
    };

    it("prints what the README shows for a healthy stack", async () => {
        assert.strictEqual(await printed(), example("README.md", "healthy"));
    });
    it("prints what the README shows for an audience mismatch", async () => {
        world.agentAudience = ["nomad.io"];
        assert.strictEqual(await printed(), example("README.md", "audience mismatch"));
    });
    it("prints what docs/verify.md shows for a policy on a stale accessor", async () => {
        world.policyAccessor = "auth_jwt_5f1e0c2a";
        assert.strictEqual(await printed(), example("docs/verify.md", "stale accessor"));
    });
    it("prints what docs/verify.md shows for a sealed Vault", async () => {
        world.sealed = true;
        assert.strictEqual(await printed(), example("docs/verify.md", "sealed Vault"));
    });
    it("prints what docs/verify.md shows for a probe job Nomad refuses", async () => {
        world.probeRegisterStatus = 403;
        assert.strictEqual(await printed(), example("docs/verify.md", "probe refused"));
    });
    it("prints what docs/verify.md shows for an external cluster whose Vault does not trust Nomad's CA", async () => {
        const external = await startFakeStack({ external: true });
        try {
            external.world.vaultJwksError =
                'Get "https://nomad.example.com:4646/.well-known/jwks.json": tls: failed to verify certificate: x509: certificate signed by unknown authority';
            external.world.jwksUrl = "https://nomad.example.com:4646/.well-known/jwks.json";
            assert.strictEqual(
                await printed(external, "https://nomad.example.com:4646"),
                example("docs/verify.md", "external, unknown CA"),
            );
        } finally {
            await external.close();
        }
    });
    it("leaves the sample workload's checks out on an external stack", async () => {
        const results = await verify({ ...target(), sampleWorkload: false });
        assert.deepStrictEqual(
            results.filter((r) => ["mongo-healthy", "mongo-query", "db-creds"].includes(r.id)),
            [],
        );
    });
    it("skips the JWKS check where Vault's own view is not available and no probe can log in", async () => {
        const jwks = result(await verify({ ...target(), fetchFromVault: undefined, probe: undefined }), "jwks-from-vault");
        assert.match(`${jwks.status}: ${jwks.evidence}`, /^skip: .*Vault's network is not this machine's/);
    });
    it("prints one line per check, with cause and fix under a failure", async () => {
        world.agentAudience = ["nomad.io"];
        const text = formatResults(await verify(target()));
        assert.match(
            text,
            /^FAIL  audience {9}.*: agent default_identity\.aud \[nomad\.io\].*\n {6}cause: .*\n {6}fix: {3}Set the same audience/m,
        );
    });
});
