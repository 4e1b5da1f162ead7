// Where the driver keeps state and the secrets passphrase.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassphraseError, resolveEnvironment } from "../automation/environment";
import { EXIT } from "../automation/exitCodes";
import { drive } from "./driverHarness";

describe("driver environment", () => {
    let project: string;
    beforeEach(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-env-"));
    });

    it("keeps state in .pulumi-state/ of the project by default", () => {
        const env = resolveEnvironment(project, {});
        assert.strictEqual(env.envVars.PULUMI_BACKEND_URL, `file://${project}/.pulumi-state`);
    });
    it("generates a passphrase once, readable by its owner only", () => {
        const file = resolveEnvironment(project, {}).envVars.PULUMI_CONFIG_PASSPHRASE_FILE;
        const first = fs.readFileSync(file, "utf8");
        resolveEnvironment(project, {});
        assert.deepStrictEqual([fs.statSync(file).mode & 0o777, fs.readFileSync(file, "utf8"), first.length >= 40], [0o600, first, true]);
    });
    it("says where the passphrase is, and never what it is", () => {
        const env = resolveEnvironment(project, {});
        const passphrase = fs.readFileSync(env.envVars.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8");
        assert.deepStrictEqual(
            [env.passphraseNote?.includes(".pulumi-state/passphrase"), env.passphraseNote?.includes(passphrase)],
            [true, false],
        );
    });
    it("respects the user's passphrase", () => {
        const env = resolveEnvironment(project, { PULUMI_CONFIG_PASSPHRASE: "mine" });
        assert.deepStrictEqual(
            [env.envVars.PULUMI_CONFIG_PASSPHRASE_FILE, fs.existsSync(path.join(project, ".pulumi-state/passphrase"))],
            [undefined, false],
        );
    });
    it("passes the user's passphrase file on to the CLI", () => {
        const env = resolveEnvironment(project, { PULUMI_CONFIG_PASSPHRASE_FILE: "/home/me/.passphrase" });
        assert.deepStrictEqual(env.envVars, {
            PULUMI_BACKEND_URL: `file://${project}/.pulumi-state`,
            PULUMI_CONFIG_PASSPHRASE_FILE: "/home/me/.passphrase",
        });
    });
    it("lets the user's passphrase win over the user's passphrase file", () => {
        const env = resolveEnvironment(project, {
            PULUMI_CONFIG_PASSPHRASE: "mine",
            PULUMI_CONFIG_PASSPHRASE_FILE: "/home/me/.passphrase",
        });
        assert.deepStrictEqual(env.envVars, { PULUMI_BACKEND_URL: `file://${project}/.pulumi-state` });
    });
    it("says the passphrase was created on the run that creates it", () => {
        const env = resolveEnvironment(project, {});
        assert.strictEqual(
            env.passphraseNote,
            `Secrets passphrase: ${env.envVars.PULUMI_CONFIG_PASSPHRASE_FILE} (created now; keep it to read this state later)`,
        );
    });
    it("says only where the passphrase is on later runs", () => {
        resolveEnvironment(project, {});
        const env = resolveEnvironment(project, {});
        assert.strictEqual(env.passphraseNote, `Secrets passphrase: ${env.envVars.PULUMI_CONFIG_PASSPHRASE_FILE}`);
    });
    it("makes the passphrase of 32 random bytes, as URL-safe text", () => {
        const passphrase = fs.readFileSync(resolveEnvironment(project, {}).envVars.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8");
        assert.match(passphrase, /^[A-Za-z0-9_-]{43}$/);
    });
    it("keeps using its passphrase once stacks were made with it", () => {
        const first = resolveEnvironment(project, {}).envVars;
        fs.mkdirSync(path.join(project, ".pulumi-state/.pulumi/stacks/vaultnomad"), { recursive: true });
        fs.writeFileSync(path.join(project, ".pulumi-state/.pulumi/stacks/vaultnomad/dev.json"), "{}");
        assert.deepStrictEqual(resolveEnvironment(project, {}).envVars, first);
    });
    it("makes a passphrase for state whose stacks were all removed", () => {
        fs.mkdirSync(path.join(project, ".pulumi-state/.pulumi/stacks/vaultnomad"), { recursive: true });
        assert.ok(fs.existsSync(resolveEnvironment(project, {}).envVars.PULUMI_CONFIG_PASSPHRASE_FILE));
    });
    it("never overwrites a passphrase file that appeared after it looked (another run's)", () => {
        // A dangling link: not there when looked at, yet the exclusive create fails as on a file made in between.
        const file = path.join(project, ".pulumi-state/passphrase");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.symlinkSync(path.join(project, "made-by-the-other-run"), file);
        const env = resolveEnvironment(project, {});
        assert.deepStrictEqual(
            [env.passphraseNote, fs.readlinkSync(file)],
            [`Secrets passphrase: ${file}`, path.join(project, "made-by-the-other-run")],
        );
    });
    it("quotes its exports so that a shell reads the values back unchanged", () => {
        const backend = `file://${project}/it's $HOME`;
        const [line] = resolveEnvironment(project, { PULUMI_BACKEND_URL: backend }).shellExports;
        assert.strictEqual(execFileSync("sh", ["-c", `${line}; printf %s "$PULUMI_BACKEND_URL"`], { encoding: "utf8" }), backend);
    });
    it("respects the user's backend, and leaves its secrets provider alone", () => {
        const env = resolveEnvironment(project, { PULUMI_BACKEND_URL: "s3://bucket/state" });
        assert.deepStrictEqual([env.backendUrl, env.envVars], ["s3://bucket/state", { PULUMI_BACKEND_URL: "s3://bucket/state" }]);
    });
});

/**
 * One story for the driver and the Pulumi CLI: the CLI gets its variables from `npm run stack -- env`,
 * so a stack made by either is opened by the other with the same backend and the same passphrase.
 */
describe("one passphrase for the driver and the CLI", () => {
    let project: string;
    beforeEach(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-env-"));
    });

    /** What a shell has after `eval "$(npm run --silent stack -- env)"`. */
    async function shellAfterEval(shell: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
        const { code, out } = await drive(["env"], { environment: () => resolveEnvironment(project, shell) });
        assert.strictEqual(code, EXIT.ok);
        const exported = out.split("\n").map((line) => /^export ([A-Z_]+)='(.*)'$/.exec(line)!);
        return { ...shell, ...Object.fromEntries(exported.map(([, key, value]) => [key, value])) };
    }
    /** The backend and passphrase the Pulumi CLI reads in that shell, or the driver's workspace gets. */
    function secretsOf(env: NodeJS.ProcessEnv) {
        const passphrase = env.PULUMI_CONFIG_PASSPHRASE ?? fs.readFileSync(env.PULUMI_CONFIG_PASSPHRASE_FILE!, "utf8");
        return { backend: env.PULUMI_BACKEND_URL, passphrase };
    }
    const driverSees = (shell: NodeJS.ProcessEnv) => secretsOf({ ...shell, ...resolveEnvironment(project, shell).envVars });

    it("a stack the driver made is read by the CLI after the env exports", async () => {
        const made = driverSees({});
        assert.deepStrictEqual(secretsOf(await shellAfterEval({})), made);
    });
    it("a stack the CLI made after the env exports is read by the driver, in that shell or a fresh one", async () => {
        const cli = secretsOf(await shellAfterEval({}));
        const shell = await shellAfterEval({});
        assert.deepStrictEqual([driverSees(shell), driverSees({})], [cli, cli]);
    });
    it("the user's own passphrase reaches both, and is never printed", async () => {
        const shell = { PULUMI_CONFIG_PASSPHRASE: "typed by hand" };
        const { out } = await drive(["env"], { environment: () => resolveEnvironment(project, shell) });
        assert.deepStrictEqual(
            [secretsOf(await shellAfterEval(shell)), driverSees(shell), out.includes("typed by hand")],
            [driverSees(shell), { backend: `file://${project}/.pulumi-state`, passphrase: "typed by hand" }, false],
        );
    });
    it("never makes a new passphrase for state that was encrypted with a typed one", () => {
        fs.mkdirSync(path.join(project, ".pulumi-state/.pulumi/stacks/vaultnomad"), { recursive: true });
        fs.writeFileSync(path.join(project, ".pulumi-state/.pulumi/stacks/vaultnomad/dev.json"), "{}");
        assert.throws(
            () => resolveEnvironment(project, {}),
            (err: Error) => err instanceof PassphraseError && /Export it as PULUMI_CONFIG_PASSPHRASE/.test(err.message),
        );
    });
});
