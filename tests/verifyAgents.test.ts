// verify's agent checks (verify/agentChecks.ts), one behaviour each, run directly on one fake stack
// per block: which agents the cluster advertises and which answer, their default Vault block, the
// audiences servers sign for against the role, and the JWKS as Vault fetches it.
import * as assert from "assert";
import { OUTPUT } from "../program/outputs";
import { agentsCheck, audienceCheck, jwksFromVault } from "../verify/agentChecks";
import { NO_PROBE } from "../verify/identityChecks";
import { Reply } from "../verify/http";
import { runView } from "../verify/run";
import { Outcome, Probe, Target } from "../verify/types";
import { readFixture } from "./apiFixtures";
import { closedAddresses, FakeReply, FakeServer, fakeServer, fakeServerBeside } from "./fakeHttp";
import { FakeStack, jwksOf, KEYS, nomadApi, probeIdentity, resetWorld, startFakeStack, vaultApi, World } from "./fakeStack";

const PROBE_TOKEN = readFixture("vault.jwt-login").body.auth.client_token as string;
const UNREACHED_CAUSE = "Some agents did not answer from here.";
const UNREACHED_FIX = "Check them by hand: nomad agent-info -address=…";
const JWKS_URL_FIX =
    "jwks_url must be <nomad address>/.well-known/jwks.json; check the port (nomadHttpPort) and run `npm run stack -- up`.";

/** One fake stack for a describe block, back to healthy after each test, with the extra servers a test starts. */
function fakeCluster() {
    const cluster = {
        stack: undefined as unknown as FakeStack,
        extra: [] as FakeServer[],
        get world(): World {
            return cluster.stack.world;
        },
        target: (): Target => cluster.stack.target(),
        /** A server's address with nothing listening any more. */
        closedAddress: async (): Promise<string> => (await closedAddresses(1))[0],
        /**
         * Another agent of the cluster, a client node (/v1/node/:id gives its HTTPAddr). `world` is its
         * own Vault block (the stack's by default); `self` rewrites its /v1/agent/self.
         */
        async agent(options: { server: boolean; world?: World; jwks?: { keys: unknown[] }; self?: (body: any) => void }): Promise<string> {
            let address = "";
            const api = nomadApi(options.world ?? cluster.world, { server: options.server, jwks: options.jwks, address: () => address });
            const server = await fakeServer((req) => {
                const reply = api(req);
                if (!options.self || req.url !== "/v1/agent/self") {
                    return reply;
                }
                const body = JSON.parse(reply.body as string);
                options.self(body);
                return { ...reply, body: JSON.stringify(body) };
            });
            address = server.address;
            cluster.extra.push(server);
            cluster.world.otherAgents.push(address.replace("http://", ""));
            return address;
        },
        /**
         * A server that is no client node: a member of the cluster at another loopback address with
         * the stack's HTTP port, whose /v1/agent/self names it `name`.
         */
        async server(name: string, options: { jwks?: { keys: unknown[] }; world?: World } = {}): Promise<string> {
            let address = "";
            const api = nomadApi(options.world ?? cluster.world, { server: true, jwks: options.jwks, address: () => address, name });
            const server = await fakeServerBeside(cluster.stack.nomad.address, api);
            address = server.address;
            cluster.extra.push(server);
            cluster.world.otherServers.push(name);
            cluster.world.serverAddrs[name] = new URL(address).hostname.replace(/^\[|\]$/g, "");
            return address;
        },
        /** The stack's own Nomad, but with these routes answered otherwise. */
        async nomadWith(routes: Record<string, FakeReply>): Promise<Target> {
            let address = "";
            const api = nomadApi(cluster.world, { server: true, address: () => address });
            const server = await fakeServer((req) => routes[req.url] ?? api(req));
            address = server.address;
            cluster.extra.push(server);
            return { ...cluster.target(), nomadAddress: address };
        },
    };
    before(async () => {
        cluster.stack = await startFakeStack();
    });
    afterEach(async () => {
        resetWorld(cluster.stack);
        await Promise.all(cluster.extra.splice(0).map((s) => s.close()));
    });
    after(() => cluster.stack.close());
    return cluster;
}

const plainText = (status: number, body: string): FakeReply => ({ status, body, contentType: "text/plain" });
const verdict = (o: Outcome) => [o.status, o.evidence, o.cause, o.fix];

