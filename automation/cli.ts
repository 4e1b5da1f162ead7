// `npm run stack -- <command>`: the Automation API driver. See `npm run stack -- --help`.
import * as path from "path";
import * as readline from "readline/promises";
import { runCommand } from "./commands";
import { Environment, resolveEnvironment } from "./environment";
import { localGit } from "./git";
import { machineProbes } from "./preflight";
import { lazyStackStore, localStackStore } from "./stacks";

async function main(): Promise<number> {
    const projectDir = path.resolve(__dirname, "..");
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort());
    let resolved: Environment | undefined;
    const environment = () => (resolved ??= resolveEnvironment(projectDir));
    const openStacks = () => {
        if (environment().passphraseNote) {
            console.error(environment().passphraseNote);
        }
        return localStackStore(projectDir, environment().envVars);
    };
    return runCommand(process.argv.slice(2), {
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
        signal: abort.signal,
    });
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

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    },
);
