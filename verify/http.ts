// The few HTTP calls verify makes, with a timeout each; a refused connection is an answer too.
import * as https from "https";

export interface Reply {
    /** HTTP status, or 0 when nothing answered. */
    readonly status: number;
    readonly body: string;
    /** The server's Date header: its clock. */
    readonly date?: string;
    /** Why nothing answered (ECONNREFUSED, timeout, …), when status is 0. */
    readonly error?: string;
}

export interface HttpOptions {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: unknown;
    readonly timeoutMs?: number;
    /** PEM CA to trust for an https URL. */
    readonly ca?: string;
    /** PEM client certificate and key, for a server that requires mutual TLS. */
    readonly cert?: string;
    readonly key?: string;
    /** Accept any server certificate (the *_SKIP_VERIFY variables). */
    readonly insecure?: boolean;
}

export async function request(url: string, options: HttpOptions = {}): Promise<Reply> {
    if ((options.ca || options.cert || options.insecure) && url.startsWith("https:")) {
        return requestWithTls(url, options);
    }
    try {
        const response = await fetch(url, {
            method: options.method ?? "GET",
            headers: options.headers,
            // JSON.stringify(undefined) is undefined: no body.
            body: JSON.stringify(options.body),
            signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
        return { status: response.status, body: await response.text(), date: response.headers.get("date") ?? undefined };
    } catch (err) {
        // Node's fetch names most failures by code; a port it will not connect to only by message ("bad port").
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        return { status: 0, body: "", error: cause?.code ?? (cause?.message || undefined) ?? (err as Error).name ?? String(err) };
    }
}

export function json<T = any>(reply: Reply): T | undefined {
    try {
        return JSON.parse(reply.body) as T;
    } catch {
        return undefined;
    }
}

/** "HTTP 503 …" or "no answer (ECONNREFUSED)", for evidence lines. */
export function describe(reply: Reply): string {
    return reply.status === 0
        ? `no answer (${reply.error})`
        : `HTTP ${reply.status}${reply.body ? ` ${reply.body.trim().slice(0, 160)}` : ""}`;
}

/**
 * Whether nothing answered because Node's fetch refused the port itself: the Fetch standard's "bad
 * ports" (1, 7, 9, 21, 22, 25, …, 6000, …), which no server behind them changes.
 */
export const blockedPort = (reply: Reply) => reply.error === "bad port";

/** Whether waiting can heal this answer: nothing listening yet, a timeout, 5xx (sealed, no leader), 429 (standby). */
export function heals(reply: Reply): boolean {
    return reply.status === 0
        ? /ECONNREFUSED|ECONNRESET|TIMEOUT|TimeoutError|EAI_AGAIN|UND_ERR_SOCKET/.test(reply.error ?? "")
        : reply.status >= 500 || reply.status === 429;
}

/** The messages of a Vault error body (`{"errors":[...]}`, possibly empty). */
export function vaultErrors(reply: Reply): string {
    const errors = json<{ errors?: unknown[] }>(reply)?.errors;
    return Array.isArray(errors) ? errors.join("; ") : reply.body.trim();
}

/** The same call over node:https, which takes a CA and a client certificate (the global fetch does not). */
function requestWithTls(url: string, options: HttpOptions): Promise<Reply> {
    return new Promise((resolve) => {
        const body = JSON.stringify(options.body);
        const req = https.request(
            url,
            {
                method: options.method,
                headers: options.headers,
                ca: options.ca,
                cert: options.cert,
                key: options.key,
                rejectUnauthorized: !options.insecure,
                timeout: options.timeoutMs ?? 5_000,
            },
            (res) => {
                let text = "";
                res.on("data", (chunk) => (text += chunk));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, date: res.headers.date }));
            },
        );
        req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
        req.on("error", (err: NodeJS.ErrnoException) => resolve({ status: 0, body: "", error: err.code ?? err.message }));
        req.end(body);
    });
}
