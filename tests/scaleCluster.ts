// A healthy cluster of a given size on the fakes of fakeStack.ts, for verify at scale (the growth
// tests and `npm run bench`): client nodes each with its own agent, servers beside the stack's at
// their serf addresses, jobs in several namespaces (with the default role, with roles of their own,
// periodic ones with their children, and jobs without Vault), every answer after a set latency.
import { renderGrants } from "../components/jobVaultRole";
import { runCluster } from "../verify/cli";
import { FakeRequest, FakeServer, fakeServer, fakeServerBeside, FakeServerOptions, InFlight } from "./fakeHttp";
import { NOMAD_TOKEN, nomadApi, startFakeStack, VAULT_TOKEN, World } from "./fakeStack";

export interface ClusterSize {
    readonly clientNodes: number;
    /** Servers besides the stack's own agent, which is one. */
    readonly otherServers: number;
    readonly namespaces: string[];
    /** Jobs logging in with the default role, each reading its own path. */
    readonly defaultRoleJobs: number;
    /** Workload roles, each with its own policy, and the jobs of each. */
    readonly roles: number;
    readonly jobsPerRole: number;
    readonly withoutVault: number;
    /** Periodic jobs (with the default role) and the children each has launched. */
    readonly periodic: number;
    readonly childrenEach: number;
}

/** The bench's cluster: 1,000 client nodes, 3 servers, 5,000 jobs in five namespaces, 50 workload roles. */
export const LARGE: ClusterSize = {
    clientNodes: 1000,
    otherServers: 2,
    namespaces: ["default", "payments", "search", "batch", "platform"],
    defaultRoleJobs: 1500,
    roles: 50,
    jobsPerRole: 10,
    withoutVault: 2000,
    periodic: 100,
    childrenEach: 9,
};

/** How many jobs of each kind a size lists. */
export function jobCounts(size: ClusterSize) {
    const children = size.periodic * size.childrenEach;
    const usingVault = size.defaultRoleJobs + size.roles * size.jobsPerRole + size.periodic;
    return { total: usingVault + children + size.withoutVault, usingVault, children, withoutVault: size.withoutVault };
}

const role = (r: number) => `team-${r}`;

/** The jobs of a cluster of this size, spread over its namespaces. */
function jobsOf(size: ClusterSize): World["jobs"] {
    const namespace = (i: number) => size.namespaces[i % size.namespaces.length];
    const reading = (path: string) => [`{{with secret "${path}"}}{{.Data.data.password}}{{end}}`];
    const own = (kind: string, i: number) => ({ ID: `${kind}-${i}`, Namespace: namespace(i) });
    return [
        ...Array.from({ length: size.defaultRoleJobs }, (_, i) => {
            const job = own("service", i);
            return { ...job, Templates: reading(`kv/data/${job.Namespace}/${job.ID}/config`) };
        }),
        ...Array.from({ length: size.roles * size.jobsPerRole }, (_, i) => ({
            ...own("worker", i),
            Role: role(i % size.roles),
            Templates: reading(`kv/data/teams/${role(i % size.roles)}/config`),
        })),
        ...Array.from({ length: size.withoutVault }, (_, i) => ({ ...own("static", i), NoVault: true })),
        ...Array.from({ length: size.periodic }, (_, i) => {
            const job = own("report", i);
            const children = Array.from({ length: size.childrenEach }, (_, c) => ({
                ID: `${job.ID}/periodic-${1700000000 + c * 3600}`,
                ParentID: job.ID,
                Namespace: job.Namespace,
            }));
            return [{ ...job, Templates: reading(`kv/data/${job.Namespace}/${job.ID}/config`) }, ...children];
        }).flat(),
    ];
}

export interface ScaleCluster {
    /** VAULT_* and NOMAD_* for vaultnomad-verify. */
    readonly env: Record<string, string>;
    readonly world: World;
    /** Every fake server: Vault, the stack's Nomad, the other servers, the client agents. */
    readonly servers: FakeServer[];
    readonly inFlight: InFlight;
    /** Forgets the requests recorded so far and the most in flight. */
    reset(): void;
    close(): Promise<void>;
}

