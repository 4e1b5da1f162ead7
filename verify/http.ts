// The few HTTP calls verify makes, with a timeout each; a refused connection is an answer too.

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
}

export async function request(url: string, options: HttpOptions = {}): Promise<Reply> {
    try {
        const response = await fetch(url, {
            method: options.method ?? "GET",
            headers: options.headers,
            body: options.body === undefined ? undefined : JSON.stringify(options.body),
            signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
        return { status: response.status, body: await response.text(), date: response.headers.get("date") ?? undefined };
    } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        return { status: 0, body: "", error: cause?.code ?? (err as Error).name ?? String(err) };
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
