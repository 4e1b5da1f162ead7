// No token or password in plain text: every input and output that carries one is a Pulumi
// secret (encrypted in state, masked in output), and none reaches a command line or environment.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, RecordedResource, runProgram } from "../tools/programRecorder";
import { computedState } from "../tools/mockState";
import { plaintextPathsOf } from "./secretWalker";

const ROOT_TOKEN = computedState("random:index/randomPassword:RandomPassword", "vault-root-token", {}).result as string;
const MONGO_PASSWORD = computedState("random:index/randomPassword:RandomPassword", "kv-mongo-root-password", {}).result as string;
const BOOTSTRAP_SECRET = computedState("random:index/randomUuid:RandomUuid", "nomad-acl-secret", {}).result as string;
const SECRETS = [ROOT_TOKEN, MONGO_PASSWORD, BOOTSTRAP_SECRET];
const plaintextPaths = (value: unknown, at: string) => plaintextPathsOf(SECRETS, value, at);

describe("secrets", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    const container = (name: string): RecordedResource => run.one("docker:index/container:Container", name);

    before(async () => {
        run = await runProgram();
    });

    it("no resource input carries a token or password in plain text", async () => {
        const leaks = (await Promise.all(run.resources.map((r) => plaintextPaths(r.props, r.name)))).flat();
        assert.deepStrictEqual(leaks, []);
    });
    it("no stack output carries a token or password in plain text", async () => {
        assert.deepStrictEqual(await plaintextPaths(run.exports, "outputs"), []);
    });
    it("exports the Vault root token, as a secret", async () => {
        const token = run.exports.vaultToken as pulumi.Output<string>;
        assert.deepStrictEqual([await pulumi.isSecret(token), await (token as any).promise()], [true, ROOT_TOKEN]);
    });
    it("exports the Nomad management token, as a secret", async () => {
        const token = run.exports.nomadToken as pulumi.Output<string>;
        assert.deepStrictEqual([await pulumi.isSecret(token), await (token as any).promise()], [true, BOOTSTRAP_SECRET]);
    });
    it("gives Vault its root token through a file, not its command line or environment", () => {
        const inputs = container("vault-container").inputs!;
        const tokenFile = inputs.uploads.find((u: any) => u.file === "/vault/root-token");
        assert.strictEqual(tokenFile.content, ROOT_TOKEN);
        const visible = JSON.stringify([inputs.command, inputs.entrypoints, inputs.envs ?? []]);
        assert.ok(!visible.includes(ROOT_TOKEN), visible);
    });
    it("keeps every secret off both containers' command lines and environments", () => {
        for (const name of ["vault-container", "nomad-container"]) {
            const inputs = container(name).inputs!;
            const visible = JSON.stringify([inputs.command, inputs.entrypoints, inputs.envs ?? []]);
            assert.ok(!SECRETS.some((s) => visible.includes(s)), `${name}: ${visible}`);
        }
    });
    it("makes the root-token file readable by its owner only", () => {
        const tokenFile = container("vault-container").inputs!.uploads.find((u: any) => u.file === "/vault/root-token");
        assert.strictEqual(tokenFile.permissions, "0400");
    });
    it("authenticates the Nomad provider with the bootstrap token", () => {
        assert.strictEqual(run.one("pulumi:providers:nomad").inputs!.secretId, BOOTSTRAP_SECRET);
    });
});
