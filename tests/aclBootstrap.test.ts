// The ACL bootstrap against a fake Nomad HTTP API on 127.0.0.1.
import * as assert from "assert";
import { AclBootstrapError, bootstrapNomadAcl } from "../components/runtime/aclBootstrap";
import { FakeReply, fakeServer } from "./fakeHttp";

const SECRET = "7f10099a-936c-3f3a-8783-f0980493e54b";
const ACCESSOR = "d1de8625-8556-0932-a25c-3aa71bfc0134";

type Reply = FakeReply;

/** A fake Nomad that answers with `handler`. */
const fakeNomad = (handler: (req: { url: string; token?: string }) => Reply) =>
    fakeServer((req) => handler({ url: req.url, token: req.headers["x-nomad-token"] as string | undefined }));

const bootstrapped: Reply = { status: 200, body: { AccessorID: ACCESSOR, SecretID: SECRET, Type: "management" } };
const alreadyDone: Reply = { status: 400, body: "ACL bootstrap already done (reset index: 12)" };
const noLeader: Reply = { status: 500, body: "No cluster leader" };

describe("Nomad ACL bootstrap", function () {
    this.timeout(20_000);
    let nomad: Awaited<ReturnType<typeof fakeNomad>> | undefined;
    afterEach(async () => {
        await nomad?.close();
        nomad = undefined;
    });
    const bootstrap = (address: string, timeoutMs = 3000) =>
        bootstrapNomadAcl({ address, secret: SECRET, timeoutMs, agentName: "vaultnomad-dev-nomad", initialDelayMs: 20 });

    it("returns the management token on success", async () => {
        nomad = await fakeNomad(() => bootstrapped);
        assert.deepStrictEqual(await bootstrap(nomad.address), { accessorId: ACCESSOR, secretId: SECRET, adopted: false });
    });
    it("sends the secret chosen beforehand as BootstrapSecret", async () => {
        nomad = await fakeNomad(() => bootstrapped);
        await bootstrap(nomad.address);
        assert.deepStrictEqual(
            nomad.requests.map((r) => [r.method, r.url, JSON.parse(r.body)]),
            [["POST", "/v1/acl/bootstrap", { BootstrapSecret: SECRET }]],
        );
    });
    it("retries while the agent has no leader, then succeeds", async () => {
        let calls = 0;
        nomad = await fakeNomad(() => (++calls < 4 ? noLeader : bootstrapped));
        const token = await bootstrap(nomad.address);
        assert.deepStrictEqual([token.secretId, nomad.requests.length], [SECRET, 4]);
    });
    it("adopts an agent already bootstrapped with this stack's secret (a re-run)", async () => {
        nomad = await fakeNomad((req) => (req.url === "/v1/acl/token/self" && req.token === SECRET ? bootstrapped : alreadyDone));
        assert.deepStrictEqual(await bootstrap(nomad.address), { accessorId: ACCESSOR, secretId: SECRET, adopted: true });
    });
    it("explains how to recover from a bootstrap done with another token", async () => {
        nomad = await fakeNomad((req) => (req.url === "/v1/acl/token/self" ? { status: 403, body: "Permission denied" } : alreadyDone));
        await assert.rejects(bootstrap(nomad.address), (err: Error) => {
            assert.ok(err instanceof AclBootstrapError);
            assert.match(err.message, /already ACL-bootstrapped with a token this stack does not hold \(reset index 12\)/);
            assert.match(err.message, /pulumi up --replace <URN of the container vaultnomad-dev-nomad>/);
            assert.match(err.message, /echo 12 > <data_dir>\/server\/acl-bootstrap-reset/);
            assert.match(err.message, /if you hold the existing management token, keep the agent and reset the bootstrap/);
            return true;
        });
    });
    it("refuses to adopt a token that token/self says is not a management token", async () => {
        const client: Reply = { status: 200, body: { AccessorID: ACCESSOR, SecretID: SECRET, Type: "client" } };
        nomad = await fakeNomad((req) => (req.url === "/v1/acl/token/self" ? client : alreadyDone));
        await assert.rejects(bootstrap(nomad.address), /already ACL-bootstrapped with a token this stack does not hold/);
    });
    it("asks token/self with this stack's secret, not anonymously", async () => {
        nomad = await fakeNomad((req) => (req.url === "/v1/acl/token/self" ? bootstrapped : alreadyDone));
        await bootstrap(nomad.address);
        assert.deepStrictEqual(
            nomad.requests.map((r) => [r.method, r.url, r.headers["x-nomad-token"]]),
            [
                ["POST", "/v1/acl/bootstrap", undefined],
                ["GET", "/v1/acl/token/self", SECRET],
            ],
        );
    });
    it("names placeholders for the container and reset index when it knows neither", async () => {
        nomad = await fakeNomad((req) =>
            req.url === "/v1/acl/token/self"
                ? { status: 403, body: "Permission denied" }
                : { status: 400, body: "ACL bootstrap already done" },
        );
        const request = { address: nomad.address, secret: SECRET, timeoutMs: 3000, initialDelayMs: 20 };
        await assert.rejects(bootstrapNomadAcl(request), (err: Error) => {
            assert.deepStrictEqual(
                [
                    /does not hold\. To recover/.test(err.message),
                    err.message.includes("pulumi up --replace <URN of the container <nomad container>>"),
                    err.message.includes(
                        "docker exec <nomad container> sh -c 'echo <reset index> > <data_dir>/server/acl-bootstrap-reset'",
                    ),
                ],
                [true, true, true],
            );
            return true;
        });
    });
    it("keeps retrying on 5xx until the timeout, then names the address and last answer", async () => {
        nomad = await fakeNomad(() => ({ status: 503, body: "rpc error: eval broker disabled\n" }));
        const started = Date.now();
        await assert.rejects(bootstrap(nomad.address, 600), (err: Error) => {
            assert.match(err.message, new RegExp(`Nomad ACL bootstrap at ${nomad!.address} did not succeed within 1 s`));
            assert.match(err.message, /last answer: HTTP 503 rpc error: eval broker disabled\. Check/);
            return true;
        });
        assert.ok(Date.now() - started < 3000, "gave up late");
    });
    it("says, when it gives up, which container's logs to read and which key to raise", async () => {
        nomad = await fakeNomad(() => noLeader);
        await assert.rejects(
            bootstrap(nomad.address, 100),
            /Check the Nomad agent's logs \(docker logs vaultnomad-dev-nomad\) and raise vaultnomad:readyTimeoutSeconds if it is only slow\./,
        );
    });
    it("names a placeholder for the container's logs when it does not know the container", async () => {
        nomad = await fakeNomad(() => noLeader);
        await assert.rejects(
            bootstrapNomadAcl({ address: nomad.address, secret: SECRET, timeoutMs: 100, initialDelayMs: 20 }),
            /Check the Nomad agent's logs \(docker logs <nomad container>\)/,
        );
    });
    it("reports its failures as AclBootstrapError", async () => {
        nomad = await fakeNomad(() => ({ status: 400, body: "ACL support disabled" }));
        await assert.rejects(bootstrap(nomad.address), { name: "AclBootstrapError" });
    });
    it("fails at once on a refusal that waiting cannot fix", async () => {
        nomad = await fakeNomad(() => ({ status: 400, body: "ACL support disabled\n" }));
        await assert.rejects(bootstrap(nomad.address), /was refused: HTTP 400 ACL support disabled$/);
        assert.strictEqual(nomad.requests.length, 1);
    });
    it("gives up on an unreachable agent after the timeout, saying so", async () => {
        const closed = await fakeNomad(() => bootstrapped);
        await closed.close();
        await assert.rejects(
            bootstrap(closed.address, 500),
            /did not succeed within 1 s \(\d+ attempts\); last answer: unreachable \(ECONNREFUSED\)/,
        );
    });
});

