// verify's health, token and sample-workload checks, one outcome per test, each asserted whole: its
// status, the evidence (address, answer), the cause, the fix, and whether waiting can heal it
// (`heals`: what --wait retries). The checks run directly against one fake stack; a test changes
// one World field, or points the target at an address where nothing listens or something else does.
import * as assert from "assert";
import { dbCreds, mongoHealthy, mongoQuery, nomadLeader, nomadToken, vaultHealth } from "../verify/checks";
import { runView } from "../verify/run";
import { Check, Outcome, Target } from "../verify/types";
import { readFixture, served } from "./apiFixtures";
import { closedAddresses, FakeReply, FakeServer, fakeServer } from "./fakeHttp";
import { FakeStack, sharedFakeStack, World } from "./fakeStack";

const TOKEN_ACCESSOR = readFixture("nomad.acl-token-self").body.AccessorID as string;
const MONGO_ALLOC = "49fc68d8";
const QUERY_ALLOC = "909f0184-bbbb-4c5d-8e9f-0a1b2c3d4e5f";

describe("verify: each check's outcomes", function () {
    this.timeout(10_000);
    let stack: FakeStack;
    let world: World;
    /** An address where nothing listens. */
    let nothing: string;
    /** A server that is neither Vault nor Nomad, answering `otherReply`. */
    let other: FakeServer;
    let otherReply: FakeReply;

    const shared = sharedFakeStack();
    before(async () => {
        ({ stack, world } = shared);
        [nothing] = await closedAddresses(1);
        other = await fakeServer(() => otherReply);
    });
    after(() => other.close());

    const run = (check: Check, change: Partial<Target> = {}): Promise<Outcome> => {
        const t = { ...stack.target(), ...change };
        return check.run(t, { view: runView(t) });
    };
    const vaultAt = () => stack.vault.address;
    const nomadAt = () => stack.nomad.address;

    describe("vault-health", () => {
        const NOT_READY = "Vault is not ready (standby, uninitialised or starting).";
        const WAIT = "Wait and run verify again; docker logs <stack>-vault shows why.";
        const NOT_VAULT =
            "Something answers there, but not as Vault: its sys/health gave no Vault status (another service, or a proxy with no Vault behind it).";
        const POINT_AT_VAULT = "Point verify at Vault's API address (the stack's vaultAddress output, or VAULT_ADDR).";

        it("passes an active, unsealed Vault, naming its version and address", async () => {
            assert.deepStrictEqual(await run(vaultHealth), {
                status: "pass",
                evidence: `Vault 1.18.1 at ${vaultAt()} is unsealed and active`,
            });
        });
        it("asks sys/health without the Vault token, which it does not need", async () => {
            const before = stack.vault.requests.length;
            await run(vaultHealth);
            const [health] = stack.vault.requests.slice(before);
            assert.deepStrictEqual([health.url, health.headers["x-vault-token"]], ["/v1/sys/health", undefined]);
        });
        it("warns of Vault 1.16.1's JWKS regression, naming the version and the fix", async () => {
            world.vaultVersion = "1.16.1";
            assert.deepStrictEqual(await run(vaultHealth), {
                status: "warn",
                evidence: `Vault 1.16.1 at ${vaultAt()}`,
                cause: 'Vault 1.16.1 has a JWKS regression: writing the JWT config fails with "error checking jwks URL" or "unexpected signature algorithm" (hashicorp/nomad issue 20298).',
                fix: "Use another Vault version (vaultImage, or upgrade the cluster).",
            });
        });
        it("warns of an Enterprise build of 1.16.1 too", async () => {
            world.vaultVersion = "1.16.1+ent";
            assert.strictEqual((await run(vaultHealth)).status, "warn");
        });
        it("passes 1.16.10, 1.16.2 and 11.16.1, which are not 1.16.1", async () => {
            const statuses: string[] = [];
            for (const version of ["1.16.10", "1.16.2", "11.16.1"]) {
                world.vaultVersion = version;
                statuses.push(`${version}: ${(await run(vaultHealth)).status}`);
            }
            assert.deepStrictEqual(statuses, ["1.16.10: pass", "1.16.2: pass", "11.16.1: pass"]);
        });
        it("fails a sealed Vault (503), naming how to unseal it; waiting heals it", async () => {
            world.sealed = true;
            assert.deepStrictEqual(await run(vaultHealth), {
                status: "fail",
                evidence: `${vaultAt()}: sealed`,
                cause: "Vault is sealed; a dev server starts unsealed, so it was sealed by hand or is not the dev server.",
                fix: "Unseal it (vault operator unseal), or recreate it: pulumi up --replace <vault container URN>.",
                heals: true,
            });
        });
        it("fails an uninitialised Vault (501) as not ready, not as sealed though its sys/health says sealed", async () => {
            world.vaultUninitialised = true;
            const { evidence, ...outcome } = await run(vaultHealth);
            assert.deepStrictEqual(
                [evidence.startsWith(`${vaultAt()}: HTTP 501 {"initialized":false,"sealed":true`), outcome],
                [true, { status: "fail", cause: NOT_READY, fix: WAIT, heals: true }],
            );
        });
        it("fails a standby Vault (429) as not ready; waiting heals it", async () => {
            world.vaultUnreadyCalls = Number.MAX_SAFE_INTEGER;
            const { evidence, ...outcome } = await run(vaultHealth);
            assert.deepStrictEqual(
                [evidence.startsWith(`${vaultAt()}: HTTP 429 {"initialized":true,"sealed":false,"standby":true`), outcome],
                [true, { status: "fail", cause: NOT_READY, fix: WAIT, heals: true }],
            );
        });
        it("fails a standby Vault 1.16.1 as not ready rather than warning of its version", async () => {
            Object.assign(world, { vaultUnreadyCalls: Number.MAX_SAFE_INTEGER, vaultVersion: "1.16.1" });
            assert.deepStrictEqual([(await run(vaultHealth)).status, (await run(vaultHealth)).cause], ["fail", NOT_READY]);
        });
        describe("current Vault's answers (1.19 and later)", () => {
            const answering = (fixture: string) => {
                otherReply = served(fixture);
                return run(vaultHealth, { vaultAddress: other.address });
            };
            it("passes an active Vault 2, whose answer carries more fields than 1.18's", async () => {
                assert.deepStrictEqual(await answering("vault.sys-health-current"), {
                    status: "pass",
                    evidence: `Vault 2.0.4 at ${other.address} is unsealed and active`,
                });
            });
            it("fails a healthy standby (429) as not ready, as it fails 1.18's; waiting heals it", async () => {
                const { evidence, ...outcome } = await answering("vault.sys-health-standby");
                assert.deepStrictEqual(
                    [evidence.startsWith(`${other.address}: HTTP 429 {"initialized":true,"sealed":false,"standby":true`), outcome],
                    [true, { status: "fail", cause: NOT_READY, fix: WAIT, heals: true }],
                );
            });
            it("fails a standby that cannot reach its active node (474) as an HA problem, not a wait; waiting does not heal it", async () => {
                assert.deepStrictEqual(await answering("vault.sys-health-474"), {
                    status: "fail",
                    evidence: `${other.address}: a standby that cannot reach its active node (ha_connection_healthy false, last heartbeat 61s ago)`,
                    cause: "This Vault is a standby whose request-forwarding connection to the active node is down: it cannot forward requests, logins included, so every task sent to it fails. Waiting does not mend it: the active node is down or unreachable on the cluster port.",
                    fix: "On the active node: vault status and vault operator raft list-peers; check the standby can reach its cluster_addr (port 8201 by default, TLS between nodes); meanwhile point VAULT_ADDR at the active node, or at a load balancer that sends only to nodes whose sys/health is 200.",
                });
            });
            it("fails a node removed from its cluster (530) as removed, not as sealed; waiting does not heal it", async () => {
                assert.deepStrictEqual(await answering("vault.sys-health-530"), {
                    status: "fail",
                    evidence: `${other.address}: removed from its cluster (removed_from_cluster true)`,
                    cause: "This Vault node was removed from its raft cluster (vault operator raft remove-peer, or autopilot's dead-server cleanup) and no longer serves; it does not rejoin by itself.",
                    fix: "Point VAULT_ADDR at a node still in the cluster (vault operator raft list-peers there); to bring this node back, clear its raft data and join it again (vault operator raft join).",
                });
            });
        });
        it("fails when nothing listens at Vault's address, naming it and the refusal; waiting heals it", async () => {
            assert.deepStrictEqual(await run(vaultHealth, { vaultAddress: nothing }), {
                status: "fail",
                evidence: `${nothing}: no answer (ECONNREFUSED)`,
                cause: "Vault is not running, or listens elsewhere.",
                fix: "docker ps -a; docker logs <stack>-vault; then `npm run stack -- up`.",
                heals: true,
            });
        });
        it("names a port Node's fetch refuses to connect to (VAULT_ADDR=http://127.0.0.1:1) as such, not as Vault not running", async () => {
            assert.deepStrictEqual(await run(vaultHealth, { vaultAddress: "http://127.0.0.1:1" }), {
                status: "fail",
                evidence: "http://127.0.0.1:1: no answer (bad port)",
                cause: "Node.js's fetch refuses to connect to port 1, whatever listens there: it is one of the Fetch standard's blocked \"bad ports\". Nothing was asked of the server.",
                fix: "Point verify at Vault's API address and port (the stack's vaultAddress output, or VAULT_ADDR; Vault listens on 8200 unless configured otherwise).",
            });
        });
        it("fails, not passes, a server that answers 200 but not as Vault; waiting does not heal it", async () => {
            otherReply = { status: 200, body: "<html><body>Welcome</body></html>", contentType: "text/html" };
            assert.deepStrictEqual(await run(vaultHealth, { vaultAddress: other.address }), {
                status: "fail",
                evidence: `${other.address}: HTTP 200 <html><body>Welcome</body></html>`,
                cause: NOT_VAULT,
                fix: POINT_AT_VAULT,
            });
        });
        it("fails a proxy's 503 with no Vault behind it as not Vault, not as sealed; waiting heals it", async () => {
            otherReply = { status: 503, body: "no healthy upstream", contentType: "text/plain" };
            assert.deepStrictEqual(await run(vaultHealth, { vaultAddress: other.address }), {
                status: "fail",
                evidence: `${other.address}: HTTP 503 no healthy upstream`,
                cause: NOT_VAULT,
                fix: POINT_AT_VAULT,
                heals: true,
            });
        });
    });

    describe("nomad-leader", () => {
        const FIX = "docker logs <stack>-nomad; a dev agent elects itself within seconds of starting.";

        it("passes, naming the leader's address", async () => {
            assert.deepStrictEqual(await run(nomadLeader), { status: "pass", evidence: "leader 127.0.0.1:4647" });
        });
        it("fails a Nomad without a leader, naming its error; waiting heals it", async () => {
            world.leader = "";
            assert.deepStrictEqual(await run(nomadLeader), {
                status: "fail",
                evidence: `${nomadAt()}/v1/status/leader: HTTP 500 No cluster leader`,
                cause: "The Nomad server has not elected a leader (still starting, or its raft state is broken).",
                fix: FIX,
                heals: true,
            });
        });
        it("names a port Node's fetch refuses to connect to as such, not as an agent not running", async () => {
            assert.deepStrictEqual(await run(nomadLeader, { nomadAddress: "http://127.0.0.1:6000" }), {
                status: "fail",
                evidence: "http://127.0.0.1:6000/v1/status/leader: no answer (bad port)",
                cause: "Node.js's fetch refuses to connect to port 6000, whatever listens there: it is one of the Fetch standard's blocked \"bad ports\". Nothing was asked of the server.",
                fix: "Point verify at Nomad's HTTP API address and port (the stack's nomadAddress output, or NOMAD_ADDR; Nomad listens on 4646 unless configured otherwise).",
            });
        });
        it("fails when nothing listens at Nomad's address, as an agent not running; waiting heals it", async () => {
            assert.deepStrictEqual(await run(nomadLeader, { nomadAddress: nothing }), {
                status: "fail",
                evidence: `${nothing}/v1/status/leader: no answer (ECONNREFUSED)`,
                cause: "The Nomad agent is not running, or listens elsewhere.",
                fix: FIX,
                heals: true,
            });
        });
    });

    describe("nomad-token", () => {
        const UNKNOWN = {
            status: "fail",
            evidence: "acl/token/self: HTTP 403 Permission denied",
            cause: "The agent does not know the stack's token: it was recreated with fresh ACL state, or bootstrapped by someone else.",
            fix: "pulumi up --replace <nomad-acl-bootstrap URN> bootstraps the current agent again.",
        };
        const clientToken = (policies: string[]) => {
            world.nomadGate = { token: "verify-reader", policies, allows: () => true };
            return { nomadToken: "verify-reader", source: "cluster" as const };
        };

        it("is skipped without a token, saying what runs it", async () => {
            assert.deepStrictEqual(await run(nomadToken, { nomadToken: "" }), {
                status: "skip",
                evidence: "no Nomad token",
                runWith: "NOMAD_TOKEN=<management token> in the environment",
            });
        });
        it("passes the stack's management token, naming its accessor", async () => {
            assert.deepStrictEqual(await run(nomadToken), { status: "pass", evidence: `management token ${TOKEN_ACCESSOR}` });
        });
        it("fails a stack's token that Nomad knows as a client token; waiting does not heal it", async () => {
            world.nomadTokenType = "client";
            const { evidence, ...outcome } = await run(nomadToken);
            assert.deepStrictEqual(
                [
                    evidence.startsWith(`acl/token/self: HTTP 200 {"AccessorID":"${TOKEN_ACCESSOR}"`),
                    evidence.includes('"Type":"client"'),
                    outcome,
                ],
                [true, true, { status: "fail", cause: UNKNOWN.cause, fix: UNKNOWN.fix }],
            );
        });
        it("fails a token Nomad does not know, naming its refusal; waiting does not heal it", async () => {
            assert.deepStrictEqual(await run(nomadToken, { nomadToken: "a-stale-secret" }), UNKNOWN);
        });
        it("passes a cluster's client token, naming its accessor and policies", async () => {
            assert.deepStrictEqual(await run(nomadToken, clientToken(["verify", "ops-read"])), {
                status: "pass",
                evidence: `client token ${TOKEN_ACCESSOR} with policies [verify, ops-read]`,
            });
        });
        it("passes a cluster's client token without policies (Policies null)", async () => {
            world.nomadTokenType = "client";
            assert.deepStrictEqual(await run(nomadToken, { source: "cluster" }), {
                status: "pass",
                evidence: `client token ${TOKEN_ACCESSOR} with policies []`,
            });
        });
        it("fails a token Nomad does not know on a cluster too", async () => {
            assert.deepStrictEqual(await run(nomadToken, { nomadToken: "a-stale-secret", source: "cluster" }), UNKNOWN);
        });
    });

    describe("mongo-healthy", () => {
        const CAUSE =
            "The mongo task did not start; a template error here means it could not read kv/data/default/mongo/config with its workload identity.";
        const FIX =
            "nomad alloc status <id> (or the evidence above); check the nomad-workloads role and policy, then `npm run stack -- up`.";
        const failing = (status: string, heals?: true) => ({
            status: "fail",
            evidence: `allocation ${MONGO_ALLOC} ${status}; Started: Task started by client`,
            cause: CAUSE,
            fix: FIX,
            ...(heals ? { heals } : {}),
        });

        it("passes a running allocation whose deployment says healthy", async () => {
            assert.deepStrictEqual(await run(mongoHealthy), { status: "pass", evidence: `allocation ${MONGO_ALLOC} running, healthy` });
        });
        it("fails a running allocation whose deployment says unhealthy; waiting heals it", async () => {
            world.mongoAlloc = { ClientStatus: "running", Healthy: false };
            assert.deepStrictEqual(await run(mongoHealthy), failing("running", true));
        });
        it("fails a running allocation whose health is not known yet (no DeploymentStatus); waiting heals it", async () => {
            world.mongoAlloc = { ClientStatus: "running", Healthy: null };
            assert.deepStrictEqual(await run(mongoHealthy), failing("running", true));
        });
        it("fails a pending allocation; waiting heals it", async () => {
            world.mongoAlloc = { ClientStatus: "pending", Healthy: null };
            assert.deepStrictEqual(await run(mongoHealthy), failing("pending", true));
        });
        it("fails a failed allocation, once healthy; waiting does not heal it", async () => {
            world.mongoAlloc = { ClientStatus: "failed", Healthy: true };
            assert.deepStrictEqual(await run(mongoHealthy), failing("failed"));
        });
        it("fails a job Nomad never placed; waiting heals it", async () => {
            world.unplacedJobs = ["mongo"];
            assert.deepStrictEqual(await run(mongoHealthy), {
                status: "fail",
                evidence: "no allocation",
                cause: CAUSE,
                fix: FIX,
                heals: true,
            });
        });
    });

    describe("mongo-query", () => {
        const NOT_FINISHED = {
            cause: "mongo-query did not finish: it could not log in with the mongo-dynamic-secret role, read database/creds/mongo, or reach MongoDB.",
            fix: "Read the evidence above; check the role's bound claims and the policy, then rerun: nomad job run -check-index 0 or `pulumi up --replace <mongo-query job URN>`.",
        };
        const noConnection = (output: string) => ({
            status: "fail",
            evidence: `allocation 909f0184 complete; output: ${output}`,
            cause: "The query ran but did not report a successful connection.",
            fix: `nomad alloc logs ${QUERY_ALLOC}`,
        });

        it("passes a completed query, naming the dynamic user it authenticated as", async () => {
            assert.deepStrictEqual(await run(mongoQuery), {
                status: "pass",
                evidence: "allocation 909f0184 complete; authenticated as v-jwt-nomad-mongo-mongo-QbF7-1700544973",
            });
        });
        it("fails a query Nomad never placed; waiting heals it", async () => {
            world.unplacedJobs = ["mongo-query"];
            assert.deepStrictEqual(await run(mongoQuery), {
                status: "fail",
                evidence: "no allocation",
                cause: "mongo-query was never placed.",
                fix: "npm run stack -- up",
                heals: true,
            });
        });
        it("fails a query still pending or running; waiting heals it", async () => {
            const outcomes: Outcome[] = [];
            for (const status of ["pending", "running"]) {
                world.mongoQueryStatus = status;
                outcomes.push(await run(mongoQuery));
            }
            const event = "Template: Missing: vault.read(database/creds/mongo)";
            assert.deepStrictEqual(outcomes, [
                { status: "fail", evidence: `allocation 909f0184 pending; ${event}`, ...NOT_FINISHED, heals: true },
                { status: "fail", evidence: `allocation 909f0184 running; ${event}`, ...NOT_FINISHED, heals: true },
            ]);
        });
        it("fails a failed query with its task's last event; waiting does not heal it", async () => {
            world.mongoQueryStatus = "failed";
            assert.deepStrictEqual(await run(mongoQuery), {
                status: "fail",
                evidence: "allocation 909f0184 failed; Template: Missing: vault.read(database/creds/mongo)",
                ...NOT_FINISHED,
            });
        });
        it("fails a query that connected without authenticating (no user, though ok: 1)", async () => {
            world.mongoQueryOutput = "{ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }\n";
            assert.deepStrictEqual(
                await run(mongoQuery),
                noConnection("{ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }"),
            );
        });
        it("fails a query that names a user but did not report ok: 1", async () => {
            world.mongoQueryOutput = "{ authInfo: { authenticatedUsers: [ { user: 'v-jwt-nomad-mongo', db: 'admin' } ] }, ok: 0 }";
            assert.strictEqual((await run(mongoQuery)).status, "fail");
        });
        it("fails a query that printed nothing, saying so", async () => {
            world.mongoQueryOutput = "";
            assert.deepStrictEqual(await run(mongoQuery), noConnection("(empty)"));
        });
        it("shows the first 160 characters of a long output, trimmed", async () => {
            const lines = [
                "MongoServerError: Authentication failed.",
                "    at Connection.onMessage (/usr/lib/node_modules/mongosh/node_modules/mongodb/lib/cmap/connection.js:202:26)",
                "    at MessageStream.<anonymous> (/usr/lib/node_modules/mongosh/node_modules/mongodb/lib/cmap/connection.js:61:60)",
            ];
            world.mongoQueryOutput = `\n${lines.join("\n")}\n`;
            const shown = lines.join("\n").slice(0, 160);
            assert.deepStrictEqual([shown.length, shown.endsWith("    at M"), await run(mongoQuery)], [160, true, noConnection(shown)]);
        });
        it("reads the query's logs in the stack's namespace, where the token may read them", async () => {
            world.nomadGate = { token: "apps-reader", policies: ["apps-read"], allows: (_capability, namespace) => namespace === "apps" };
            assert.strictEqual((await run(mongoQuery, { nomadToken: "apps-reader", nomadNamespace: "apps" })).status, "pass");
        });
    });

    describe("db-creds", () => {
        const CAUSE = "Vault cannot create a MongoDB user: the connection's root credentials or address are wrong, or MongoDB is down.";
        const FIX = "vault read database/config/mongo; check the mongo job, then `npm run stack -- up`.";

        it("passes when Vault issues credentials, and says their lease was revoked", async () => {
            assert.deepStrictEqual(await run(dbCreds), { status: "pass", evidence: "lease database/creds/mongo/abc issued, revoked" });
        });
        it("passes, saying the lease was not revoked and why, when the token may not revoke it", async () => {
            world.vaultGate = { token: "hvs.verify", allows: (_capability, path) => path !== "sys/leases/revoke" };
            assert.deepStrictEqual(await run(dbCreds, { vaultToken: "hvs.verify" }), {
                status: "pass",
                evidence: 'lease database/creds/mongo/abc issued, not revoked (HTTP 403 {"errors":["permission denied"]})',
            });
        });
        it("fails when Vault cannot reach MongoDB (500), naming its error; waiting heals it", async () => {
            world.credsStatus = 500;
            assert.deepStrictEqual(await run(dbCreds), {
                status: "fail",
                evidence: 'database/creds/mongo: HTTP 500 {"errors":["failed to verify connection: server selection error"]}',
                cause: CAUSE,
                fix: FIX,
                heals: true,
            });
        });
        it("fails a role Vault does not have (400); waiting does not heal it", async () => {
            world.credsStatus = 400;
            assert.deepStrictEqual(await run(dbCreds), {
                status: "fail",
                evidence: 'database/creds/mongo: HTTP 400 {"errors":["unknown role: mongo"]}',
                cause: CAUSE,
                fix: FIX,
            });
        });
        it("fails when Vault stops answering; waiting heals it", async () => {
            assert.deepStrictEqual(await run(dbCreds, { vaultAddress: nothing }), {
                status: "fail",
                evidence: "database/creds/mongo: no answer (ECONNREFUSED)",
                cause: CAUSE,
                fix: FIX,
                heals: true,
            });
        });
    });
});
