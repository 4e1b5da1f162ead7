// `npm run e2e` as its entry file runs it: loaded in this process, with process.exit and the console caught.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

interface CliRun {
    readonly code: number;
    readonly log: string[];
    readonly error: string[];
}

/** Loads automation/e2eCli.ts with `argv`, as `npm run e2e -- <argv>` does, and waits for its exit. */
async function e2eCli(argv: string[], options: { env?: NodeJS.ProcessEnv; stdoutFails?: boolean } = {}): Promise<CliRun> {
    const saved = { argv: process.argv, exit: process.exit, log: console.log, error: console.error, env: { ...process.env } };
    const listeners = process.listeners("SIGINT");
    const printed = { log: [] as string[], error: [] as string[] };
    try {
        const code = await new Promise<number>((resolve) => {
            process.exit = ((code: number) => resolve(code)) as typeof process.exit;
            console.log = (text: string) => {
                if (options.stdoutFails) {
                    throw new Error("write EPIPE");
                }
                printed.log.push(text);
            };
            console.error = (text: string) => printed.error.push(text);
            process.argv = [process.execPath, "automation/e2eCli.ts", ...argv];
            Object.assign(process.env, options.env);
            const file = require.resolve("../automation/e2eCli");
            delete require.cache[file];
            // Loading the entry file is running it, as `npm run e2e` does.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require(file);
        });
        return { code, ...printed };
    } finally {
        Object.assign(process, { argv: saved.argv, exit: saved.exit });
        Object.assign(console, { log: saved.log, error: saved.error });
        Object.keys(process.env).forEach((key) => key in saved.env || delete process.env[key]);
        Object.assign(process.env, saved.env);
        process.listeners("SIGINT").forEach((listener) => listeners.includes(listener) || process.removeListener("SIGINT", listener));
    }
}

/** A machine with neither the Pulumi CLI nor a Docker engine. */
const BARE_MACHINE = () => ({
    PATH: fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-")),
    DOCKER_HOST: `unix://${path.join(os.tmpdir(), `no-docker-${process.pid}.sock`)}`,
});

describe("npm run e2e", function () {
    this.timeout(30_000);

    it("prints its usage on --help, and exits 0", async () => {
        const run = await e2eCli(["--help"]);
        assert.deepStrictEqual([run.code, run.log.length, run.log[0].split("\n")[0]], [0, 1, "Usage: npm run e2e [-- --keep]"]);
    });
    it("takes -h for --help", async () => {
        assert.match((await e2eCli(["-h"])).log[0], /^Usage: npm run e2e/);
    });
    it("refuses an option it does not know, with its usage (exit 2)", async () => {
        const run = await e2eCli(["--bogus"]);
        assert.deepStrictEqual([run.code, /^Unknown option '--bogus'[^]*\n\nUsage: npm run e2e/.test(run.error[0])], [2, true]);
    });
    it("refuses a value for --keep, which is a switch (exit 2)", async () => {
        assert.strictEqual((await e2eCli(["--keep=yes"])).code, 2);
    });
    it("does not start without the Pulumi CLI and a Docker engine, naming both (exit 3)", async () => {
        const run = await e2eCli([], { env: BARE_MACHINE() });
        assert.deepStrictEqual(
            [
                run.code,
                /^E2E NOT STARTED: 2 things are missing:\n {2}- The Pulumi CLI is not on the PATH[^]*\n {2}- The Docker engine at unix:/.test(
                    run.error[0],
                ),
            ],
            [3, true],
        );
    });
    it("takes --keep", async () => {
        assert.strictEqual((await e2eCli(["--keep"], { env: BARE_MACHINE() })).code, 3);
    });
    it("prints a failure it did not foresee, and exits 1", async () => {
        const run = await e2eCli(["--help"], { stdoutFails: true });
        assert.deepStrictEqual([run.code, run.error], [1, ["write EPIPE"]]);
    });
});
