// The driver on this machine: the project's stacks through the Automation API, git, the machine's
// probes, the terminal. Shared by `npm run stack` and `npm run e2e`.
import * as path from "path";
import * as readline from "readline/promises";
import { Driver } from "./driver";
import { Environment, resolveEnvironment } from "./environment";
import { localGit } from "./git";
import { machineProbes } from "./preflight";
import { lazyStackStore, localStackStore } from "./stacks";

/** The project folder: the one above this file's. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** The driver for the project folder; `signal` aborts a running operation (Ctrl-C). */
export function localDriver(signal: AbortSignal, projectDir = PROJECT_DIR): Driver {
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

/** A yes/no question; the question goes to stderr, so that stdout keeps only results. */
export async function askOnTerminal(
    question: string,
    input: NodeJS.ReadableStream = process.stdin,
    output: NodeJS.WritableStream = process.stderr,
): Promise<boolean> {
    const prompt = readline.createInterface({ input, output });
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
