// The JWKS check that runs before the JWT auth method is mounted, against a fake Nomad.
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { jwksCheckProvider } from "../components/jwksCheck";
import { JwksCheckError, waitForJwks } from "../components/runtime/jwksCheck";
import { FakeServer, fakeServer } from "./fakeHttp";

const JWKS = { keys: [{ kid: "110a70ac", kty: "RSA", alg: "RS256", use: "sig", n: "qxyG", e: "AQAB" }] };

describe("JWKS check", function () {
    this.timeout(10_000);
    let nomad: FakeServer | undefined;
    afterEach(async () => {
        await nomad?.close();
        nomad = undefined;
    });
    const url = () => `${nomad!.address}/.well-known/jwks.json`;

    it("passes once Nomad serves its keys", async () => {
        nomad = await fakeServer(() => ({ status: 200, body: JWKS }));
        assert.strictEqual(await waitForJwks(url(), 2000, 10), 1);
    });
    it("waits while the key set is still empty (no leader yet)", async () => {
        let calls = 0;
        nomad = await fakeServer(() => ({ status: 200, body: ++calls < 3 ? { keys: [] } : JWKS }));
        await waitForJwks(url(), 2000, 10);
        assert.strictEqual(calls, 3);
    });
    it("fails within its bound on a 404, naming the step, the URL and that nothing was mounted", async () => {
        nomad = await fakeServer(() => ({ status: 404, body: "Not Found" }));
        await assert.rejects(waitForJwks(url(), 300, 10), (err: Error) => {
            assert.ok(err instanceof JwksCheckError);
            assert.match(err.message, new RegExp(`^JWKS check before the JWT auth method: ${url()} gave no key set within 0 s`));
            assert.match(err.message, /last: HTTP 404 Not Found\)/);
            assert.match(err.message, /so nothing was mounted/);
            return true;
        });
    });
    it("fails on an unreachable agent, saying it was unreachable", async () => {
        const closed = await fakeServer(() => ({ status: 200 }));
        await closed.close();
        await assert.rejects(waitForJwks(`${closed.address}/.well-known/jwks.json`, 200, 10), /last: unreachable \(ECONNREFUSED\)/);
    });
    it("reports its failures as JwksCheckError, as Pulumi prints them", async () => {
        nomad = await fakeServer(() => ({ status: 404, body: "Not Found" }));
        await assert.rejects(waitForJwks(url(), 100, 10), (err: Error) => String(err).startsWith("JwksCheckError: JWKS check before"));
    });
    it("quotes the answer's body without its surrounding blanks", async () => {
        nomad = await fakeServer(() => ({ status: 503, body: "  No cluster leader\n" }));
        await assert.rejects(waitForJwks(url(), 100, 10), /last: HTTP 503 No cluster leader\)/);
    });
    it("quotes no more than 120 characters of a long error page", async () => {
        const page = `<html>${"x".repeat(300)}</html>`;
        nomad = await fakeServer(() => ({ status: 502, body: page, contentType: "text/html" }));
        await assert.rejects(waitForJwks(url(), 100, 10), (err: Error) => err.message.includes(`last: HTTP 502 ${page.slice(0, 120)})`));
    });
    it("says the key set stayed empty when Nomad never signed a key", async () => {
        nomad = await fakeServer(() => ({ status: 200, body: { keys: [] } }));
        await assert.rejects(waitForJwks(url(), 100, 10), /last: an empty key set\)/);
    });
    it("counts an answer without a keys field as an empty key set", async () => {
        nomad = await fakeServer(() => ({ status: 200, body: {} }));
        await assert.rejects(waitForJwks(url(), 100, 10), /last: an empty key set\)/);
    });
    it("gives up on an agent that accepts the connection and never answers", async function () {
        this.timeout(15_000);
        const silent = http.createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        try {
            const address = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/.well-known/jwks.json`;
            await assert.rejects(
                waitForJwks(address, 100, 10),
                /\(1 attempts; last: unreachable \(The operation was aborted due to timeout\)\)/,
            );
        } finally {
            silent.closeAllConnections();
            silent.close();
        }
    });
    it("fails on a body that is not a key set", async () => {
        nomad = await fakeServer(() => ({ status: 200, body: "<html>proxy login</html>" }));
        await assert.rejects(waitForJwks(url(), 200, 10), /last: a body that is not JSON/);
    });
    it("checks again, by replacement, when the URL changes", async () => {
        const diff = await jwksCheckProvider.diff!(
            "id",
            { url: "http://a/.well-known/jwks.json", timeoutSeconds: 120 },
            { url: "http://b/.well-known/jwks.json", timeoutSeconds: 120 },
        );
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, ["url"]]);
    });
    it("records a changed timeout without checking again", async () => {
        const diff = await jwksCheckProvider.diff!(
            "id",
            { url: "http://a/.well-known/jwks.json", timeoutSeconds: 120 },
            { url: "http://a/.well-known/jwks.json", timeoutSeconds: 300 },
        );
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
    });
    it("creates the check once the keys are served, keeping its inputs and the number of keys", async () => {
        nomad = await fakeServer(() => ({ status: 200, body: JWKS }));
        const inputs = { url: url(), timeoutSeconds: 1 };
        assert.deepStrictEqual(await jwksCheckProvider.create!(inputs), { id: url(), outs: { ...inputs, keys: 1 } });
    });
    it("waits as long as its timeout in seconds", async () => {
        nomad = await fakeServer(() => ({ status: 200, body: { keys: [] } }));
        await assert.rejects(jwksCheckProvider.create!({ url: url(), timeoutSeconds: 1 }), /gave no key set within 1 s \([2-9] attempts/);
    });
    it("takes the new inputs on update and keeps the key count it found", async () => {
        const olds = { url: "http://a/.well-known/jwks.json", timeoutSeconds: 120, keys: 2 };
        const updated = await jwksCheckProvider.update!("id", olds, { url: olds.url, timeoutSeconds: 300 });
        assert.deepStrictEqual(updated.outs, { ...olds, timeoutSeconds: 300 });
    });
    it("does not check again on a re-run with the same URL", async () => {
        const same = { url: "http://a/.well-known/jwks.json", timeoutSeconds: 120 };
        assert.strictEqual((await jwksCheckProvider.diff!("id", same, { ...same })).changes, false);
    });
});
