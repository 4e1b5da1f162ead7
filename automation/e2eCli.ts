// `npm run e2e [-- --keep]`: the demo end to end on this host (automation/e2e.ts).
import { parseArgs } from "util";
import { driverPlan, E2E_BRANCH, runE2e } from "./e2e";
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
    let keep: boolean | undefined;
    try {
        const { values } = parseArgs({ options: { keep: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true });
        if (values.help) {
            console.log(USAGE);
            return EXIT.ok;
        }
        keep = values.keep;
    } catch (err) {
        console.error(`${(err as Error).message}\n\n${USAGE}`);
        return EXIT.usage;
    }
    const io = { say: (text: string) => console.log(text), shout: (text: string) => console.error(text), now: () => Date.now() };
    return runE2e(driverPlan(localDriver(interruptSignal())), io, { keep });
}

void exitWith(main());