describe("verify agents: the agents the cluster advertises", function () {
    this.timeout(20_000);
    const cluster = fakeCluster();
    const run = (target: Target = cluster.target()) => agentsCheck.run(target, { view: runView(target) });
    const self = () => cluster.stack.nomad.address;

    for (const status of ["down", "initializing"]) {
        it(`skips a client node that is ${status}: it runs no task`, async () => {
            cluster.world.otherAgents.push((await cluster.closedAddress()).replace("http://", ""));
            cluster.world.nodeStatus["client-1"] = status;
            assert.deepStrictEqual(verdict(await run()), ["pass", "1 agent(s), aud [vault.io]", undefined, undefined]);
        });
    }
    for (const status of ["failed", "left"]) {
        it(`skips a server member that has ${status}: it is no agent any more`, async () => {
            cluster.world.otherServers = ["server-2.global"];
            cluster.world.memberStatus["server-2.global"] = status;
            assert.deepStrictEqual(verdict(await run()), ["pass", "1 agent(s), aud [vault.io]", undefined, undefined]);
        });
    }
    it("checks a server that is also a client node at that node's HTTPAddr, naming it nowhere as unreached", async () => {
        await cluster.agent({ server: true });
        cluster.world.otherServers = ["client-1.global"];
        assert.deepStrictEqual(verdict(await run()), ["pass", "2 agent(s), aud [vault.io]", undefined, undefined]);
    });
    it("checks a server that is no client node at its serf address with the HTTP port, confirmed by its member name", async () => {
        await cluster.server("server-2.global");
        assert.deepStrictEqual(verdict(await run()), ["pass", "2 agent(s), aud [vault.io]", undefined, undefined]);
    });
    it("names a server whose serf address answers as another agent, with what answered", async () => {
        cluster.world.otherServers = ["server-2.global"];
        assert.deepStrictEqual(verdict(await run()), [
            "warn",
            `1 agent(s), aud [vault.io]; not reached: server server-2.global (serf 127.0.0.1:4648): ${self()} answers as vaultnomad-dev.global`,
            UNREACHED_CAUSE,
            UNREACHED_FIX,
        ]);
    });
    it("names a server that does not answer at its serf address, with the address tried and the error", async () => {
        const gone = await cluster.server("server-2.global");
        await cluster.extra.pop()!.close();
        assert.deepStrictEqual(verdict(await run()), [
            "warn",
            `1 agent(s), aud [vault.io]; not reached: server server-2.global (serf ${cluster.world.serverAddrs["server-2.global"]}:4648): ${gone}: no answer (ECONNREFUSED)`,
            UNREACHED_CAUSE,
            UNREACHED_FIX,
        ]);
    });
    it("looks for a server at an IPv6 serf address in brackets", async () => {
        cluster.world.otherServers = ["server-2.global"];
        cluster.world.serverAddrs["server-2.global"] = "::1";
        const port = new URL(self()).port;
        assert.match(
            (await run()).evidence,
            new RegExp(`; not reached: server server-2\\.global \\(serf ::1:4648\\): http://\\[::1\\]:${port}[: ]`),
        );
    });
    it("counts the agent verify was given once, though its serf address reaches it too", async () => {
        let address = "";
        const api = nomadApi(cluster.world, { server: true, address: () => address, name: "vaultnomad-dev.global" });
        const sibling = await fakeServerBeside(self(), api);
        address = sibling.address;
        cluster.extra.push(sibling);
        cluster.world.serverAddrs["vaultnomad-dev.global"] = new URL(sibling.address).hostname.replace(/^\[|\]$/g, "");
        cluster.world.nodeStatus["client-0"] = "down";
        assert.deepStrictEqual(verdict(await run()), ["pass", "1 agent(s), aud [vault.io]", undefined, undefined]);
    });
    it("names a server whose serf address answers, but not as an agent", async () => {
        const sibling = await fakeServerBeside(self(), () => ({ status: 200, body: { message: "ok" } }));
        cluster.extra.push(sibling);
        cluster.world.otherServers = ["server-2.global"];
        cluster.world.serverAddrs["server-2.global"] = new URL(sibling.address).hostname.replace(/^\[|\]$/g, "");
        assert.strictEqual(
            (await run()).evidence,
            `1 agent(s), aud [vault.io]; not reached: server server-2.global (serf ${cluster.world.serverAddrs["server-2.global"]}:4648): ${sibling.address}: HTTP 200 {"message":"ok"}`,
        );
    });
    it("names the stack's own agent when a proxy answers its agent/self with a JSON error", async () => {
        const target = await cluster.nomadWith({ "/v1/agent/self": { status: 503, body: { message: "no healthy upstream" } } });
        assert.strictEqual(
            (await run(target)).evidence,
            `0 agent(s), aud []; not reached: ${target.nomadAddress}: HTTP 503 {"message":"no healthy upstream"}`,
        );
    });
    it("names a listed node whose full node is gone, with its short ID and Nomad's answer", async () => {
        cluster.world.otherAgents.push("127.0.0.1:1");
        cluster.world.goneNodes = ["client-1"];
        assert.deepStrictEqual(verdict(await run()), [
            "warn",
            "1 agent(s), aud [vault.io]; not reached: client client-1 (node 00000001): HTTP 404 node not found",
            UNREACHED_CAUSE,
            UNREACHED_FIX,
        ]);
    });
    it("names every advertised agent that does not answer, with the error", async () => {
        const [a, b] = await closedAddresses(2);
        cluster.world.otherAgents.push(a.replace("http://", ""), b.replace("http://", ""));
        assert.deepStrictEqual(verdict(await run()), [
            "warn",
            `1 agent(s), aud [vault.io]; not reached: ${a}: no answer (ECONNREFUSED), ${b}: no answer (ECONNREFUSED)`,
            UNREACHED_CAUSE,
            UNREACHED_FIX,
        ]);
    });
    it("counts an agent whose proxy answers with a JSON error as unreached, not as an agent without Vault", async () => {
        const proxy = await fakeServer(() => ({ status: 503, body: { message: "failure to get a peer from the ring-balancer" } }));
        cluster.extra.push(proxy);
        cluster.world.otherAgents.push(proxy.address.replace("http://", ""));
        assert.deepStrictEqual(
            (await run()).evidence,
            `1 agent(s), aud [vault.io]; not reached: ${proxy.address}: HTTP 503 {"message":"failure to get a peer from the ring-balancer"}`,
        );
    });
    it("names the member list when Nomad cannot give it: the servers it hides are unchecked", async () => {
        const target = await cluster.nomadWith({ "/v1/agent/members": plainText(500, "No cluster leader") });
        assert.deepStrictEqual(
            (await run(target)).evidence,
            "1 agent(s), aud [vault.io]; not reached: agent/members: HTTP 500 No cluster leader",
        );
    });
    it("names the node list when Nomad cannot give it, and the servers it cannot confirm", async () => {
        const target = await cluster.nomadWith({ "/v1/nodes": plainText(500, "No cluster leader") });
        const answering = `agent-${target.nomadAddress.slice("http://".length)}.global`;
        assert.deepStrictEqual(
            (await run(target)).evidence,
            "1 agent(s), aud [vault.io]; not reached: nodes: HTTP 500 No cluster leader, " +
                `server vaultnomad-dev.global (serf 127.0.0.1:4648): ${target.nomadAddress} answers as ${answering}`,
        );
    });
    it("names the stack's own agent once when its agent/self cannot be read, though its server member is at that address", async () => {
        const target = await cluster.nomadWith({ "/v1/agent/self": plainText(500, "agent unavailable") });
        assert.deepStrictEqual(
            (await run(target)).evidence,
            `0 agent(s), aud []; not reached: ${target.nomadAddress}: HTTP 500 agent unavailable`,
        );
    });

    describe("their default Vault block", () => {
        const blockFix = `Add the vault block (npm run stack -- outputs: ${OUTPUT.nomadServerVaultConfig} / ${OUTPUT.nomadClientVaultConfig}) to every agent and restart it.`;
        const disabledCause = 'Jobs fail with "Vault \\"default\\" not enabled but used in the job" on those agents.';

        it("fails the agents with Vault disabled, naming each, and says which outputs to add", async () => {
            cluster.world.vaultEnabled = false;
            const client = await cluster.agent({ server: false });
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                `vault disabled on [${self()}, ${client}]; no default_identity on servers []`,
                disabledCause,
                blockFix,
            ]);
        });
        it("fails the servers without a default_identity, naming each", async () => {
            cluster.world.agentAudience = [];
            const server = await cluster.agent({ server: true });
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                `vault disabled on []; no default_identity on servers [${self()}, ${server}]`,
                disabledCause,
                blockFix,
            ]);
        });
        it("passes a client without a default_identity: only servers sign identities", async () => {
            await cluster.agent({ server: false, world: { ...cluster.world, agentAudience: [] } });
            assert.deepStrictEqual(verdict(await run()), ["pass", "2 agent(s), aud [vault.io]", undefined, undefined]);
        });
        it("reads the block named default, wherever it is in the list", async () => {
            await cluster.agent({
                server: false,
                self: (body) => body.config.Vaults.unshift({ ...body.config.Vaults[0], Name: "other", Enabled: false }),
            });
            assert.deepStrictEqual(verdict(await run()), ["pass", "2 agent(s), aud [vault.io]", undefined, undefined]);
        });
        it("counts an agent with no Vaults list (Nomad before 1.7) as without Vault", async () => {
            const old = await cluster.agent({
                server: false,
                self: (body) => {
                    body.config.Vault = { ...body.config.Vaults[0], DefaultIdentity: undefined };
                    delete body.config.Vaults;
                },
            });
            assert.strictEqual((await run()).evidence, `vault disabled on [${old}]; no default_identity on servers []`);
        });
    });

    describe("their Vault namespace", () => {
        const namespaceCause =
            "Those agents log tasks in to another Vault namespace, where the JWT mount and role do not exist: logins fail there.";

        it("fails agents that log in to another namespace than the stack's, naming each", async () => {
            cluster.world.agentVaultNamespace = "team-a";
            const client = await cluster.agent({ server: false });
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                `${self()}: vault.namespace "team-a"; ${client}: vault.namespace "team-a"; the stack's is ""`,
                namespaceCause,
                'Set vault.namespace = "" on every agent (or vaultNamespace to theirs) and restart them.',
            ]);
        });
        it("fails agents without the namespace the stack uses, naming the stack's", async () => {
            assert.deepStrictEqual(verdict(await run({ ...cluster.target(), vaultNamespace: "team-a" })), [
                "fail",
                `${self()}: vault.namespace ""; the stack's is "team-a"`,
                namespaceCause,
                'Set vault.namespace = "team-a" on every agent (or vaultNamespace to theirs) and restart them.',
            ]);
        });
        it("passes agents in the stack's namespace", async () => {
            cluster.world.agentVaultNamespace = "team-a";
            assert.strictEqual((await run({ ...cluster.target(), vaultNamespace: "team-a" })).status, "pass");
        });
    });

    describe("the audiences servers sign for", () => {
        it("fails servers that sign for different audiences, naming both", async () => {
            await cluster.agent({ server: true, world: { ...cluster.world, agentAudience: ["nomad.io"] } });
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                "servers sign for different audiences: [vault.io] vs [nomad.io]",
                "Identities signed by some servers are refused by the role; logins fail now and then.",
                "Give every server the same vault.default_identity.aud.",
            ]);
        });
        it("takes a server's audiences as a set: the same ones in another order agree", async () => {
            cluster.world.agentAudience = ["vault.io", "nomad.io"];
            await cluster.agent({ server: true, world: { ...cluster.world, agentAudience: ["nomad.io", "vault.io"] } });
            assert.deepStrictEqual(verdict(await run()), ["pass", "2 agent(s), aud [nomad.io,vault.io]", undefined, undefined]);
        });
        it("leaves a client's audience aside: clients sign nothing", async () => {
            await cluster.agent({ server: false, world: { ...cluster.world, agentAudience: ["nomad.io"] } });
            assert.deepStrictEqual(verdict(await run()), ["pass", "2 agent(s), aud [vault.io]", undefined, undefined]);
        });
    });
});

