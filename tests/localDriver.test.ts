// The driver on this machine (automation/localDriver.ts): its folder, its environment, the terminal, Ctrl-C.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import { askOnTerminal, interruptSignal, localDriver } from "../automation/localDriver";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { committedRepo } from "./gitRepos";

/** What console.log and console.error print while `run` runs. */
async function consoleOf(run: () => Promise<void> | void): Promise<{ log: string[]; error: string[] }> {
    const printed = { log: [] as string[], error: [] as string[] };
    const saved = { log: console.log, error: console.error };
    console.log = (text: string) => printed.log.push(text);
    console.error = (text: string) => printed.error.push(text);
    try {
        await run();
    } finally {
        Object.assign(console, saved);
    }
    return printed;
}

/** Answers `question` with `typed` on a stand-in terminal; returns the verdict and what was shown. */
async function answer(typed: string): Promise<{ yes: boolean; shown: string }> {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = "";
    output.on("data", (chunk) => (shown += chunk));
    const asked = askOnTerminal("Destroy review-feat-x?", input, output);
    input.end(`${typed}\n`);
    return { yes: await asked, shown };
}

/** A folder with a `pulumi` that answers `version` and `stack ls` as the CLI does. */
function standInCli(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
    fs.writeFileSync(path.join(dir, "pulumi"), '#!/bin/sh\ncase "$1" in version) echo v3.150.0 ;; stack) echo "[]" ;; esac\n', {
        mode: 0o755,
    });
    return dir;
}

const USER_KEYS = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PATH"] as const;

describe("the driver on this machine", function () {
    this.timeout(30_000);
    const saved = Object.fromEntries(USER_KEYS.map((key) => [key, process.env[key]]));
    let project: string;
    beforeEach(() => {
        USER_KEYS.filter((key) => key !== "PATH").forEach((key) => delete process.env[key]);
        project = fs.realpathSync(committedRepo());
    });
    afterEach(() => {
        for (const key of USER_KEYS) {
            if (saved[key] === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = saved[key];
            }
        }
    });

    it("works on the project folder above automation/, with its policy pack", () => {
        const driver = localDriver(new AbortController().signal);
        assert.deepStrictEqual([driver.projectDir, driver.policyPack], [PROJECT_ROOT, path.join(PROJECT_ROOT, "policy")]);
    });
    it("gives git of the project, this machine's probes and variables, and the abort signal it was given", async () => {
        const signal = new AbortController().signal;
        const driver = localDriver(signal, project);
        assert.deepStrictEqual(
            [await driver.git.currentBranch(), driver.probes.nodeVersion, driver.env === process.env, driver.signal === signal],
            ["main", process.version, true, true],
        );
    });
    it("tells the time", () => {
        const before = Date.now();
        const now = localDriver(new AbortController().signal, project).now().getTime();
        assert.ok(now >= before && now <= Date.now(), String(now));
    });
    it("prints results on stdout and messages on stderr", async () => {
        const driver = localDriver(new AbortController().signal, project);
        const printed = await consoleOf(() => {
            driver.out("result");
            driver.err("message");
        });
        assert.deepStrictEqual(printed, { log: ["result"], error: ["message"] });
    });
    it("resolves where state lives once, on first use", () => {
        const driver = localDriver(new AbortController().signal, project);
        const untouched = !fs.existsSync(path.join(project, ".pulumi-state"));
        assert.deepStrictEqual([untouched, driver.environment() === driver.environment()], [true, true]);
    });
    it("says where the passphrase is when it opens the stacks, and gives the CLI the project's state", async () => {
        process.env.PATH = `${standInCli()}:${saved.PATH}`;
        const driver = localDriver(new AbortController().signal, project);
        const printed = await consoleOf(async () => void (await driver.stacks.list()));
        assert.deepStrictEqual(printed.error, [
            `Secrets passphrase: ${project}/.pulumi-state/passphrase (created now; keep it to read this state later)`,
        ]);
    });
    it("says nothing of a passphrase the user gave", async () => {
        Object.assign(process.env, { PATH: `${standInCli()}:${saved.PATH}`, PULUMI_CONFIG_PASSPHRASE: "typed" });
        const driver = localDriver(new AbortController().signal, project);
        assert.deepStrictEqual((await consoleOf(async () => void (await driver.stacks.list()))).error, []);
    });
    it("asks for confirmation only on a terminal", () => {
        const tty = Object.getOwnPropertyDescriptor(process.stdin, "isTTY");
        const confirmWhen = (isTTY: boolean) => {
            Object.defineProperty(process.stdin, "isTTY", { value: isTTY, configurable: true });
            return typeof localDriver(new AbortController().signal, project).confirm;
        };
        try {
            assert.deepStrictEqual([confirmWhen(true), confirmWhen(false)], ["function", "undefined"]);
        } finally {
            if (tty) {
                Object.defineProperty(process.stdin, "isTTY", tty);
            } else {
                delete (process.stdin as { isTTY?: boolean }).isTTY;
            }
        }
    });
});

describe("a question on the terminal", () => {
    it("shows the question with no as the default", async () => {
        assert.strictEqual((await answer("n")).shown, "Destroy review-feat-x? [y/N] ");
    });
    it("takes y or yes, in any case and with blanks around", async () => {
        const verdicts = await Promise.all(["y", "Y", "yes", " YES "].map(async (typed) => (await answer(typed)).yes));
        assert.deepStrictEqual(verdicts, [true, true, true, true]);
    });
    it("lets go of the terminal once answered", async () => {
        const input = new PassThrough();
        const asked = askOnTerminal("Destroy review-feat-x?", input, new PassThrough());
        input.write("y\n");
        await asked;
        assert.deepStrictEqual([input.listenerCount("data"), input.listenerCount("end")], [0, 0]);
    });
    it("takes anything else as no", async () => {
        const verdicts = await Promise.all(["", "n", "yess", "ayes", "no"].map(async (typed) => (await answer(typed)).yes));
        assert.deepStrictEqual(verdicts, [false, false, false, false, false]);
    });
});

describe("Ctrl-C", () => {
    it("aborts the signal it gave", () => {
        const before = process.listeners("SIGINT");
        const signal = interruptSignal();
        const added = process.listeners("SIGINT").filter((listener) => !before.includes(listener));
        added.forEach((listener) => process.removeListener("SIGINT", listener));
        added.forEach((listener) => (listener as () => void)());
        assert.deepStrictEqual([added.length, signal.aborted], [1, true]);
    });
});
