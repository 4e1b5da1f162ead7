// verify's verdicts against fakes that answer from the real servers' shapes: the defects of issue 12,
// each with the scenario that exposed it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { runAndPrint, withJsonErrors, VerifyFailed } from "../automation/verifyCommand";
import { durationSeconds, roleDrift } from "../verify/roleMeaning";
import { CheckResult, formatSummary, resultsJson, verify } from "../verify/run";
import { Denied } from "../verify/clients";
import { audienceCheck } from "../verify/agentChecks";
import { nomadLeader, vaultHealth } from "../verify/checks";
import { Check, RunContext, Target } from "../verify/types";
import { fail, pass } from "../verify/outcome";
import { FIXTURE_DIR, readFixture, SOURCE } from "./apiFixtures";
import { checkOnly, DECLARED_ROLE, FakeStack, KEYS, probeIdentity, startFakeStack, World } from "./fakeStack";

const byId = (results: CheckResult[], id: string) => results.find((r) => r.id === id)!;

describe("verify against real-shape answers", function () {
    this.timeout(20_000);
    let stack: FakeStack;
    let world: World;
    beforeEach(async () => {
        stack = await startFakeStack();
        ({ world } = stack);
    });
    afterEach(() => stack.close());
    const target = (): Target => stack.target();
    const check = (id: string, t: Target = target()) => checkOnly(t, id);

    describe("fixtures", () => {
        it("each names the upstream source file its shape was checked against", () => {
            const unsourced = fs
                .readdirSync(FIXTURE_DIR)
                .filter((file) => !SOURCE.test(JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, file), "utf8")).source ?? ""));
            assert.deepStrictEqual(unsourced, []);
        });
        it("a fixture without its source line is refused by the fakes", () => {
            const file = path.join(FIXTURE_DIR, "zz-unsourced.json");
            fs.writeFileSync(file, JSON.stringify({ status: 200, body: {} }));
            try {
                assert.throws(() => readFixture("zz-unsourced"), /names no upstream source file/);
            } finally {
                fs.unlinkSync(file);
            }
        });
        it("serve the role with its map keys sorted, as Go does", () => {
            assert.deepStrictEqual(Object.keys(readFixture("vault.jwt-role").body.data.claim_mappings), [
                "nomad_job_id",
                "nomad_namespace",
                "nomad_task",
            ]);
        });
    });

    describe("1: the role read back by meaning", () => {
        it("passes a healthy role whose claim_mappings come back in Go's key order", async () => {
            assert.strictEqual((await check("login-and-role")).status, "pass");
        });
        it("equates a declared duration with Vault's integer seconds", () => {
            assert.deepStrictEqual(roleDrift({ token_period: 1800 }, { token_period: "30m" }), []);
        });
        it("reads Go durations as seconds", () => {
            assert.deepStrictEqual(["30m", "1h30m", "90s", "1800", 60].map(durationSeconds), [1800, 5400, 90, 1800, 60]);
        });
        it("treats absent, null and [] alike, and set-like lists in any order", () => {
            assert.deepStrictEqual(
                roleDrift(
                    { bound_audiences: ["b", "a"], token_bound_cidrs: null, bound_claims: null },
                    { bound_audiences: ["a", "b"], token_bound_cidrs: [], bound_claims: {}, allowed_redirect_uris: [] },
                ),
                [],
            );
        });
        it("still tells a real change, naming both values", async () => {
            world.role = { ...world.role!, claim_mappings: { nomad_job_id: "nomad_job_id" } };
            assert.strictEqual(
                (await check("login-and-role")).evidence,
                'claim_mappings: Vault has {"nomad_job_id":"nomad_job_id"}, the stack declares {"nomad_job_id":"nomad_job_id","nomad_namespace":"nomad_namespace","nomad_task":"nomad_task"}',
            );
        });
    });

    describe("3: a failed probe is a failure with its cause", () => {
        it("fails identity with Nomad's refusal of the probe job", async () => {
            world.probeRegisterStatus = 403;
            const identity = await check("identity");
            assert.deepStrictEqual(
                [identity.status, identity.evidence, identity.cause],
                [
                    "fail",
                    "registering the probe job: HTTP 403 Permission denied",
                    "Nomad refuses the stack's token (Permission denied): it is stale, or may not submit jobs in namespace default.",
                ],
            );
        });
        it("says Nomad did not accept the probe job when it refuses for another reason than the token", async () => {
            world.probeRegisterStatus = 500;
            const identity = await check("identity");
            assert.deepStrictEqual(
                [identity.evidence, identity.cause, identity.fix],
                [
                    "registering the probe job: HTTP 500 No cluster leader",
                    "Nomad did not accept the probe job.",
                    "Read Nomad's answer above; nomad job validate shows the same.",
                ],
            );
        });
        it("fails identity with the probe allocation's last event", async () => {
            world.probeAllocStatus = "failed";
            assert.match((await check("identity")).evidence, /^the probe's allocation a1b2c3d4 failed; Started: Task started by client$/);
        });
        it("fails identity when the probe never completes, within its bound", async () => {
            world.probeAllocStatus = "pending";
            const identity = await check("identity", { ...target(), probe: { audience: "vault.io", intervalMs: 10, timeoutMs: 200 } });
            assert.strictEqual(identity.evidence, "the probe job did not complete within 0 s (allocation a1b2c3d4 pending)");
        });
        it("fails identity with the lost probe allocation's last event, and says the task did not run", async () => {
            world.probeAllocStatus = "lost";
            const identity = await check("identity");
            assert.deepStrictEqual(
                [identity.evidence, identity.cause],
                [
                    "the probe's allocation a1b2c3d4 lost; Started: Task started by client",
                    "The probe task did not run; its last event says why (image pull, docker driver, or identity).",
                ],
            );
        });
        it("says why a probe that never completes found no client, and how to look", async () => {
            world.probeAllocStatus = "pending";
            const identity = await check("identity", { ...target(), probe: { audience: "vault.io", intervalMs: 10, timeoutMs: 200 } });
            assert.deepStrictEqual(
                [identity.cause, identity.fix],
                [
                    "No client ran the probe in time: no ready client with the docker driver in the job's datacenters, or the image is still pulling.",
                    "nomad node status; nomad job status vaultnomad-verify-probe",
                ],
            );
        });
        it("tells, before the probe job runs, where and for how long at most", async () => {
            const progress: string[] = [];
            await verify(target(), { onProgress: (id, message) => progress.push(`${id}: ${message}`) });
            assert.deepStrictEqual(progress, ["identity: running the probe job vaultnomad-verify-probe in namespace default (up to 60 s)"]);
        });
        /** The job verify submits for the probe, as the fake Nomad received it. */
        const submitted = async (t: Target = target()) => {
            await check("identity", t);
            const post = stack.nomad.requests.filter((r) => r.method === "POST" && r.url.startsWith("/v1/jobs")).at(-1)!;
            return { url: post.url, job: JSON.parse(post.body).Job };
        };
        it("submits the probe in the namespace verify is given", async () => {
            assert.match((await submitted({ ...target(), nomadNamespace: "apps" })).url, /[?&]namespace=apps(&|$)/);
        });
        it("submits a batch job that runs once, in any datacenter: no restart, no reschedule", async () => {
            const { job } = await submitted();
            assert.deepStrictEqual(
                [job.Type, job.Datacenters, job.TaskGroups[0].RestartPolicy, job.TaskGroups[0].ReschedulePolicy],
                ["batch", ["*"], { Attempts: 0, Mode: "fail" }, { Attempts: 0, Unlimited: false }],
            );
        });
        it("runs busybox with docker unless told another image", async () => {
            const task = (image?: string) =>
                submitted({ ...target(), probe: { audience: "vault.io", image } }).then(({ job }) => job.TaskGroups[0].Tasks[0]);
            const [plain, other] = [await task(), await task("registry.example/busybox:1.36")];
            assert.deepStrictEqual(
                [plain.Driver, plain.Config.image, other.Config.image],
                ["docker", "busybox:1.36", "registry.example/busybox:1.36"],
            );
        });
        it("fails identity when the probe printed no identity, saying Nomad gave the task none", async () => {
            world.probe = "";
            const identity = await check("identity");
            assert.deepStrictEqual(
                [
                    identity.status,
                    identity.evidence.startsWith("the probe's allocation a1b2c3d4 printed no identity (HTTP 200"),
                    identity.cause,
                ],
                [
                    "fail",
                    true,
                    "Nomad gave the task no NOMAD_TOKEN_vault_default: the agent has no vault.default_identity, or the job's identity was refused.",
                ],
            );
        });
        it("purges the probe job whatever happened", async () => {
            world.probeAllocStatus = "failed";
            await verify(target());
            assert.ok(
                stack.nomad.requests.some((r) => r.method === "DELETE" && r.url.startsWith("/v1/job/vaultnomad-verify-probe?purge=true")),
            );
        });
        it("keeps every other line when the probe fails", async () => {
            world.probeRegisterStatus = 403;
            const results = await verify(target());
            assert.deepStrictEqual([results.length, byId(results, "mongo-query").status], [14, "pass"]);
        });
        it("turns a check's exception into its failure and runs the rest", async () => {
            const throwing: Check = {
                id: "boom",
                title: "Throws",
                needs: [],
                run: async () => Promise.reject(new Error("unexpected shape")),
            };
            const after: Check = { id: "after", title: "Runs after", needs: [], run: async () => pass("ran") };
            const results = await verify(target(), { checks: [throwing, after] });
            assert.deepStrictEqual(
                results.map((r) => [r.id, r.status, r.evidence]),
                [
                    ["boom", "fail", "verify could not complete this check: unexpected shape"],
                    ["after", "pass", "ran"],
                ],
            );
        });
    });

    describe("a refusal of verify's own token", () => {
        const refusedBy = (api: "Vault" | "Nomad"): Check => ({
            id: "refused",
            title: "Reads what the token may not",
            needs: [],
            run: async () => Promise.reject(new Denied(api, "agent:read", "/v1/agent/self")),
        });
        const outcome = async (api: "Vault" | "Nomad", nomadToken: string) => {
            const [result] = await verify({ ...target(), nomadToken }, { checks: [refusedBy(api)] });
            return [result.status, result.evidence, result.runWith ?? result.fix];
        };
        it("skips a Nomad read refused when verify was given no Nomad token, saying which token to pass", async () => {
            assert.deepStrictEqual(await outcome("Nomad", ""), [
                "skip",
                "no Nomad token to read /v1/agent/self with",
                "NOMAD_TOKEN=<a token with verify's Nomad policy, docs/verify.md>",
            ]);
        });
        it("fails a Nomad read refused to the token verify was given, naming the capability it lacks", async () => {
            assert.deepStrictEqual(await outcome("Nomad", "a-token"), [
                "fail",
                "Nomad refuses verify's token: it lacks agent:read on /v1/agent/self",
                "Grant it (docs/verify.md has the minimal Nomad policy for verify), or run with a token that has it.",
            ]);
        });
        it("fails a Vault read refused, whatever the Nomad token", async () => {
            assert.deepStrictEqual((await outcome("Vault", ""))[0], "fail");
        });
    });

    describe("the JSON document", () => {
        it("has not passed when one check failed among passes", () => {
            const json = resultsJson("dev", [
                { id: "a", title: "A", status: "pass", evidence: "" },
                { id: "b", title: "B", status: "fail", evidence: "" },
            ]);
            assert.deepStrictEqual([json.passed, json.counts], [false, { pass: 1, warn: 0, fail: 1, skip: 0 }]);
        });
    });

    describe("5: no false green", () => {
        it("never ends with 'All checks passed' when checks were skipped, and says what runs them", async () => {
            const results = await verify({ ...target(), probe: undefined });
            assert.strictEqual(
                formatSummary(results),
                "No check failed, but 2 check(s) skipped (identity, login-and-role); to run them: verify --probe (runs a short probe job for a real identity).",
            );
        });
        it("ends with 'All checks passed' only when every check ran and passed", async () => {
            assert.strictEqual(formatSummary(await verify(target())), "All checks passed.");
        });
        it("says it passed with warnings, naming the checks, when agents could not be reached", async () => {
            world.otherServers = ["server-2.global"];
            assert.strictEqual(formatSummary(await verify(target())), "Passed with 1 warning(s) (agents).");
        });
        it("names the warnings beside the skipped checks, and beside the failures", async () => {
            world.otherServers = ["server-2.global"];
            const skipped = formatSummary(await verify({ ...target(), probe: undefined }));
            world.sealed = true;
            const failed = formatSummary(await verify({ ...target(), probe: undefined }));
            assert.deepStrictEqual(
                [skipped.split(";")[0], failed.split(";")[0]],
                [
                    "Passed with 1 warning(s) (agents), but 2 check(s) skipped (identity, login-and-role)",
                    "1 check(s) failed. 1 warning(s) (agents). 7 check(s) skipped (audience, jwks-from-vault, identity, login-and-role, accessor-drift, capabilities, db-creds).",
                ],
            );
        });
        it("offers an option only for the checks it runs, not for those a failed check holds back", async () => {
            world.sealed = true;
            const results = await verify({ ...target(), nomadToken: "", probe: undefined });
            assert.strictEqual(
                formatSummary(results),
                "1 check(s) failed. 12 check(s) skipped (nomad-token, agents, audience, jwks-from-vault, identity, login-and-role, " +
                    "accessor-drift, capabilities, collisions, mongo-healthy, mongo-query, db-creds); " +
                    "to run nomad-token, agents, collisions, mongo-healthy, mongo-query: NOMAD_TOKEN=<management token> in the environment.",
            );
        });
    });

    describe("6: agents from what the cluster advertises", () => {
        it("finds client agents through the full node, not the list stub", async () => {
            assert.ok(!("HTTPAddr" in readFixture("nomad.nodes").body[0]));
            const agents = await check("agents");
            assert.deepStrictEqual([agents.status, agents.evidence], ["pass", "1 agent(s), aud [vault.io]"]);
        });
        it("looks for a server that is no client node at its serf address, and names what answered there", async () => {
            world.otherServers = ["server-2.global"];
            const agents = await check("agents");
            assert.deepStrictEqual(
                [agents.status, agents.evidence],
                [
                    "warn",
                    `1 agent(s), aud [vault.io]; not reached: server server-2.global (serf 127.0.0.1:4648): ${stack.nomad.address} answers as vaultnomad-dev.global`,
                ],
            );
        });
    });

    describe("7: exp and nbf by the role's leeways on Vault's clock", () => {
        const late = (seconds: number) => {
            const now = Math.floor(Date.now() / 1000);
            return probeIdentity(KEYS.rsa, { iat: now - 3600 - seconds, nbf: now - 3600 - seconds, exp: now - seconds });
        };
        it("passes an identity within the role's own clock_skew_leeway", async () => {
            world.role = { ...world.role!, clock_skew_leeway: 300 };
            world.probe = late(200);
            assert.strictEqual((await check("identity")).status, "pass");
        });
        it("fails an identity past exp by more than the default clock_skew_leeway, naming it", async () => {
            world.probe = late(100);
            assert.match((await check("identity")).evidence, /^Vault's clock is 10\ds after exp \(clock_skew_leeway 60s;/);
        });
        it("judges by Vault's clock and reports its skew against this machine's", async () => {
            world.vaultClockOffset = 3700;
            assert.match(
                (await check("identity")).evidence,
                /^Vault's clock is 10\ds after exp .*; Vault's clock is 370\ds ahead of this machine's$/,
            );
        });
    });

    describe("8: --wait retries only what can heal", () => {
        /** A catalog check on its own, counting its runs. */
        const counted = (check: Check) => {
            const runs = { count: 0 };
            return { runs, check: { ...check, needs: [], run: (t: Target, c: RunContext) => (runs.count++, check.run(t, c)) } };
        };
        it("does not retry a role that could not be found", async () => {
            world.role = undefined;
            const { runs, check } = counted(audienceCheck);
            const [result] = await verify(target(), { checks: [check], waitMs: 500, intervalMs: 10 });
            assert.deepStrictEqual([result.status, runs.count], ["fail", 1]);
        });
        it("retries a sealed Vault until the wait ends", async () => {
            world.sealed = true;
            const { runs, check } = counted(vaultHealth);
            await verify(target(), { checks: [check], waitMs: 1_000, intervalMs: 10 });
            assert.ok(runs.count > 2, `ran ${runs.count} time(s)`);
        });
        it("bounds the whole run by the wait, not each check", async () => {
            world.sealed = true;
            world.leader = "";
            const health = counted(vaultHealth);
            const leader = counted(nomadLeader);
            await verify(target(), { checks: [health.check, leader.check], waitMs: 1_000, intervalMs: 10 });
            // The first check used up the run's wait; the second, which would heal too, gets one try.
            assert.deepStrictEqual([health.runs.count > 2, leader.runs.count], [true, 1]);
        });
    });

    describe("9: each line as it completes", () => {
        it("prints a line per check before the run ends, and the probe's step before the identity line", async () => {
            const printed: string[] = [];
            await runAndPrint("dev", target(), { json: false }, (text) => printed.push(text));
            const identity = printed.findIndex((l) => l.startsWith("PASS  identity"));
            assert.deepStrictEqual(
                [printed.length, printed[identity - 1], printed[printed.length - 1]],
                [
                    16,
                    "....  identity         running the probe job vaultnomad-verify-probe in namespace default (up to 60 s)…",
                    "All checks passed.",
                ],
            );
        });
        it("hands each result over as soon as it is known", async () => {
            const seen: string[] = [];
            const slow: Check = { id: "slow", title: "Slow", needs: [], run: async () => (seen.push("slow ran"), pass("")) };
            const first: Check = { id: "first", title: "First", needs: [], run: async () => fail("x", "y", "z") };
            await verify(target(), { checks: [first, slow], onResult: (r) => seen.push(r.id) });
            assert.deepStrictEqual(seen, ["first", "slow ran", "slow"]);
        });
        it("prints one JSON document under --json", async () => {
            const printed: string[] = [];
            await runAndPrint("dev", target(), { json: true }, (text) => printed.push(text));
            assert.deepStrictEqual([printed.length, JSON.parse(printed[0]).counts], [1, { pass: 14, warn: 0, fail: 0, skip: 0 }]);
        });
        it("prints an error as JSON under --json", async () => {
            const printed: string[] = [];
            const driver = { out: (text: string) => printed.push(text) } as any;
            await assert.rejects(
                withJsonErrors({ json: true } as any, "dev", driver, async () => Promise.reject(new Error("There is no stack named dev."))),
                VerifyFailed,
            );
            assert.deepStrictEqual(JSON.parse(printed[0]), { stack: "dev", passed: false, error: "There is no stack named dev." });
        });
    });

    it("has no import cycle in verify/: the types live in their own module", () => {
        const dir = path.join(FIXTURE_DIR, "../../../verify");
        const imports = (file: string) =>
            [...fs.readFileSync(path.join(dir, `${file}.ts`), "utf8").matchAll(/from "\.\/(\w+)"/g)].map((m) => m[1]);
        const cycles: string[] = [];
        const walk = (file: string, trail: string[]) => {
            if (trail.includes(file)) {
                cycles.push([...trail.slice(trail.indexOf(file)), file].join(" → "));
                return;
            }
            imports(file).forEach((next) => walk(next, [...trail, file]));
        };
        fs.readdirSync(dir)
            .filter((f) => f.endsWith(".ts"))
            .forEach((f) => walk(f.replace(/\.ts$/, ""), []));
        assert.deepStrictEqual([...new Set(cycles)], []);
    });
    it("declares the role as the stack does", () => {
        assert.deepStrictEqual(Object.keys(DECLARED_ROLE.claim_mappings as object), ["nomad_namespace", "nomad_job_id", "nomad_task"]);
    });
});

