// Calls to the stack's Vault and Nomad as verify makes them: the token, Vault's namespace (sent on
// every call, or logins and reads land in the root namespace), each API's CA, and Nomad's client
// certificate. Every Nomad call goes through `nomad`, the probe's included.
import { Reply, request } from "./http";
import { Target } from "./types";

export interface VaultCall {
    readonly method?: string;
    /** Another token than the stack's, such as the probe's. */
    readonly token?: string;
    readonly body?: unknown;
    /** Calls such as sys/health and login need no token. */
    readonly anonymous?: boolean;
    readonly timeoutMs?: number;
}

/**
 * A read that verify's own token may not make: Vault's 403, or Nomad's "Permission denied". The run
 * turns it into the check's failure, naming the capability and the path (see docs/verify.md for the
 * minimal policies).
 */
export class Denied extends Error {
    constructor(
        readonly api: "Vault" | "Nomad",
        readonly capability: string,
        readonly path: string,
    ) {
        super(`${api} refuses verify's token ${capability} on ${path}`);
    }
}

/** Throws Denied when a read made with verify's own token was refused for want of a capability. */
function refusedRead(reply: Reply, denied: () => Denied | undefined): Reply {
    const refusal = reply.status === 403 && denied();
    if (refusal) {
        throw refusal;
    }
    return reply;
}

export async function vault(t: Target, path: string, call: VaultCall = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (!call.anonymous) {
        headers["X-Vault-Token"] = call.token ?? t.vaultToken;
    }
    if (t.vaultNamespace) {
        headers["X-Vault-Namespace"] = t.vaultNamespace;
    }
    const reply = await request(`${t.vaultAddress}/v1/${path}`, {
        method: call.method,
        body: call.body,
        headers,
        timeoutMs: call.timeoutMs,
        ca: t.vaultCaPem,
        cert: t.vaultClientCertPem,
        key: t.vaultClientKeyPem,
        insecure: t.vaultSkipVerify,
    });
    const ownRead = !call.anonymous && !call.token && (call.method ?? "GET") === "GET";
    return refusedRead(reply, () => (ownRead ? new Denied("Vault", "read", path.split("?")[0]) : undefined));
}

export interface NomadCall {
    readonly method?: string;
    readonly body?: unknown;
    /** One agent's address instead of the stack's. */
    readonly address?: string;
    /** Sends the stack's namespace (calls on jobs and allocations). */
    readonly namespaced?: boolean;
    readonly timeoutMs?: number;
}

/** The TLS a connection to Nomad carries: the CA and, where Nomad requires it, the client certificate. */
export const nomadTls = (t: Target) => ({
    ca: t.nomadCaPem,
    cert: t.nomadClientCertPem,
    key: t.nomadClientKeyPem,
    insecure: t.nomadSkipVerify,
});

/**
 * The Nomad ACL capability a read needs (nomad/*_endpoint.go). acl/token/self needs none: any valid
 * token reads itself, so its refusal means the token is unknown.
 */
function nomadCapability(route: string): string | undefined {
    const rules: Array<[RegExp, string]> = [
        [/^agent\/members/, "node:read"],
        [/^agent\//, "agent:read"],
        [/^nodes?(\/|$)/, "node:read"],
        [/^jobs$/, "namespace list-jobs"],
        [/^allocations$/, "namespace read-job"],
        [/^job\//, "namespace read-job"],
        [/^client\/fs\/logs\//, "namespace read-logs"],
    ];
    return rules.find(([pattern]) => pattern.test(route))?.[1];
}

/** A Nomad API call (`path` under /v1/), on the stack's address or on one agent's. */
export async function nomad(t: Target, path: string, call: NomadCall = {}): Promise<Reply> {
    const query = [
        ...(call.namespaced ? [`namespace=${encodeURIComponent(t.nomadNamespace)}`] : []),
        ...(t.nomadRegion ? [`region=${encodeURIComponent(t.nomadRegion)}`] : []),
    ];
    const suffix = query.length ? `${path.includes("?") ? "&" : "?"}${query.join("&")}` : "";
    const reply = await request(`${call.address ?? t.nomadAddress}/v1/${path}${suffix}`, {
        method: call.method,
        body: call.body,
        headers: t.nomadToken ? { "X-Nomad-Token": t.nomadToken } : {},
        timeoutMs: call.timeoutMs,
        ...nomadTls(t),
    });
    const route = path.split("?")[0];
    const capability = (call.method ?? "GET") === "GET" && /permission denied/i.test(reply.body) ? nomadCapability(route) : undefined;
    return refusedRead(reply, () => (capability ? new Denied("Nomad", capability, `/v1/${route}`) : undefined));
}

/** A Nomad agent's JWKS (served without a token). */
export function nomadJwks(t: Target, address: string, timeoutMs?: number): Promise<Reply> {
    return request(`${address}/.well-known/jwks.json`, { ...nomadTls(t), timeoutMs });
}
