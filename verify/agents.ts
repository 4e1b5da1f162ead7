// The agents a cluster advertises and their default Vault blocks (/v1/agent/self). Client agents
// are found through their full node (/v1/node/:id → HTTPAddr; the /v1/nodes stubs do not carry
// it). A server's serf tags carry no HTTP address (nomad/server.go): a server that is no client
// node is looked for at its serf address with the HTTP port and scheme of the address verify was
// given, and taken only when that agent's /v1/agent/self names the same member.
import { describe, json, Reply } from "./http";
import { Target } from "./types";
import { AgentVault, Agents } from "./viewTypes";

/** The reads agent discovery makes: memoized and bounded by the run's view. */
export interface AgentReads {
    nomad(path: string, address?: string): Promise<Reply>;
}

interface Member {
    readonly Name: string;
    readonly Addr: string;
    readonly Port: number;
    readonly Status: string;
}

interface Node {
    readonly id: string;
    readonly name: string;
    readonly address: string;
}

/** The default Vault block of an agent's config (/v1/agent/self): Nomad names an unnamed block "default"; before 1.7 there is no Vaults list. */
export function defaultVaultBlock(config: { Vaults?: Array<Record<string, any>> }): Record<string, any> | undefined {
    return config.Vaults?.find((v) => v.Name === "default");
}

/** A list the cluster gives (`/v1/agent/members`, `/v1/nodes`), or why it cannot: then the agents it hides go unchecked. */
async function clusterList<T>(reads: AgentReads, path: string, items: (body: any) => unknown): Promise<{ list: T[]; problem?: string }> {
    const reply = await reads.nomad(path);
    const list = items(json(reply) ?? {});
    return Array.isArray(list) ? { list } : { list: [], problem: `${path}: ${describe(reply)}` };
}

/** The agent/self an address answers with, when it answers as an agent. */
const selfOf = (reply: Reply) => (reply.status === 200 ? json(reply) : undefined);

/** The HTTP address at another host with the scheme and port of `address`. */
function httpAt(address: string, host: string): string {
    const url = new URL(address);
    url.hostname = host.includes(":") ? `[${host}]` : host;
    return url.origin;
}

/**
 * Every ready client node with its HTTPAddr; the nodes whose full node is gone are named. Every
 * serf member is a server (Status.Members); a failed or departed one is no agent to check, nor is a
 * node that is not ready.
 */
async function clientNodes(t: Target, reads: AgentReads, stubs: Array<{ ID: string; Name: string; Status: string }>) {
    const scheme = new URL(t.nomadAddress).protocol;
    const ready = stubs.filter((n) => n.Status === "ready");
    const replies = await Promise.all(ready.map((stub) => reads.nomad(`node/${encodeURIComponent(stub.ID)}`)));
    const nodes: Node[] = [];
    const unknown: string[] = [];
    ready.forEach((stub, i) => {
        const httpAddr: string | undefined = json(replies[i])?.HTTPAddr;
        if (httpAddr) {
            nodes.push({ id: stub.ID, name: stub.Name, address: `${scheme}//${httpAddr}` });
        } else {
            unknown.push(`client ${stub.Name} (node ${stub.ID.slice(0, 8)}): ${describe(replies[i])}`);
        }
    });
    return { nodes, unknown };
}

/** The HTTP addresses of the alive servers that are no client node, each confirmed by its member name; the others, named. */
async function serverAddresses(t: Target, reads: AgentReads, members: Member[], known: string[], selfName?: string) {
    const servers = members.filter((m) => m.Status === "alive" && m.Name !== selfName);
    const candidates = servers.map((m) => httpAt(t.nomadAddress, m.Addr));
    const replies = await Promise.all(candidates.map((address) => reads.nomad("agent/self", address)));
    const addresses: string[] = [];
    const unknown: string[] = [];
    servers.forEach((m, i) => {
        const answered: string | undefined = selfOf(replies[i])?.member?.Name;
        if (answered === m.Name) {
            addresses.push(candidates[i]);
        } else if (answered !== undefined || !known.includes(candidates[i])) {
            // An address verify already checks is named there when it does not answer.
            const why = answered === undefined ? `: ${describe(replies[i])}` : ` answers as ${answered}`;
            unknown.push(`server ${m.Name} (serf ${m.Addr}:${m.Port}): ${candidates[i]}${why}`);
        }
    });
    return { addresses, unknown };
}

/** Every agent of the cluster, as its /v1/agent/self describes its default Vault block; the others, named with why. */
export async function discoverAgents(t: Target, reads: AgentReads): Promise<Agents> {
    const [self, members, stubs] = await Promise.all([
        reads.nomad("agent/self"),
        clusterList<Member>(reads, "agent/members", (body) => body.Members),
        clusterList<{ ID: string; Name: string; Status: string }>(reads, "nodes", (body) => body),
    ]);
    const clients = await clientNodes(t, reads, stubs.list);
    const known = [t.nomadAddress, ...clients.nodes.map((n) => n.address)];
    // A server that is also a client node is checked at that node's address; its member name is "<node>.<region>".
    const serverMembers = members.list.filter((m) => !clients.nodes.some((n) => m.Name.split(".")[0] === n.name));
    const servers = await serverAddresses(t, reads, serverMembers, known, selfOf(self)?.member?.Name);
    const addresses = [...new Set([...known, ...servers.addresses])];
    const replies = await Promise.all(addresses.map((address) => reads.nomad("agent/self", address)));
    const found: AgentVault[] = [];
    const unreachable = [...[members.problem, stubs.problem].flatMap((p) => (p ? [p] : [])), ...clients.unknown, ...servers.unknown];
    addresses.forEach((address, i) => {
        const agent = selfOf(replies[i]);
        if (!agent) {
            unreachable.push(`${address}: ${describe(replies[i])}`);
            return;
        }
        const block = defaultVaultBlock(agent.config) ?? {};
        const node = clients.nodes.find((n) => n.address === address);
        found.push({
            address,
            server: !!agent.config.Server.Enabled,
            ...(node ? { node: { id: node.id, name: node.name } } : {}),
            enabled: !!block.Enabled,
            audience: block.DefaultIdentity?.Audience ?? [],
            jwtPath: block.JWTAuthBackendPath,
            namespace: block.Namespace,
            role: block.Role,
            extraClaims: block.DefaultIdentity?.ExtraClaims,
        });
    });
    return { found, unreachable };
}
