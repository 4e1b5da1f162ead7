// The view a run of verify reads the cluster through (verify/clusterView.ts), on the fake Vault and
// Nomad: what it keeps, what forget() drops, and what its deadline cuts.
import * as assert from "assert";
import { createClusterView } from "../verify/clusterView";
import { Target } from "../verify/types";
import { FakeServer, fakeServer } from "./fakeHttp";
import { FakeStack, startFakeStack, vaultApi } from "./fakeStack";

describe("verify's view of the cluster", function () {
    this.timeout(20_000);
    let stack: FakeStack;
    const extra: FakeServer[] = [];
    before(async () => {
        stack = await startFakeStack();
    });
    afterEach(async () => {
        stack.vault.requests.length = 0;
        stack.nomad.requests.length = 0;
        await Promise.all(extra.splice(0).map((s) => s.close()));
    });
    after(() => stack.close());

    const view = (target: Target = stack.target(), deadline = Date.now() + 60_000) => createClusterView(target, { deadline });
    /** A Vault that answers `path` with `reply` (after `latencyMs`), and the rest as the fake Vault. */
    const vaultAnswering = async (path: string, reply: { status: number; body: unknown; contentType?: string }, latencyMs = 0) => {
        const api = vaultApi(stack.world, () => `${stack.nomad.address}/.well-known/jwks.json`);
        const vault = await fakeServer((req) => (req.url === path ? reply : api(req)), undefined, { latencyMs: () => latencyMs });
        extra.push(vault);
        return { ...stack.target(), vaultAddress: vault.address };
    };
    const asked = (server: FakeServer, url: string) => server.requests.filter((r) => r.url === url).length;

    it("reads a thing once, however often it is asked for", async () => {
        const seen = view();
        await Promise.all([seen.vault("sys/auth"), seen.vault("sys/auth"), seen.jobStubs(), seen.jobStubs()]);
        assert.deepStrictEqual([asked(stack.vault, "/v1/sys/auth"), asked(stack.nomad, "/v1/jobs?namespace=*")], [1, 1]);
    });
    it("reads afresh after forget(), as a retry under --wait does", async () => {
        const seen = view();
        await Promise.all([seen.vault("sys/auth"), seen.jobStubs()]);
        seen.forget();
        await Promise.all([seen.vault("sys/auth"), seen.jobStubs()]);
        assert.deepStrictEqual([asked(stack.vault, "/v1/sys/auth"), asked(stack.nomad, "/v1/jobs?namespace=*")], [2, 2]);
    });
    it("cuts a Vault read still in flight at the deadline", async () => {
        const slow = await vaultAnswering("/v1/sys/auth", { status: 200, body: {} }, 2_500);
        const reply = await view(slow, Date.now() + 300).vault("sys/auth");
        assert.deepStrictEqual([reply.status, reply.error], [0, "TimeoutError"]);
    });
    it("sends no read once the deadline has passed", async () => {
        const reply = await view(stack.target(), Date.now() - 1).vault("sys/auth");
        assert.deepStrictEqual([reply.error, asked(stack.vault, "/v1/sys/auth")], ["verify's deadline passed", 0]);
    });
    it("gives an empty text for a policy Vault does not have", async () => {
        assert.strictEqual(await view().policyText("gone"), "");
    });
    it("names the policy and Vault's answer when that answer is no JSON, rather than taking it for an empty policy", async () => {
        const proxied = await vaultAnswering("/v1/sys/policies/acl/nomad-workloads", {
            status: 502,
            body: "<html>Bad Gateway</html>",
            contentType: "text/html",
        });
        await assert.rejects(view(proxied).policyText("nomad-workloads"), {
            message: "sys/policies/acl/nomad-workloads: HTTP 502 <html>Bad Gateway</html>",
        });
    });
});