export async function startScaleCluster(
    size: ClusterSize,
    network: Pick<FakeServerOptions, "latencyMs"> = {},
    change: (world: World) => void = () => {},
): Promise<ScaleCluster> {
    const inFlight: InFlight = { now: 0, most: 0 };
    const options = { ...network, inFlight };
    const stack = await startFakeStack({ network: options });
    const { world } = stack;
    world.jobs = jobsOf(size);
    world.jobRoles = Object.fromEntries(
        Array.from({ length: size.roles }, (_, r) => [
            role(r),
            { policy: renderGrants([{ path: `kv/data/teams/${role(r)}/*`, capabilities: ["read"] }]) },
        ]),
    );
    change(world);
    const agent = async (server: boolean, start: (handler: (req: FakeRequest) => any) => Promise<FakeServer>, name?: string) => {
        let address = "";
        const fake = await start(nomadApi(world, { server, address: () => address, name }));
        address = fake.address;
        return fake;
    };
    const servers: FakeServer[] = [];
    for (let i = 0; i < size.otherServers; i++) {
        const name = `server-${i + 2}.global`;
        const server = await agent(true, (handler) => fakeServerBeside(stack.nomad.address, handler, options), name);
        servers.push(server);
        world.otherServers.push(name);
        world.serverAddrs[name] = new URL(server.address).hostname.replace(/^\[|\]$/g, "");
    }
    const clients = await Promise.all(
        Array.from({ length: size.clientNodes }, () => agent(false, (handler) => fakeServer(handler, undefined, options))),
    );
    world.otherAgents = clients.map((c) => c.address.replace("http://", ""));
    const all = [stack.vault, stack.nomad, ...servers, ...clients];
    return {
        env: { VAULT_ADDR: stack.vault.address, VAULT_TOKEN, NOMAD_ADDR: stack.nomad.address, NOMAD_TOKEN },
        world,
        servers: all,
        inFlight,
        reset: () => {
            all.forEach((s) => (s.requests.length = 0));
            inFlight.most = 0;
        },
        close: async () => {
            await Promise.all(all.map((s) => s.close()));
        },
    };
}

/** A request as the bench counts it: the API and the kind of thing read. */
export function requestKind(server: "vault" | "nomad", req: FakeRequest): string {
    const route = req.url.split("?")[0];
    const kinds: Array<[RegExp, string]> =
        server === "vault"
            ? [
                  [/^\/v1\/auth\/[^?]+\/role\//, "role"],
                  [/^\/v1\/auth\/[^?]+\/config$/, "auth config"],
                  [/^\/v1\/sys\/policies\/acl\//, "policy"],
                  [/^\/v1\/sys\/auth$/, "sys/auth"],
                  [/^\/v1\/sys\/health$/, "sys/health"],
              ]
            : [
                  [/^\/v1\/agent\/self$/, "agent/self"],
                  [/^\/v1\/agent\/members$/, "agent/members"],
                  [/^\/v1\/nodes$/, "nodes"],
                  [/^\/v1\/node\//, "node"],
                  [/^\/v1\/jobs$/, "jobs"],
                  [/^\/v1\/job\/[^/]+$/, "job"],
                  [/^\/v1\/allocations$/, "allocations"],
                  [/^\/\.well-known\/jwks\.json$/, "jwks"],
              ];
    return kinds.find(([pattern]) => pattern.test(route))?.[1] ?? route.replace(/^\/v1\//, "");
}

/** The requests of a run, counted per API and kind, keys sorted. */
export function requestsByKind(cluster: ScaleCluster): { vault: Record<string, number>; nomad: Record<string, number> } {
    const [vault, ...nomad] = cluster.servers;
    const count = (server: "vault" | "nomad", fakes: FakeServer[]) => {
        const counts: Record<string, number> = {};
        fakes.flatMap((f) => f.requests).forEach((req) => (counts[requestKind(server, req)] = (counts[requestKind(server, req)] ?? 0) + 1));
        return Object.fromEntries(
            Object.keys(counts)
                .sort()
                .map((k) => [k, counts[k]]),
        );
    };
    return { vault: count("vault", [vault]), nomad: count("nomad", nomad) };
}

/** vaultnomad-verify on the cluster, as an operator would run it (no --probe): its JSON document. */
export async function verifyCluster(cluster: ScaleCluster, args: string[] = []): Promise<{ code: number; document: any }> {
    const out: string[] = [];
    const code = await runCluster(["--json", ...args], { env: cluster.env, out: (t) => out.push(t), err: (t) => out.push(t) });
    return { code, document: JSON.parse(out.join("\n")) };
}