describe("verify audience: the servers' audience and the agents' JWT path against Vault", function () {
    this.timeout(20_000);
    const cluster = fakeCluster();
    const run = (target: Target = cluster.target()) => audienceCheck.run(target, { view: runView(target) });
    const mismatchCause =
        'Logins fail with "audience claim does not match any expected audience" (older Vault: "aud claim does not match any bound audience"): the agent and the role disagree.';
    const mismatchFix = "Set the same audience on both: pulumi config set audience <aud>, then `npm run stack -- up`.";

    it("passes when one of a server's audiences is bound by the role, though the others are not", async () => {
        cluster.world.agentAudience = ["nomad.io", "vault.io"];
        assert.deepStrictEqual(verdict(await run()), [
            "pass",
            "aud [nomad.io, vault.io] bound by nomad-workloads; JWT path jwt-nomad/ mounted",
            undefined,
            undefined,
        ]);
    });
    it("fails when none of the servers' audiences is bound, naming both lists", async () => {
        cluster.world.agentAudience = ["nomad.io", "consul.io"];
        cluster.world.role = { ...cluster.world.role, bound_audiences: ["vault.io", "other.io"] };
        assert.deepStrictEqual(verdict(await run()), [
            "fail",
            "agent default_identity.aud [nomad.io, consul.io], role nomad-workloads bound_audiences [vault.io, other.io]",
            mismatchCause,
            mismatchFix,
        ]);
    });
    it("fails when only a client's audience is bound: servers sign the identities", async () => {
        cluster.world.role = { ...cluster.world.role, bound_audiences: ["nomad.io"] };
        await cluster.agent({ server: false, world: { ...cluster.world, agentAudience: ["nomad.io"] } });
        assert.deepStrictEqual(verdict(await run()), [
            "fail",
            "agent default_identity.aud [vault.io], role nomad-workloads bound_audiences [nomad.io]",
            mismatchCause,
            mismatchFix,
        ]);
    });
    it("fails a role that Vault reads back with no bound audiences", async () => {
        cluster.world.role = { ...cluster.world.role, bound_audiences: null };
        assert.deepStrictEqual((await run()).evidence, "agent default_identity.aud [vault.io], role nomad-workloads bound_audiences []");
    });
    it("fails when the default role is missing, naming its path", async () => {
        cluster.world.role = undefined;
        assert.deepStrictEqual(verdict(await run()), [
            "fail",
            'auth/jwt-nomad/role/nomad-workloads: HTTP 404 {"errors":[]}',
            'The role nomad-workloads is missing: logins fail with "role could not be found".',
            "npm run stack -- up",
        ]);
    });
    it("fails a mount with no default role: jobs without vault.role cannot log in", async () => {
        assert.deepStrictEqual(verdict(await run({ ...cluster.target(), defaultRole: "" })), [
            "fail",
            "auth/jwt-nomad/config has no default_role",
            "Nomad logs a task without vault.role in with the mount's default role: with none, those logins fail.",
            "Set default_role on auth/jwt-nomad/config, or give every job a vault.role (and verify --role <name>).",
        ]);
    });
    it("fails an agent that logs in at a path Vault does not serve, naming it and Vault's mounts", async () => {
        cluster.world.agentJwtPath = "jwt";
        assert.deepStrictEqual(verdict(await run()), [
            "fail",
            `${cluster.stack.nomad.address}: jwt_auth_backend_path "jwt"; Vault's auth mounts: jwt-nomad, token`,
            'Those clients log tasks in at a path Vault does not serve ("no handler for route").',
            "Set vault.jwt_auth_backend_path to the JWT mount on every agent (jwt-nomad), or mount the JWT method where they log in.",
        ]);
    });
    it("fails when the stack's JWT mount is not there, even if the agents' path is", async () => {
        Object.assign(cluster.world, { mount: "jwt", agentJwtPath: "jwt" });
        assert.strictEqual((await run()).evidence, "no auth mount jwt-nomad/; Vault's auth mounts: jwt, token");
    });
    it("fails when Vault's auth mounts cannot be read: it assumes none", async () => {
        const outcome = await run({ ...cluster.target(), vaultAddress: await cluster.closedAddress() });
        assert.deepStrictEqual(
            [outcome.status, outcome.evidence],
            ["fail", `${cluster.stack.nomad.address}: jwt_auth_backend_path "jwt-nomad"; no auth mount jwt-nomad/; Vault's auth mounts: `],
        );
    });
    it("matches a nested mount path, trimming only its trailing slash", async () => {
        Object.assign(cluster.world, { mount: "team/jwt", agentJwtPath: "team/jwt" });
        assert.deepStrictEqual(
            (await run({ ...cluster.target(), jwtPath: "team/jwt" })).evidence,
            "aud [vault.io] bound by nomad-workloads; JWT path team/jwt/ mounted",
        );
    });

    describe("each client's own JWT mount, for the tasks it runs", () => {
        /** A client node logging in at the JWT mount jwt-team, which holds `roles`; `self` rewrites its agent/self. */
        const teamClient = (mount: { defaultRole: string; roles: string[] }, self?: (body: any) => void) => {
            cluster.world.otherMounts = { "jwt-team": mount };
            return cluster.agent({ server: false, world: { ...cluster.world, agentJwtPath: "jwt-team" }, self });
        };
        /** A job of its own role (one Vault has at jwt-nomad) running on the team's client, client-1. */
        const onTeamClient = (job: Partial<World["jobs"][number]>) => {
            cluster.world.jobRoles["api-reader"] = { policy: 'path "kv/data/default/api/*" {\n  capabilities = ["read"]\n}\n' };
            cluster.world.jobs.push({ ID: "api", Namespace: "default", Node: "client-1", ...job });
        };

        it("fails a client whose mount lacks the role a task running on it asks for, naming the client, the path and the role", async () => {
            const client = await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Role: "api-reader" });
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                `${client}: jwt_auth_backend_path "jwt-team": role "api-reader" could not be found (default/api)`,
                'Those clients log their tasks in at that mount, where Vault refuses them with "role … could not be found" (or "missing role" when neither the task\'s vault.role, the client\'s vault.create_from_role nor the mount\'s default_role names one).',
                "Create the role at that mount (or set its config's default_role), or set those clients' vault.jwt_auth_backend_path to the mount that has it (jwt-nomad).",
            ]);
        });
        it("fails a client whose mount has no default_role for a task on it that names no role", async () => {
            const client = await teamClient({ defaultRole: "", roles: ["nomad-workloads"] });
            onTeamClient({});
            assert.strictEqual(
                (await run()).evidence,
                `${client}: jwt_auth_backend_path "jwt-team": no role for tasks without vault.role (auth/jwt-team/config has no default_role) (default/api)`,
            );
        });
        it("fails a client whose mount's default_role is a role the mount lacks", async () => {
            const client = await teamClient({ defaultRole: "team-workloads", roles: [] });
            onTeamClient({});
            assert.strictEqual(
                (await run()).evidence,
                `${client}: jwt_auth_backend_path "jwt-team": role "team-workloads" could not be found (default/api)`,
            );
        });
        it("takes the client's create_from_role for a task that names none, before the mount's default_role", async () => {
            await teamClient({ defaultRole: "", roles: ["nomad-workloads"] }, (body) => (body.config.Vaults[0].Role = "nomad-workloads"));
            onTeamClient({});
            assert.strictEqual((await run()).status, "pass");
        });
        it("judges a child of a periodic job by its parent's tasks", async () => {
            const client = await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Role: "api-reader", Node: "client-0" });
            cluster.world.jobs.push({ ID: "api/periodic-1700000000", ParentID: "api", Namespace: "default", Node: "client-1" });
            assert.strictEqual(
                (await run()).evidence,
                `${client}: jwt_auth_backend_path "jwt-team": role "api-reader" could not be found (default/api)`,
            );
        });
        it("passes a client whose mount lacks a role only jobs on other clients ask for", async () => {
            await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Role: "api-reader", Node: "client-0" });
            assert.strictEqual((await run()).status, "pass");
        });
        it("passes a client whose task that would be refused has finished", async () => {
            await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            cluster.world.jobs[1].Node = "client-1";
            cluster.world.mongoQueryStatus = "complete";
            assert.strictEqual((await run()).status, "pass");
        });
        it("leaves aside a client with Vault disabled: it logs no task in (the agents check names it)", async () => {
            cluster.world.otherMounts = { "jwt-team": { defaultRole: "nomad-workloads", roles: [] } };
            await cluster.agent({ server: false, world: { ...cluster.world, agentJwtPath: "jwt-team", vaultEnabled: false } });
            onTeamClient({ Role: "api-reader" });
            assert.strictEqual((await run()).status, "pass");
        });
        it("leaves aside a server that is no client node: it runs no task", async () => {
            cluster.world.otherMounts = { "jwt-team": { defaultRole: "nomad-workloads", roles: [] } };
            await cluster.server("server-2.global", { world: { ...cluster.world, agentJwtPath: "jwt-team" } });
            onTeamClient({ Role: "api-reader", Node: "client-0" });
            assert.strictEqual((await run()).status, "pass");
        });
        it("fails a client whose task is still pending: it logs in when it starts", async () => {
            const client = await teamClient({ defaultRole: "team", roles: [] });
            cluster.world.jobs[0].Node = "client-1";
            cluster.world.mongoAlloc.ClientStatus = "pending";
            assert.strictEqual(
                (await run()).evidence,
                `${client}: jwt_auth_backend_path "jwt-team": role "team" could not be found (default/mongo)`,
            );
        });
        it("judges each client by its own create_from_role", async () => {
            await teamClient({ defaultRole: "", roles: ["team-default"] }, (body) => (body.config.Vaults[0].Role = "team-default"));
            const other = await cluster.agent({ server: false, world: { ...cluster.world, agentJwtPath: "jwt-team" } });
            onTeamClient({});
            cluster.world.jobs.push({ ID: "web", Namespace: "default", Node: "client-2" });
            assert.strictEqual(
                (await run()).evidence,
                `${other}: jwt_auth_backend_path "jwt-team": no role for tasks without vault.role (auth/jwt-team/config has no default_role) (default/web)`,
            );
        });
        it("names every job a client runs that asks for the role, and no job without Vault", async () => {
            const client = await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Role: "api-reader" });
            cluster.world.jobs.push(
                { ID: "web", Namespace: "default", Role: "api-reader", Node: "client-1" },
                { ID: "static", Namespace: "default", NoVault: true, Node: "client-1" },
            );
            assert.strictEqual(
                (await run()).evidence,
                `${client}: jwt_auth_backend_path "jwt-team": role "api-reader" could not be found (default/api, default/web)`,
            );
        });
        it("judges the group a client runs, not the job's others", async () => {
            await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Role: "api-reader", Node: "client-0", Sidecar: { Group: "cache", Node: "client-1" } });
            assert.strictEqual((await run()).status, "pass");
        });
        it("fails a client running a group whose task asks for a role its mount lacks", async () => {
            const client = await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Node: "client-0", Sidecar: { Group: "cache", Role: "api-reader", Node: "client-1" } });
            assert.strictEqual(
                (await run()).evidence,
                `${client}: jwt_auth_backend_path "jwt-team": role "api-reader" could not be found (default/api)`,
            );
        });
        it("leaves aside a job registered after Nomad's job list was read", async () => {
            await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Role: "api-reader", Node: "client-0" });
            cluster.world.jobs.push({ ID: "late", Namespace: "default", Role: "api-reader", Node: "client-1", NotListed: true });
            assert.strictEqual((await run()).status, "pass");
        });
        it("names Nomad's answer when it cannot give its allocation list", async () => {
            await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            onTeamClient({ Role: "api-reader" });
            const target = await cluster.nomadWith({
                "/v1/allocations?namespace=*&task_states=false": plainText(500, "No cluster leader"),
            });
            await assert.rejects(run(target), {
                message: "Nomad's allocation list (allocations?namespace=*&task_states=false): HTTP 500 No cluster leader",
            });
        });
        it("names Nomad's answer when it cannot give its job list", async () => {
            await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads"] });
            const target = await cluster.nomadWith({ "/v1/jobs?namespace=*": plainText(500, "No cluster leader") });
            await assert.rejects(run(target), { message: "Nomad's job list (jobs?namespace=*): HTTP 500 No cluster leader" });
        });
        it("reads no allocation while every client's mount has every role the jobs ask for", async () => {
            await teamClient({ defaultRole: "nomad-workloads", roles: ["nomad-workloads", "mongo-dynamic-secret"] });
            await run();
            assert.deepStrictEqual(
                cluster.stack.nomad.requests.filter((r) => r.url.startsWith("/v1/allocations")),
                [],
            );
        });
    });
});

