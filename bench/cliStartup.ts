// vaultnomad-verify as a user installs it (tools/packedCli.ts): what the install takes, and its
// `--help` from node_modules/.bin against a bare `node -e 0`, the two run in turn so that the
// machine's drift touches both alike. Whole processes, start-up included.
import { spawnSync } from "child_process";
import { installPackedCli } from "../tools/packedCli";
import { median, round } from "./stats";

export interface CliFigures {
    /** node_modules of a folder where only vaultnomad-verify was installed. */
    installedMB: number;
    packages: number;
    runs: number;
    helpMedianMs: number;
    bareNodeMedianMs: number;
    /** --help's median over node -e 0's. */
    ratio: number;
}

/** The medians of the two series of wall times, and their ratio. */
export function startupFigures(
    helpMs: number[],
    bareNodeMs: number[],
): Pick<CliFigures, "runs" | "helpMedianMs" | "bareNodeMedianMs" | "ratio"> {
    const help = median(helpMs);
    const bare = median(bareNodeMs);
    return { runs: helpMs.length, helpMedianMs: round(help), bareNodeMedianMs: round(bare), ratio: round(help / bare, 2) };
}

function wallMs(command: string, args: string[]): number {
    const started = process.hrtime.bigint();
    const { status, error } = spawnSync(command, args, { stdio: "ignore" });
    if (error || status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed: ${error?.message ?? `exit code ${status}`}`);
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
}

export function cliFigures(runs = 21): CliFigures {
    const cli = installPackedCli();
    try {
        const help = () => wallMs(cli.bin, ["--help"]);
        // The same node the bin's `#!/usr/bin/env node` finds on PATH.
        const bare = () => wallMs("node", ["-e", "0"]);
        help();
        bare();
        const helpMs: number[] = [];
        const bareNodeMs: number[] = [];
        for (let i = 0; i < runs; i++) {
            helpMs.push(help());
            bareNodeMs.push(bare());
        }
        return { installedMB: round(cli.bytes / 2 ** 20), packages: cli.packages.length, ...startupFigures(helpMs, bareNodeMs) };
    } finally {
        cli.remove();
    }
}
