// Calls to the stack's Vault and Nomad as verify makes them: the token, Vault's namespace (sent on
// every call, or logins and reads land in the root namespace), and each API's CA.
import { Target } from "./checks";
import { Reply, request } from "./http";

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

/** A Nomad API call, on the stack's address or on one agent's. */
export function nomad(t: Target, path: string, address = t.nomadAddress): Promise<Reply> {
    return request(`${address}/v1/${path}`, { headers: { "X-Nomad-Token": t.nomadToken }, ca: t.nomadCaPem });
}

/** A Nomad agent's JWKS (served without a token). */
export function nomadJwks(t: Target, address: string): Promise<Reply> {
    return request(`${address}/.well-known/jwks.json`, { ca: t.nomadCaPem });
}