describe("verify on an external cluster with TLS", function () {
    this.timeout(20_000);
    let stack: FakeStack;
    let world: World;
    beforeEach(async () => {
        stack = await startFakeStack({ external: true });
        ({ world } = stack);
    });
    afterEach(() => stack.close());

    it("passes a healthy cluster with --probe: every check ran, over mutual TLS", async () => {
        const results = await verify(stack.target());
        assert.deepStrictEqual(
            [results.filter((r) => r.status !== "pass").map((r) => `${r.id}: ${r.evidence}`), formatSummary(results)],
            [[], "All checks passed."],
        );
    });
    it("4: sends every Nomad call, the probe's included, with the client certificate", async () => {
        const results = await verify({ ...stack.target(), nomadClientCertPem: undefined, nomadClientKeyPem: undefined });
        assert.deepStrictEqual([byId(results, "nomad-leader").status, byId(results, "jwks-from-vault").status], ["fail", "fail"]);
    });
    it("4: sends the stack's namespace with the probe's calls", async () => {
        await verify(stack.target());
        const probeCalls = stack.nomad.requests.filter((r) => r.url.includes("vaultnomad-verify-probe") || r.method === "POST");
        assert.deepStrictEqual(
            probeCalls.filter((r) => !r.url.includes("namespace=default")).map((r) => r.url),
            [],
        );
    });
    it("5: lets the probe's login test the JWKS from Vault's side", async () => {
        assert.strictEqual(
            byId(await verify(stack.target()), "jwks-from-vault").evidence,
            `${stack.nomad.address}/.well-known/jwks.json: Vault verified a fresh identity with the keys it fetched (the probe's login succeeded)`,
        );
    });
    it("5: names Vault's unknown CA from its refusal", async () => {
        world.vaultJwksError = `Get "${stack.nomad.address}/.well-known/jwks.json": tls: failed to verify certificate: x509: certificate signed by unknown authority`;
        const jwks = byId(await verify(stack.target()), "jwks-from-vault");
        assert.deepStrictEqual(
            [jwks.status, jwks.cause],
            [
                "fail",
                `Vault does not trust the certificate of ${stack.nomad.address}/.well-known/jwks.json: jwks_ca_pem of auth/jwt-nomad/config is empty or is not the CA that signed Nomad's certificate.`,
            ],
        );
    });
    it("5: names a JWKS URL Vault cannot reach", async () => {
        world.vaultJwksError = `Get "${stack.nomad.address}/.well-known/jwks.json": dial tcp 127.0.0.1:4646: connect: connection refused`;
        assert.match(
            (await verify(stack.target())).find((r) => r.id === "jwks-from-vault")!.cause!,
            /^Vault cannot reach https:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json from its own network/,
        );
    });
    it("5: names an unknown kid", async () => {
        world.vaultCachedKids = ["0ld0ld00-0000-0000-0000-000000000000"];
        assert.match(
            byId(await verify(stack.target()), "jwks-from-vault").cause!,
            /^No key Vault fetched from .* verifies the identity: its kid 110a70ac-76a5-16a7-4ae7-bb0865ecd1a5 is not served there/,
        );
    });
});
