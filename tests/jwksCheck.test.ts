// The JWKS check that runs before the JWT auth method is mounted, against a fake Nomad.
import * as assert from "assert";
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
        assert.deepStrictEqual(diff.replaces, ["url"]);
    });
    it("does not check again on a re-run with the same URL", async () => {
        const same = { url: "http://a/.well-known/jwks.json", timeoutSeconds: 120 };
        assert.strictEqual((await jwksCheckProvider.diff!("id", same, { ...same })).changes, false);
    });
});
