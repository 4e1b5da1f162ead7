// A fake HTTP(S) API on 127.0.0.1 (Nomad's, Vault's) that answers from a handler and records requests.
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";

export interface FakeRequest {
    readonly method: string;
    readonly url: string;
    readonly body: string;
    readonly headers: http.IncomingHttpHeaders;
}

export interface FakeReply {
    readonly status: number;
    readonly body?: unknown;
    /** "application/json" unless given (Nomad's errors are text/plain). */
    readonly contentType?: string;
    readonly headers?: Record<string, string>;
}

export interface FakeServer {
    readonly address: string;
    readonly requests: FakeRequest[];
    close(): Promise<void>;
}

/** PEM server certificate and key; with `ca`, clients must present a certificate that CA signed. */
export interface FakeTls {
    readonly cert: string;
    readonly key: string;
    readonly ca?: string;
}

/** Requests being answered at once, across the servers that share it, and the most there were. */
export interface InFlight {
    now: number;
    most: number;
}

export interface FakeServerOptions {
    /** The loopback address to listen on (127.0.0.1 unless given), and the port (any free one unless given). */
    readonly host?: string;
    readonly port?: number;
    /** How long the server takes to answer each request, in milliseconds: a network's round trip. */
    readonly latencyMs?: (req: FakeRequest) => number;
    /** Counts the requests in flight, for a test of how many a client sends at once. */
    readonly inFlight?: InFlight;
}

export async function fakeServer(
    handler: (req: FakeRequest) => FakeReply,
    tls?: FakeTls,
    options: FakeServerOptions = {},
): Promise<FakeServer> {
    const requests: FakeRequest[] = [];
    const inFlight = options.inFlight ?? { now: 0, most: 0 };
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
        let body = "";
        inFlight.most = Math.max(inFlight.most, ++inFlight.now);
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const request = { method: req.method!, url: req.url!, body, headers: req.headers };
            requests.push(request);
            const reply = handler(request);
            const answer = () => {
                inFlight.now--;
                res.writeHead(reply.status, { "Content-Type": reply.contentType ?? "application/json", ...reply.headers });
                res.end(reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
            };
            if (options.latencyMs) {
                setTimeout(answer, options.latencyMs(request));
            } else {
                answer();
            }
        });
    };
    const server = tls
        ? https.createServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: !!tls.ca, rejectUnauthorized: !!tls.ca }, listener)
        : http.createServer(listener);
    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, resolve);
    });
    return {
        address: `${tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/**
 * A server on another loopback address with the same port as `address`: a second agent where only
 * the host differs, as servers at their serf addresses with one HTTP port. Linux routes all of
 * 127.0.0.0/8 to the loopback; elsewhere only 127.0.0.1 and ::1 may be there.
 */
export async function fakeServerBeside(
    address: string,
    handler: (req: FakeRequest) => FakeReply,
    options: FakeServerOptions = {},
): Promise<FakeServer> {
    const port = Number(new URL(address).port);
    const taken = new Set([new URL(address).hostname]);
    for (const host of ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "::1"].filter((h) => !taken.has(h))) {
        try {
            return await fakeServer(handler, undefined, { ...options, host, port });
        } catch {
            // That address is not on this machine's loopback, or its port is taken there: the next one.
        }
    }
    throw new Error(`no other loopback address has port ${port} free`);
}

/**
 * `count` distinct addresses where nothing listens any more: fake servers' addresses, all bound
 * before any is closed, since the system may hand a closed port out again.
 */
export async function closedAddresses(count: number): Promise<string[]> {
    const servers = await Promise.all(Array.from({ length: count }, () => fakeServer(() => ({ status: 200 }))));
    await Promise.all(servers.map((server) => server.close()));
    return servers.map((server) => server.address);
}
