// `npm run e2e [-- --keep]`: the demo end to end on this host (automation/e2e.ts).
import { parseArgs } from "util";
import { CONSOLE_IO, driverPlan, E2E_BRANCH, runE2e } from "./e2e";
import { EXIT, exitWith } from "./exitCodes";
import { interruptSignal, localDriver } from "./localDriver";

const USAGE = `Usage: npm run e2e [-- --keep]

Needs Docker and the Pulumi CLI. Brings up the review stack of the branch "${E2E_BRANCH}" (ports of its own),
runs verify --probe on it, reads mongo-query's result, then destroys and removes the stack, timing each
step. It stops at the first step that fails, and destroys what it created even then.

  --keep      leave the stack up, whatever happened
  -h, --help  this text

Exit codes: 0 every step passed, 1 a step failed, 2 bad usage, 3 it could not start (nothing created).`;

async function main(): Promise<number> {
    const options = readOptions();
    if (typeof options === "string") {
        console.error(`${options}\n\n${USAGE}`);
        return EXIT.usage;
    }
    if (options.help) {
        console.log(USAGE);
        return EXIT.ok;
    }
    return runE2e(driverPlan(localDriver(interruptSignal())), CONSOLE_IO, options);
}

/** The command line's options, or what is wrong with it. */
function readOptions(): { keep?: boolean; help?: boolean } | string {
    try {
        return parseArgs({ options: { keep: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }).values;
    } catch (err) {
        return (err as Error).message;
    }
}

void exitWith(main());
