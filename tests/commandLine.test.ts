// How `npm run stack` reads its command line before any command runs: help, stray arguments, and
// the commands that print rather than change (env, refresh on a stack that is not there).
import * as assert from "assert";
import { USAGE } from "../automation/commands";
import { PassphraseError } from "../automation/environment";
import { EXIT } from "../automation/exitCodes";
import { drive } from "./driverHarness";
import { FakeStacks } from "./fakeStackStore";

describe("the command line of npm run stack", () => {
    it("without a command prints the usage and exits 2", async () => {
        assert.deepStrictEqual(await drive([]), { code: EXIT.usage, out: USAGE, err: "" });
    });
    it("with help prints the usage and exits 0", async () => {
        assert.deepStrictEqual(await drive(["help"]), { code: EXIT.ok, out: USAGE, err: "" });
    });
    it("with --help beside a command prints the usage, and runs nothing", async () => {
        const stacks = new FakeStacks();
        assert.deepStrictEqual([await drive(["up", "--help"], { stacks }), stacks.calls], [{ code: EXIT.ok, out: USAGE, err: "" }, []]);
    });
    it("refuses an argument after a command that takes none (exit 2)", async () => {
        const stacks = new FakeStacks();
        const { code, err } = await drive(["up", "now"], { stacks });
        assert.deepStrictEqual([code, err.split("\n")[0], stacks.calls], [EXIT.usage, "unexpected argument: now", []]);
    });
    it("names every stray argument, in order", async () => {
        const { err } = await drive(["up", "now", "please"]);
        assert.strictEqual(err.split("\n")[0], "unexpected argument: now please");
    });
    it("refuses an argument after a review subcommand", async () => {
        const { code, err } = await drive(["review", "list", "all"]);
        assert.deepStrictEqual([code, err.split("\n")[0]], [EXIT.usage, "unexpected argument: all"]);
    });
    it("says a passphrase problem as a preflight failure (exit 3)", async () => {
        const environment = () => {
            throw new PassphraseError("PULUMI_CONFIG_PASSPHRASE_FILE names no file");
        };
        const { code, err } = await drive(["env"], { environment });
        assert.deepStrictEqual([code, err], [EXIT.preflight, "Preflight: PULUMI_CONFIG_PASSPHRASE_FILE names no file"]);
    });
});

describe("env", () => {
    const environment = () => ({
        envVars: { PULUMI_BACKEND_URL: "file:///state" },
        shellExports: ["export PULUMI_BACKEND_URL=file:///state"],
    });

    it("prints the exports", async () => {
        const { out } = await drive(["env"], { environment: environment as never });
        assert.strictEqual(out, "export PULUMI_BACKEND_URL=file:///state");
    });
    it("prints, under --json, only the variables as one document", async () => {
        const { out } = await drive(["env", "--json"], { environment: environment as never });
        assert.deepStrictEqual(JSON.parse(out), { env: { PULUMI_BACKEND_URL: "file:///state" } });
    });
});

describe("refresh", () => {
    it("does not create a stack that does not exist", async () => {
        const stacks = new FakeStacks();
        const { code } = await drive(["refresh", "--stack", "gone"], { stacks });
        assert.deepStrictEqual([code, stacks.calls], [EXIT.failed, []]);
    });
});
