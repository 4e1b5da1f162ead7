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
}

export function vault(t: Target, path: string, call: VaultCall = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (!call.anonymous) {
        headers["X-Vault-Token"] = call.token ?? t.vaultToken;
    }
    if (t.vaultNamespace) {
        headers["X-Vault-Namespace"] = t.vaultNamespace;
    }
    return request(`${t.vaultAddress}/v1/${path}`, { method: call.method, body: call.body, headers, ca: t.vaultCaPem });
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
export const nomadTls = (t: Target) => ({ ca: t.nomadCaPem, cert: t.nomadClientCertPem, key: t.nomadClientKeyPem });

/** A Nomad API call (`path` under /v1/), on the stack's address or on one agent's. */
export function nomad(t: Target, path: string, call: NomadCall = {}): Promise<Reply> {
    const namespace = call.namespaced ? `${path.includes("?") ? "&" : "?"}namespace=${encodeURIComponent(t.nomadNamespace)}` : "";
    return request(`${call.address ?? t.nomadAddress}/v1/${path}${namespace}`, {
        method: call.method,
        body: call.body,
        headers: t.nomadToken ? { "X-Nomad-Token": t.nomadToken } : {},
        timeoutMs: call.timeoutMs,
        ...nomadTls(t),
    });
}

/** A Nomad agent's JWKS (served without a token). */
export function nomadJwks(t: Target, address: string): Promise<Reply> {
    return request(`${address}/.well-known/jwks.json`, nomadTls(t));
}