describe("verify jwks-from-vault: the key set Vault fetches", function () {
    this.timeout(20_000);
    const cluster = fakeCluster();
    const run = (target: Target = cluster.target(), probe?: Probe) => jwksFromVault.run(target, { view: runView(target), probe });
    const jwksUrl = () => `${cluster.stack.nomad.address}/.well-known/jwks.json`;
    const fetched = (reply: Reply) => run({ ...cluster.target(), fetchFromVault: async () => reply });
    const kids = [KEYS.rsa.kid, KEYS.ed25519.kid].sort().join(", ");

    describe("the JWT method's jwks_url", () => {
        const missingCause = "The JWT auth method at jwt-nomad/ is missing or has no jwks_url.";

        it("fails when the JWT method is not mounted, naming its config path", async () => {
            cluster.world.mount = "jwt";
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                'auth/jwt-nomad/config: HTTP 404 {"errors":[]}',
                missingCause,
                "npm run stack -- up",
            ]);
        });
        it("fails a JWT method without a jwks_url", async () => {
            cluster.world.jwksUrl = "";
            const outcome = await run();
            assert.deepStrictEqual(
                [outcome.status, outcome.evidence.startsWith("auth/jwt-nomad/config: HTTP 200 {"), outcome.cause],
                ["fail", true, missingCause],
            );
        });
        it("passes a JWT method of static keys without a jwks_url, naming how many: Vault fetches nothing", async () => {
            cluster.world.jwtValidationPubkeys = [KEYS.rsa.publicKey.export({ type: "spki", format: "pem" }).toString()];
            assert.deepStrictEqual(verdict(await run()), [
                "pass",
                "auth/jwt-nomad/config: 1 static key(s) (jwt_validation_pubkeys), no JWKS to fetch",
                undefined,
                undefined,
            ]);
        });
        it("fails when Vault does not answer, saying so", async () => {
            const outcome = await run({ ...cluster.target(), vaultAddress: await cluster.closedAddress() });
            assert.deepStrictEqual([outcome.status, outcome.evidence], ["fail", "auth/jwt-nomad/config: no answer (ECONNREFUSED)"]);
        });
    });

    describe("fetched from Vault's position", () => {
        it("fails an empty key set, and waiting heals it: Nomad serves keys once its keyring is up", async () => {
            cluster.world.jwks = { keys: [] };
            assert.deepStrictEqual(await run(), {
                status: "fail",
                evidence: `${jwksUrl()} from Vault: HTTP 200 {"keys":[]}`,
                cause: "Nomad answers, but not with a key set.",
                fix: JWKS_URL_FIX,
                heals: true,
            });
        });
        it("fails a 404 as a wrong path or port, which waiting does not heal", async () => {
            cluster.world.jwksPath = "/jwks.json";
            assert.deepStrictEqual(await run(), {
                status: "fail",
                evidence: `${jwksUrl()} from Vault: HTTP 404 Not Found`,
                cause: "Something answers at that address, but it serves no JWKS there: a wrong path or port.",
                fix: JWKS_URL_FIX,
            });
        });
        it("fails a page that is no key set, which waiting does not heal", async () => {
            const outcome = await fetched({ status: 200, body: "<html>proxy login</html>" });
            assert.deepStrictEqual(
                [outcome.status, outcome.cause, outcome.heals],
                ["fail", "Nomad answers, but not with a key set.", undefined],
            );
        });
        it("fails a key set sent with an error status, as go-oidc refuses it; a 503 heals", async () => {
            const outcome = await fetched({ status: 503, body: JSON.stringify({ keys: [{ kid: KEYS.rsa.kid }] }) });
            assert.deepStrictEqual(
                [outcome.status, outcome.cause, outcome.heals],
                ["fail", "Nomad answers, but not with a key set.", true],
            );
        });
        it("fails a key set sent with a 403, which waiting does not heal", async () => {
            const outcome = await fetched({ status: 403, body: JSON.stringify({ keys: [] }) });
            assert.deepStrictEqual([outcome.status, outcome.heals], ["fail", undefined]);
        });
        it("names a Nomad that demands a client certificate Vault cannot present", async () => {
            const outcome = await fetched({ status: 0, body: "", error: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" });
            assert.deepStrictEqual(verdict(outcome), [
                "fail",
                `${jwksUrl()} from Vault: no answer (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)`,
                'Nomad requires a client certificate (tls.verify_https_client), and Vault\'s JWT method cannot present one: "tls: certificate required".',
                "Serve the JWKS where no client certificate is required (a proxy in front of Nomad), or give Vault static keys (jwtValidationPubkeys).",
            ]);
        });
        it("names a certificate Vault does not trust, and the CA to give it", async () => {
            const outcome = await fetched({ status: 0, body: "", error: "SELF_SIGNED_CERT_IN_CHAIN" });
            assert.deepStrictEqual(verdict(outcome), [
                "fail",
                `${jwksUrl()} from Vault: no answer (SELF_SIGNED_CERT_IN_CHAIN)`,
                'Vault does not trust Nomad\'s certificate: "x509: certificate signed by unknown authority".',
                'Give Vault Nomad\'s CA as jwks_ca_pem: pulumi config set nomadCaPem -- "$(cat nomad-ca.pem)", then `npm run stack -- up`.',
            ]);
        });
        it("fails a refused connection as unreachable from Vault, which waiting heals", async () => {
            assert.deepStrictEqual(await fetched({ status: 0, body: "", error: "ECONNREFUSED" }), {
                status: "fail",
                evidence: `${jwksUrl()} from Vault: no answer (ECONNREFUSED)`,
                cause: "Vault cannot reach Nomad at that address. From inside a container, localhost is the container itself.",
                fix: "Point jwks_url at an address Vault's network reaches (here both containers use the host's network), then `npm run stack -- up`.",
                heals: true,
            });
        });
        it("fails an unknown host as unreachable, which waiting does not heal", async () => {
            const outcome = await fetched({ status: 0, body: "", error: "ENOTFOUND" });
            assert.deepStrictEqual(
                [outcome.status, outcome.cause?.startsWith("Vault cannot reach Nomad"), outcome.heals],
                ["fail", true, undefined],
            );
        });
    });

    describe("the servers' keyrings", () => {
        const divergedFix = "Compare `nomad operator root keyring list` on every server; wait for replication, or rotate the key again.";

        it("passes servers that list the same keys in another order", async () => {
            await cluster.agent({ server: true, jwks: jwksOf(KEYS.ed25519, KEYS.rsa) });
            assert.deepStrictEqual(verdict(await run()), ["pass", `${jwksUrl()}: 2 key(s), the same on 2 server(s)`, undefined, undefined]);
        });
        it("fails each server whose keys differ from Vault's, naming its keys", async () => {
            const a = await cluster.agent({ server: true, jwks: jwksOf(KEYS.rogue) });
            const b = await cluster.agent({ server: true, jwks: jwksOf(KEYS.rsa) });
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                `Vault's JWKS has [${kids}]; ${a} serves [${KEYS.rogue.kid}]; ${b} serves [${KEYS.rsa.kid}]`,
                'Servers disagree on their keyring: identities signed by some fail with "failed to verify id token signature", now and then.',
                divergedFix,
            ]);
        });
        it("fails a server that serves no key set at all", async () => {
            const a = await cluster.agent({ server: true, world: { ...cluster.world, jwksPath: "/jwks.json" } });
            assert.strictEqual((await run()).evidence, `Vault's JWKS has [${kids}]; ${a} serves []`);
        });
        it("fails a server that is no client node whose keys differ, found at its serf address", async () => {
            const server = await cluster.server("server-2.global", { jwks: jwksOf(KEYS.rsa) });
            assert.deepStrictEqual(verdict(await run()), [
                "fail",
                `Vault's JWKS has [${kids}]; ${server} serves [${KEYS.rsa.kid}]`,
                'Servers disagree on their keyring: identities signed by some fail with "failed to verify id token signature", now and then.',
                divergedFix,
            ]);
        });
        it("fails servers that disagree among themselves where Vault's own fetch is out of reach, naming each and its keys", async () => {
            const server = await cluster.server("server-2.global", { jwks: jwksOf(KEYS.rogue) });
            assert.deepStrictEqual(verdict(await run({ ...cluster.target(), fetchFromVault: undefined })), [
                "fail",
                `servers serve different keys: ${cluster.stack.nomad.address} serves [${kids}]; ${server} serves [${KEYS.rogue.kid}]`,
                'Servers disagree on their keyring: identities signed by some fail with "failed to verify id token signature", now and then.',
                divergedFix,
            ]);
        });
        it("compares servers only: a client forwards the servers' keys", async () => {
            await cluster.agent({ server: false, jwks: jwksOf(KEYS.rogue) });
            assert.strictEqual((await run()).evidence, `${jwksUrl()}: 2 key(s), the same on 1 server(s)`);
        });
    });

    describe("by the probe's login, where verify cannot fetch from Vault's position", () => {
        const byLogin = (): Target => ({ ...cluster.target(), fetchFromVault: undefined });
        const probing = (jwt: () => Promise<string>): Probe => ({ identity: async () => ({ jwt: await jwt() }) });

        it("skips without a probe identity, saying what runs it", async () => {
            assert.deepStrictEqual(await run(byLogin()), {
                status: "skip",
                evidence: `${jwksUrl()}: Vault's network is not this machine's, and no probe identity to log in with`,
                runWith: NO_PROBE,
            });
        });
        it("fails as the probe failed when it gives no identity", async () => {
            const failed: Probe = { identity: async () => ({ error: "probe job failed", cause: "c", fix: "f" }) };
            assert.deepStrictEqual(verdict(await run(byLogin(), failed)), ["fail", "probe job failed", "c", "f"]);
        });
        it("passes when Vault logs the probe in, and revokes the probe's token", async () => {
            const requests = cluster.stack.vault.requests;
            requests.splice(0);
            const outcome = await run(
                byLogin(),
                probing(async () => cluster.world.probe),
            );
            const revoked = requests.filter((r) => r.url === "/v1/auth/token/revoke-self" && r.headers["x-vault-token"] === PROBE_TOKEN);
            assert.deepStrictEqual(
                [outcome.status, outcome.evidence, revoked.length],
                ["pass", `${jwksUrl()}: Vault verified a fresh identity with the keys it fetched (the probe's login succeeded)`, 1],
            );
        });
        it("fails with Vault's refusal and its diagnosis, which waiting does not heal", async () => {
            cluster.world.probe = probeIdentity(KEYS.rogue);
            const outcome = await run(
                byLogin(),
                probing(async () => cluster.world.probe),
            );
            assert.deepStrictEqual(
                [outcome.status, outcome.evidence, outcome.cause?.includes(`its kid ${KEYS.rogue.kid} is not served there`), outcome.heals],
                [
                    "fail",
                    "Vault refused the probe's login: HTTP 400 error validating token: error verifying token signature: failed to verify id token signature",
                    true,
                    undefined,
                ],
            );
        });
        it("fails a Vault that stops answering before the login, which waiting heals", async () => {
            const vault = await fakeServer(vaultApi(cluster.world, jwksUrl));
            const target = { ...byLogin(), vaultAddress: vault.address };
            const outcome = await run(
                target,
                probing(async () => {
                    await vault.close();
                    return cluster.world.probe;
                }),
            );
            // Refused, or cut on a connection kept alive from an earlier read: nothing answered either way.
            assert.deepStrictEqual(
                [
                    outcome.status,
                    /^Vault refused the probe's login: no answer \((ECONNREFUSED|UND_ERR_SOCKET)\)$/.test(outcome.evidence),
                    outcome.heals,
                ],
                ["fail", true, true],
            );
        });
    });
});
