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

export async function fakeServer(handler: (req: FakeRequest) => FakeReply, tls?: FakeTls): Promise<FakeServer> {
    const requests: FakeRequest[] = [];
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const request = { method: req.method!, url: req.url!, body, headers: req.headers };
            requests.push(request);
            const reply = handler(request);
            res.writeHead(reply.status, { "Content-Type": reply.contentType ?? "application/json", ...reply.headers });
            res.end(reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
        });
    };
    const server = tls
        ? https.createServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: !!tls.ca, rejectUnauthorized: !!tls.ca }, listener)
        : http.createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        address: `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
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
