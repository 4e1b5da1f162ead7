// The driver on this machine: the project's stacks through the Automation API, git, the machine's
// probes, the terminal. Shared by `npm run stack` and `npm run e2e`.
import * as path from "path";
import * as readline from "readline/promises";
import { Driver } from "./driver";
import { Environment, resolveEnvironment } from "./environment";
import { localGit } from "./git";
import { machineProbes } from "./preflight";
import { lazyStackStore, localStackStore } from "./stacks";

/** The driver for the project folder above this one; `signal` aborts a running operation (Ctrl-C). */
export function localDriver(signal: AbortSignal): Driver {
    const projectDir = path.resolve(__dirname, "..");
    let resolved: Environment | undefined;
    const environment = () => (resolved ??= resolveEnvironment(projectDir));
    const openStacks = () => {
        if (environment().passphraseNote) {
            console.error(environment().passphraseNote);
        }
        return localStackStore(projectDir, environment().envVars);
    };
    return {
        stacks: lazyStackStore(openStacks),
        git: localGit(projectDir),
        probes: machineProbes(),
        out: (text) => console.log(text),
        err: (text) => console.error(text),
        now: () => new Date(),
        environment,
        env: process.env,
        projectDir,
        confirm: process.stdin.isTTY ? askOnTerminal : undefined,
        policyPack: path.join(projectDir, "policy"),
        signal,
    };
}

/** The question goes to stderr, so that stdout keeps only results. */
async function askOnTerminal(question: string): Promise<boolean> {
    const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
        return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
    } finally {
        prompt.close();
    }
}

/** An abort signal that Ctrl-C fires. */
export function interruptSignal(): AbortSignal {
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort());
    return abort.signal;
}
