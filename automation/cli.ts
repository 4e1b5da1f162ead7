// `npm run stack -- <command>`: the Automation API driver. See `npm run stack -- --help`.
import * as path from "path";
import { runCommand } from "./commands";
import { resolveEnvironment } from "./environment";
import { localGit } from "./git";
import { machineProbes } from "./preflight";
import { lazyStackStore, localStackStore } from "./stacks";

async function main(): Promise<number> {
    const projectDir = path.resolve(__dirname, "..");
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort());
    const openStacks = () => {
        const environment = resolveEnvironment(projectDir);
        if (environment.passphraseNote) {
            console.error(environment.passphraseNote);
        }
        return localStackStore(projectDir, environment.envVars);
    };
    return runCommand(process.argv.slice(2), {
        stacks: lazyStackStore(openStacks),
        git: localGit(projectDir),
        probes: machineProbes(),
        out: (text) => console.log(text),
        err: (text) => console.error(text),
        now: () => new Date(),
        policyPack: path.join(projectDir, "policy"),
        signal: abort.signal,
    });
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    },
);
