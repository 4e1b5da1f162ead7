// verify's calls to Vault and Nomad (verify/http.ts, verify/clients.ts) and its logins (verify/login.ts),
// against fakes that answer with the real servers' bodies.
import * as assert from "assert";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as path from "path";
import { Denied, nomad, nomadJwks, vault } from "../verify/clients";
import { describe as describeReply, request, vaultErrors } from "../verify/http";
import { loginContext, loginWith } from "../verify/login";
import { runView } from "../verify/run";
import { Target } from "../verify/types";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { served } from "./apiFixtures";
import { closedAddresses, FakeServer, fakeServer } from "./fakeHttp";
import { KEYS, probeIdentity, sharedFakeStack, signJwt } from "./fakeStack";

const tlsFile = (name: string) => fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/tls", name), "utf8");
const TLS = { cert: tlsFile("server.pem"), key: tlsFile("server.key"), ca: tlsFile("ca.pem") };

describe("verify's HTTP", function () {
    this.timeout(20_000);
    let server: FakeServer | undefined;
    afterEach(async () => {
        await server?.close();
        server = undefined;
    });

    describe("a request", () => {
        it("that nothing answers is a reply of status 0 naming why, with no body", async () => {
            const [gone] = await closedAddresses(1);
            assert.deepStrictEqual(await request(`${gone}/v1/sys/health`), { status: 0, body: "", error: "ECONNREFUSED" });
        });
        it("over HTTPS with a CA of its own trusts a server that CA signed", async () => {
            server = await fakeServer(() => ({ status: 200, body: { initialized: true } }), { cert: TLS.cert, key: TLS.key });
            assert.strictEqual((await request(`${server.address}/v1/sys/health`, { ca: TLS.ca })).status, 200);
        });
        it("with *_SKIP_VERIFY accepts a certificate nobody vouches for", async () => {
            server = await fakeServer(() => ({ status: 200, body: { initialized: true } }), { cert: TLS.cert, key: TLS.key });
            assert.strictEqual((await request(`${server.address}/v1/sys/health`, { insecure: true })).status, 200);
        });
        it("over HTTPS that nothing answers is a reply of status 0 naming why", async () => {
            const [gone] = await closedAddresses(1);
            assert.deepStrictEqual(await request(`${gone.replace("http:", "https:")}/v1/sys/health`, { ca: TLS.ca }), {
                status: 0,
                body: "",
                error: "ECONNREFUSED",
            });
        });
        it("over HTTPS gives up after its timeout, saying so", async () => {
            const silent = https.createServer({ cert: TLS.cert, key: TLS.key }, () => undefined);
            await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
            try {
                const address = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/sys/health`;
                assert.deepStrictEqual(await request(address, { ca: TLS.ca, timeoutMs: 200 }), { status: 0, body: "", error: "TIMEOUT" });
            } finally {
                silent.closeAllConnections();
                silent.close();
            }
        });
        it("over HTTPS sends the body and method asked for", async () => {
            server = await fakeServer(() => ({ status: 200, body: {} }), { cert: TLS.cert, key: TLS.key });
            await request(`${server.address}/v1/auth/jwt/login`, { ca: TLS.ca, method: "POST", body: { role: "r" } });
            assert.deepStrictEqual([server.requests[0].method, server.requests[0].body], ["POST", '{"role":"r"}']);
        });
    });

    describe("an answer, described", () => {
        it("gives the status alone when the body is empty", () => {
            assert.strictEqual(describeReply({ status: 503, body: "" }), "HTTP 503");
        });
        it("quotes at most 160 characters of the body, without its surrounding blanks", () => {
            const page = `<html>${"x".repeat(300)}</html>`;
            assert.deepStrictEqual(
                [describeReply({ status: 502, body: ` ${page}\n` }), describeReply({ status: 500, body: "No cluster leader\n" })],
                [`HTTP 502 ${page.slice(0, 160)}`, "HTTP 500 No cluster leader"],
            );
        });
        it("joins Vault's errors, and quotes a body that is no Vault error as it is", () => {
            assert.deepStrictEqual(
                [
                    vaultErrors({ status: 400, body: JSON.stringify({ errors: ["missing role", "permission denied"] }) }),
                    vaultErrors({ status: 502, body: "<html>bad gateway</html>\n" }),
                ],
                ["missing role; permission denied", "<html>bad gateway</html>"],
            );
        });
    });

    describe("calls to Vault and Nomad", () => {
        const target = (overrides: Partial<Target> = {}) =>
            ({
                vaultAddress: server!.address,
                vaultToken: "hvs.verify",
                nomadAddress: server!.address,
                nomadToken: "n",
                nomadNamespace: "default",
                ...overrides,
            }) as Target;

        it("name what Nomad refuses verify's token, by the capability each read needs", async () => {
            server = await fakeServer(() => served("nomad.error-permission-denied"));
            const routes = [
                "agent/members",
                "agent/self",
                "nodes",
                "node/0d1e",
                "jobs?namespace=*",
                "allocations",
                "job/api",
                "client/fs/logs/a1",
            ];
            const refusals = await Promise.all(
                routes.map((route) =>
                    nomad(target(), route).then(
                        () => "none",
                        (err: Denied) => err.message,
                    ),
                ),
            );
            assert.deepStrictEqual(refusals, [
                "Nomad refuses verify's token node:read on /v1/agent/members",
                "Nomad refuses verify's token agent:read on /v1/agent/self",
                "Nomad refuses verify's token node:read on /v1/nodes",
                "Nomad refuses verify's token node:read on /v1/node/0d1e",
                "Nomad refuses verify's token namespace list-jobs on /v1/jobs",
                "Nomad refuses verify's token namespace read-job on /v1/allocations",
                "Nomad refuses verify's token namespace read-job on /v1/job/api",
                "Nomad refuses verify's token namespace read-logs on /v1/client/fs/logs/a1",
            ]);
        });
        it("take a refusal of another token's call, or of an anonymous one, as Vault's answer", async () => {
            server = await fakeServer(() => served("vault.error-permission-denied"));
            const statuses = [
                (await vault(target(), "auth/token/lookup-self", { token: "hvs.probe" })).status,
                (await vault(target(), "sys/health", { anonymous: true })).status,
            ];
            assert.deepStrictEqual(statuses, [403, 403]);
        });
        it("add the region to a Nomad query that has one already", async () => {
            server = await fakeServer(() => served("nomad.jobs"));
            await nomad(target({ nomadRegion: "eu" }), "jobs?namespace=*");
            assert.strictEqual(server.requests[0].url, "/v1/jobs?namespace=*&region=eu");
        });
        it("fetch an agent's JWKS over Nomad's TLS", async () => {
            server = await fakeServer(() => served("nomad.jwks"), { cert: TLS.cert, key: TLS.key });
            assert.strictEqual((await nomadJwks(target({ nomadCaPem: TLS.ca }), server.address)).status, 200);
        });
    });

    describe("a login", () => {
        it("is anonymous: Vault sees no token but the identity", async () => {
            server = await fakeServer(() => served("vault.jwt-login"));
            const t = {
                vaultAddress: server.address,
                vaultToken: "hvs.verify",
                jwtPath: "jwt-nomad",
                defaultRole: "nomad-workloads",
            } as Target;
            const login = await loginWith(t, "eyJ.identity.sig");
            assert.deepStrictEqual(
                [server.requests[0].headers["x-vault-token"], login.refusal, typeof login.token],
                [undefined, "", "string"],
            );
        });
    });
});

describe("what a refused login is read against", function () {
    this.timeout(20_000);
    const shared = sharedFakeStack();
    const contextOf = (jwt: string) => {
        const t = shared.stack.target();
        return loginContext(t, runView(t), jwt);
    };

    it("the identity's kid and audiences, and the role's bound audiences", async () => {
        const context = await contextOf(probeIdentity(KEYS.ed25519, { aud: ["vault.io", "nomad.io"] }));
        assert.deepStrictEqual(
            [context.kid, context.aud, context.boundAudiences],
            [KEYS.ed25519.kid, ["vault.io", "nomad.io"], ["vault.io"]],
        );
    });
    it("no audience for an identity that has none, nor for what is no JWT", async () => {
        const unsigned = await contextOf(signJwt({ sub: "x" }, KEYS.rsa.privateKey, KEYS.rsa.kid));
        const garbled = await contextOf("not-a-jwt");
        assert.deepStrictEqual([unsigned.aud, garbled.aud, garbled.kid], [[], [], undefined]);
    });
    it("no bound audience for a role that binds none", async () => {
        const { bound_audiences: _dropped, ...role } = shared.world.role!;
        shared.world.role = role;
        assert.deepStrictEqual((await contextOf(probeIdentity())).boundAudiences, []);
    });
});