describe("ACL bootstrap resource", () => {
    const olds = { address: "http://127.0.0.1:4646", agentId: "c1", agentName: "n", bootstrapSecret: SECRET, timeoutSeconds: 120 };

    it("creates the token as its outputs, identified by the accessor", async () => {
        const { aclBootstrapProvider } = await import("../components/nomadAclBootstrap");
        const nomad = await fakeNomad(() => bootstrapped);
        try {
            const inputs = { ...olds, address: nomad.address };
            const created = await aclBootstrapProvider.create!(inputs);
            assert.deepStrictEqual(created, { id: ACCESSOR, outs: { ...inputs, accessorId: ACCESSOR, secretId: SECRET } });
        } finally {
            await nomad.close();
        }
    });
    it("waits for the agent as long as its timeout in seconds", async () => {
        const { aclBootstrapProvider } = await import("../components/nomadAclBootstrap");
        const nomad = await fakeNomad(() => noLeader);
        try {
            await assert.rejects(
                aclBootstrapProvider.create!({ ...olds, address: nomad.address, timeoutSeconds: 1 }),
                /did not succeed within 1 s/,
            );
        } finally {
            await nomad.close();
        }
    });
    it("bootstraps again when the agent's container is replaced (fresh ACL state)", async () => {
        const { aclBootstrapProvider } = await import("../components/nomadAclBootstrap");
        const diff = await aclBootstrapProvider.diff!("id", olds, { ...olds, agentId: "c2" });
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, ["agentId"]]);
    });
    it("leaves a bootstrapped agent alone when only the timeout changes", async () => {
        const { aclBootstrapProvider } = await import("../components/nomadAclBootstrap");
        const diff = await aclBootstrapProvider.diff!("id", olds, { ...olds, timeoutSeconds: 300 });
        assert.deepStrictEqual([diff.changes, diff.replaces], [true, []]);
    });
    it("bootstraps again, deleting first, when the address or the secret changes", async () => {
        const { aclBootstrapProvider } = await import("../components/nomadAclBootstrap");
        const diff = await aclBootstrapProvider.diff!("id", olds, { ...olds, address: "http://127.0.0.1:5646", bootstrapSecret: "other" });
        assert.deepStrictEqual([diff.changes, diff.replaces, diff.deleteBeforeReplace], [true, ["address", "bootstrapSecret"], true]);
    });
    it("takes the new inputs on update and keeps the token it holds", async () => {
        const { aclBootstrapProvider } = await import("../components/nomadAclBootstrap");
        const held = { ...olds, accessorId: ACCESSOR, secretId: SECRET };
        const updated = await aclBootstrapProvider.update!("id", held, { ...olds, timeoutSeconds: 300 });
        assert.deepStrictEqual(updated.outs, { ...held, timeoutSeconds: 300 });
    });
    it("reports no change on a re-run with the same inputs", async () => {
        const { aclBootstrapProvider } = await import("../components/nomadAclBootstrap");
        const diff = await aclBootstrapProvider.diff!("id", olds, { ...olds });
        assert.strictEqual(diff.changes, false);
    });
});
