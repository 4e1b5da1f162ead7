// A fake HTTP API on 127.0.0.1 (Nomad's, Vault's) that answers from a handler and records requests.
import * as http from "http";
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
}

export interface FakeServer {
    readonly address: string;
    readonly requests: FakeRequest[];
    close(): Promise<void>;
}

export async function fakeServer(handler: (req: FakeRequest) => FakeReply): Promise<FakeServer> {
    const requests: FakeRequest[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const request = { method: req.method!, url: req.url!, body, headers: req.headers };
            requests.push(request);
            const reply = handler(request);
            res.writeHead(reply.status, { "Content-Type": "application/json" });
            res.end(reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
