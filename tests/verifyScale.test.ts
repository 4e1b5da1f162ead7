// verify on a large cluster (verify/clusterView.ts): each thing read once per run, requests that
// grow with nodes, Vault jobs and roles (never jobs × roles), at most --concurrency of them in
// flight, the same lines in the same order whatever order the answers arrive in, and no read after
// the run's deadline. Requests are counted on the fakes (FakeServer.requests); nothing is timed.
import * as assert from "assert";
import { agentsCheck } from "../verify/agentChecks";
import { createClusterView } from "../verify/clusterView";
import { Target } from "../verify/types";
import { NOMAD_TOKEN, VAULT_TOKEN } from "./fakeStack";
import { ClusterSize, requestsByKind, startScaleCluster, verifyCluster } from "./scaleCluster";

const SMALL: ClusterSize = {
    clientNodes: 4,
    otherServers: 1,
    namespaces: ["default", "payments"],
    defaultRoleJobs: 6,
    roles: 2,
    jobsPerRole: 2,
    withoutVault: 3,
    periodic: 2,
    childrenEach: 2,
};

/** The requests vaultnomad-verify makes on a healthy cluster of this size, by API and kind; the run must pass. */
async function requests(size: ClusterSize, args: string[] = []) {
    const cluster = await startScaleCluster(size);
    try {
        const { code, document } = await verifyCluster(cluster, args);
        assert.deepStrictEqual([code, document.checks.filter((c: any) => c.status === "fail" || c.status === "warn")], [0, []]);
        return requestsByKind(cluster);
    } finally {
        await cluster.close();
    }
}

/** What `after` asks beyond `before`, per API and kind; kinds asked as often are left out. */
function added(before: Awaited<ReturnType<typeof requests>>, after: Awaited<ReturnType<typeof requests>>) {
    const diff = (a: Record<string, number>, b: Record<string, number>) =>
        Object.fromEntries(
            [...new Set([...Object.keys(a), ...Object.keys(b)])]
                .sort()
                .filter((k) => (b[k] ?? 0) !== (a[k] ?? 0))
                .map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]),
        );
    return { vault: diff(before.vault, after.vault), nomad: diff(before.nomad, after.nomad) };
}

describe("verify at scale: what a run reads", function () {
    this.timeout(60_000);

    it("reads each thing once per run: no request is made twice", async () => {
        const cluster = await startScaleCluster(SMALL);
        try {
            await verifyCluster(cluster);
            const seen = cluster.servers.flatMap((s) => s.requests.map((r) => `${s.address}${r.url}`));
            assert.deepStrictEqual(
                seen.filter((url, i) => seen.indexOf(url) !== i),
                [],
            );
        } finally {
            await cluster.close();
        }
    });
    it("makes no request for a child of a periodic job: it runs its parent's spec", async () => {
        const more = await requests({ ...SMALL, childrenEach: 6 });
        assert.deepStrictEqual(added(await requests(SMALL), more), { vault: {}, nomad: {} });
    });
    it("reads a job without Vault once, and asks Vault nothing for it", async () => {
        const more = await requests({ ...SMALL, withoutVault: SMALL.withoutVault + 5 });
        assert.deepStrictEqual(added(await requests(SMALL), more), { vault: {}, nomad: { job: 5 } });
    });
    it("reads a role and its policy once, however many jobs log in with it", async () => {
        const more = await requests({ ...SMALL, jobsPerRole: SMALL.jobsPerRole * 3 });
        assert.deepStrictEqual(added(await requests(SMALL), more), { vault: {}, nomad: { job: SMALL.roles * SMALL.jobsPerRole * 2 } });
    });
    it("adds a constant per role: the role, its policy, and the jobs' own reads", async () => {
        const more = await requests({ ...SMALL, roles: SMALL.roles + 3 });
        assert.deepStrictEqual(added(await requests(SMALL), more), {
            vault: { policy: 3, role: 3 },
            nomad: { job: 3 * SMALL.jobsPerRole },
        });
    });
    it("adds two reads per client node (its node and its agent) and one JWKS and agent per server", async () => {
        const more = await requests({ ...SMALL, clientNodes: SMALL.clientNodes + 5, otherServers: SMALL.otherServers + 1 });
        assert.deepStrictEqual(added(await requests(SMALL), more), { vault: {}, nomad: { "agent/self": 6, jwks: 1, node: 5 } });
    });
});

