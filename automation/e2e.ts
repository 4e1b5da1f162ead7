// `npm run e2e`: the demo end to end on a host with Docker and the Pulumi CLI. It brings a stack of
// its own up through the stack driver, verifies it with a probe, reads mongo-query's result, and
// destroys and removes the stack, timing each step. It stops at the first step that fails, and still
// destroys what it created unless asked to keep it.
import { mongoQuery } from "../verify/checks";
import { runView } from "../verify/run";
import { runCommand } from "./commands";
import { Driver, selectExisting } from "./driver";
import { EXIT } from "./exitCodes";
import { stackNameForBranch } from "./reviewStacks";
import { preflightTools } from "./stackChecks";
import { verifyTarget } from "./verifyCommand";

/** One step: it resolves with what it found, or throws what went wrong. */
export interface E2eStep {
    readonly name: string;
    run(): Promise<string | void>;
}

export interface E2ePlan {
    readonly stack: string;
    /** Throws, before anything is created, when the run cannot start or would touch what it did not create. */
    check(): Promise<void>;
    /** The steps that build and check the stack, in order; the first creates it. */
    readonly steps: readonly E2eStep[];
    /** Removes what the steps created. */
    readonly teardown: E2eStep;
    /** The command that removes the stack by hand, for a kept run or a failed teardown. */
    readonly removeByHand: string;
}

export interface E2eIo {
    /** Progress and results. */
    say(text: string): void;
    /** Failures. */
    shout(text: string): void;
    /** Milliseconds, for the steps' times. */
    now(): number;
}

/** Progress and results on stdout, failures on stderr. */
export const CONSOLE_IO: E2eIo = { say: (text) => console.log(text), shout: (text) => console.error(text), now: () => Date.now() };

interface StepResult {
    readonly name: string;
    readonly ms?: number;
    readonly error?: string;
}

/** Runs the plan; returns the exit code: 0 when every step and the teardown passed. */
export async function runE2e(plan: E2ePlan, io: E2eIo, options: { keep?: boolean } = {}): Promise<number> {
    try {
        await plan.check();
    } catch (err) {
        io.shout(`E2E NOT STARTED: ${messageOf(err)}`);
        return EXIT.preflight;
    }
    const all = [...plan.steps, plan.teardown];
    const results: StepResult[] = [];
    const step = async (s: E2eStep): Promise<boolean> => {
        io.say(`==> e2e step ${all.indexOf(s) + 1}/${all.length}: ${s.name} (stack ${plan.stack})`);
        const started = io.now();
        try {
            const found = await s.run();
            const ms = io.now() - started;
            results.push({ name: s.name, ms });
            io.say(`e2e: ${s.name} passed in ${seconds(ms)}${found ? `: ${found}` : ""}`);
            return true;
        } catch (err) {
            const ms = io.now() - started;
            results.push({ name: s.name, ms, error: messageOf(err) });
            io.shout(`e2e: ${s.name} FAILED after ${seconds(ms)}: ${messageOf(err)}`);
            return false;
        }
    };
    for (const s of plan.steps) {
        if (!(await step(s))) {
            break;
        }
    }
    if (options.keep) {
        io.say(`e2e: the stack ${plan.stack} is kept (--keep); \`${plan.removeByHand}\` removes it.`);
    } else if (!(await step(plan.teardown))) {
        io.shout(`e2e: the stack ${plan.stack} may still hold resources: \`${plan.removeByHand}\` removes it.`);
    }
    io.say(summary(all, results));
    const failed = results.find((r) => r.error);
    if (failed) {
        io.shout(`E2E FAILED at ${failed.name}: ${failed.error}`);
        return EXIT.failed;
    }
    io.say("E2E PASSED.");
    return EXIT.ok;
}

/** Each step's time and verdict; a step after a failure did not run. */
function summary(all: readonly E2eStep[], results: readonly StepResult[]): string {
    const width = Math.max(...all.map((s) => s.name.length));
    const rows = all.map((s) => {
        const result = results.find((r) => r.name === s.name);
        const verdict = !result ? "not run" : result.error ? "FAILED" : "passed";
        return `  ${s.name.padEnd(width)}  ${(result ? seconds(result.ms!) : "-").padStart(6)}  ${verdict}`;
    });
    return ["e2e steps:", ...rows].join("\n");
}

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The branch name of the run's stack: a review stack, so it gets ports of its own beside the dev stack. */
export const E2E_BRANCH = "e2e";

/** The run through the stack driver: `review up`, `verify --probe`, mongo-query's result, `review destroy`. */
export function driverPlan(driver: Driver, branch = E2E_BRANCH): E2ePlan {
    const stack = stackNameForBranch(branch);
    const removeByHand = `npm run stack -- review destroy --branch ${branch}`;
    const exists = async () => (await driver.stacks.list()).some((summary) => summary.name === stack);
    const command = async (argv: string[]) => {
        const code = await runCommand(argv, driver);
        if (code !== EXIT.ok) {
            throw new Error(`npm run stack -- ${argv.join(" ")} exited with ${code} (its output is above)`);
        }
    };
    return {
        stack,
        removeByHand,
        async check() {
            await preflightTools(driver, "always");
            if (await exists()) {
                throw new Error(`the stack ${stack} exists already, from a kept or interrupted run: \`${removeByHand}\` removes it.`);
            }
        },
        steps: [
            // The work tree is what the run tests, committed or not.
            { name: "up", run: () => command(["review", "up", "--branch", branch, "--allow-dirty"]) },
            { name: "verify --probe", run: () => command(["verify", "--stack", stack, "--probe"]) },
            { name: "mongo-query", run: () => mongoQueryResult(stack, driver) },
        ],
        teardown: {
            name: "destroy",
            async run() {
                // An up that failed early may have created nothing, or removed the stack it made.
                if (!(await exists())) {
                    return `nothing to destroy: there is no stack ${stack}`;
                }
                await command(["review", "destroy", "--branch", branch]);
                return `${stack} destroyed and removed`;
            },
        },
    };
}

/** What mongo-query printed, read through Nomad's API as verify reads it: the user Vault issued it. */
export async function mongoQueryResult(stackName: string, driver: Driver): Promise<string> {
    const target = await verifyTarget(await selectExisting(stackName, driver), {});
    const outcome = await mongoQuery.run(target, { view: runView(target) });
    if (outcome.status !== "pass") {
        throw new Error(`${outcome.evidence}: ${outcome.cause}`);
    }
    return outcome.evidence;
}