describe("verify at scale: requests at once", function () {
    this.timeout(60_000);
    const SPREAD: ClusterSize = { ...SMALL, clientNodes: 16, withoutVault: 12 };

    /** A run of vaultnomad-verify on a fresh cluster: its JSON document and the most requests it had in flight. */
    async function run(args: string[], network: Parameters<typeof startScaleCluster>[1], change?: Parameters<typeof startScaleCluster>[2]) {
        const cluster = await startScaleCluster(SPREAD, network, change);
        try {
            return { ...(await verifyCluster(cluster, args)), most: cluster.inFlight.most };
        } finally {
            await cluster.close();
        }
    }

    it("never has more than --concurrency requests in flight, and has several", async () => {
        const { most } = await run(["--concurrency", "4"], { latencyMs: () => 5 });
        assert.deepStrictEqual([most <= 4, most > 1], [true, true]);
    });
    it("sends one request at a time with --concurrency 1", async () => {
        assert.strictEqual((await run(["--concurrency", "1"], { latencyMs: () => 2 })).most, 1);
    });
    it("prints the same lines in the same order whatever order the answers arrive in", async () => {
        // Nodes client-3, client-7 and client-11 are listed but gone: the run names them in the list's order.
        const gone = (world: { goneNodes: string[] }) => (world.goneNodes = ["client-3", "client-7", "client-11"]);
        const port = (req: { headers: { host?: string } }) => Number(req.headers.host?.split(":").pop());
        const lines = async (latencyMs: (req: { headers: { host?: string } }) => number) =>
            (await run(["--concurrency", "8"], { latencyMs }, gone)).document.checks.map((c: any) =>
                `${c.id}: ${c.status} ${c.evidence}`.replace(/http:\/\/[^ ,;]+/g, "…"),
            );
        const [early, late] = [await lines((req) => port(req) % 7), await lines((req) => 7 - (port(req) % 7))];
        assert.deepStrictEqual(
            [early, early.find((line: string) => line.startsWith("agents"))],
            [
                late,
                "agents: warn 15 agent(s), aud [vault.io]; not reached: client client-3 (node 00000003): HTTP 404 node not found, " +
                    "client client-7 (node 00000007): HTTP 404 node not found, client client-11 (node 00000011): HTTP 404 node not found",
            ],
        );
    });
});

describe("verify at scale: the run's deadline", function () {
    this.timeout(60_000);

    it("sends no read after the deadline, and names the agents it could not read by then", async () => {
        // Client agents that answer after 2.5 s, a deadline 1 s away, two reads at a time.
        let stackHost = "";
        const slow = {
            latencyMs: (req: { url: string; headers: { host?: string } }) =>
                req.url === "/v1/agent/self" && req.headers.host !== stackHost ? 2_500 : 0,
        };
        const cluster = await startScaleCluster({ ...SMALL, clientNodes: 8, otherServers: 0 }, slow);
        stackHost = new URL(cluster.env.NOMAD_ADDR).host;
        try {
            const target: Target = {
                ...{
                    vaultAddress: cluster.env.VAULT_ADDR,
                    nomadAddress: cluster.env.NOMAD_ADDR,
                    vaultToken: VAULT_TOKEN,
                    nomadToken: NOMAD_TOKEN,
                },
                nomadNamespace: "default",
                jwtPath: "jwt-nomad",
                defaultRole: "nomad-workloads",
                policyName: "nomad-workloads",
                sampleWorkload: false,
            };
            const view = createClusterView(target, { concurrency: 2, deadline: Date.now() + 1_000 });
            const outcome = await agentsCheck.run(target, { view });
            const count = (pattern: RegExp) => (outcome.evidence.match(pattern) ?? []).length;
            const asked = cluster.servers.flatMap((s) => s.requests).filter((r) => r.url === "/v1/agent/self").length;
            // The stack's own agent answered; two clients were being read at the deadline; six were never asked.
            assert.deepStrictEqual(
                [outcome.status, count(/no answer \(TimeoutError\)/g), count(/no answer \(verify's deadline passed\)/g), asked],
                ["warn", 2, 6, 3],
            );
        } finally {
            await cluster.close();
        }
    });
});
