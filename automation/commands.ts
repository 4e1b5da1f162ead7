// The driver's commands, over injected stacks, git and machine probes so that tests can fake them.
import { parseArgs } from "util";
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import {
    checkPortsIfNew,
    Driver,
    MissingStackError,
    Operation,
    Options,
    preflight,
    printOutputMap,
    run,
    selectExisting,
    UsageError,
} from "./driver";
import { EXIT } from "./exitCodes";
import { PreflightError } from "./preflight";
import { review } from "./review";
import { DriverStack } from "./stacks";
import { VerifyFailed, verifyStack, withJsonErrors } from "./verifyCommand";

export type { Driver } from "./driver";
export { parseAge } from "./review";

export const USAGE = `Usage: npm run stack -- <command> [options]

Commands for one stack (default: dev):
  up                      create or update the stack
  preview                 show what up would change
  refresh                 read the real state of the stack's resources
  destroy                 delete every resource of the stack
  outputs                 print the stack's outputs (secrets masked)
  verify                  check the running stack, step by step, naming the cause of a failure

Review stacks, one per git branch:
  review up               create or update the stack of the branch
  review destroy          destroy the branch's stack and remove it
  review list             list review stacks with their branch, ports and age
  review prune            destroy and remove review stacks whose branch is gone,
                          or that were not updated within --older-than

Options:
  --stack <name>          the stack for up, preview, refresh, destroy and outputs
  --branch <name>         the branch for review commands (default: the current one)
  --allow-dirty           review up with uncommitted changes
  --show-secrets          outputs: print secret values
  --older-than <age>      review prune: an age such as 7d, 36h or 90m
  --skip-policy           up, preview: do not enforce the policy pack (policy/)
  --wait <duration>       verify: retry failing checks this long, such as 30s (default: once)
  --probe                 verify: run a short probe job for a real workload identity
  --json                  verify: print the results as JSON
  -h, --help              this text

Exit codes: 0 done, 1 failed, 2 bad usage, 3 a preflight check failed, 4 the stack is locked.`;

const OPTIONS = {
    stack: { type: "string" },
    branch: { type: "string" },
    "allow-dirty": { type: "boolean" },
    "show-secrets": { type: "boolean" },
    "older-than": { type: "string" },
    "skip-policy": { type: "boolean" },
    wait: { type: "string" },
    probe: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

/** Runs one command line and returns the process's exit code. */
export async function runCommand(argv: string[], driver: Driver): Promise<number> {
    let parsed: { values: Options & { help?: boolean }; positionals: string[] };
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
        driver.err(`${(err as Error).message}\n\n${USAGE}`);
        return EXIT.usage;
    }
    const [command, subcommand, ...extra] = parsed.positionals;
    if (parsed.values.help || command === undefined || command === "help") {
        driver.out(USAGE);
        return parsed.values.help || command === "help" ? EXIT.ok : EXIT.usage;
    }
    try {
        if (extra.length > 0 || (command !== "review" && subcommand !== undefined)) {
            throw new UsageError(`unexpected argument: ${[subcommand, ...extra].filter(Boolean).join(" ")}`);
        }
        const policyPack = parsed.values["skip-policy"] ? undefined : driver.policyPack;
        await dispatch(command, subcommand, parsed.values, { ...driver, policyPack });
        return EXIT.ok;
    } catch (err) {
        return reportFailure(err, driver);
    }
}

async function dispatch(command: string, subcommand: string | undefined, options: Options, driver: Driver): Promise<void> {
    const stackName = options.stack ?? "dev";
    switch (command) {
        case "up":
        case "preview":
        case "refresh":
        case "destroy":
            return operate(command, stackName, driver);
        case "outputs":
            await preflight(driver, { docker: false });
            return printOutputs(await selectExisting(stackName, driver), !!options["show-secrets"], driver);
        case "review":
            return review(subcommand, options, driver);
        case "verify":
            return withJsonErrors(options, stackName, driver, async () => {
                await preflight(driver, { docker: false });
                await verifyStack(await selectExisting(stackName, driver), options, driver);
            });
        default:
            throw new UsageError(`unknown command: ${command}`);
    }
}

async function operate(operation: Operation, stackName: string, driver: Driver): Promise<void> {
    await preflight(driver);
    const stack =
        operation === "up" || operation === "preview"
            ? await driver.stacks.createOrSelect(stackName)
            : await selectExisting(stackName, driver);
    if (operation === "up") {
        await checkPortsIfNew(stack, driver);
    }
    await run(operation, stack, driver);
}

async function printOutputs(stack: DriverStack, showSecrets: boolean, driver: Driver): Promise<void> {
    printOutputMap(await stack.outputs(), showSecrets, driver);
}

function reportFailure(err: unknown, driver: Driver): number {
    if (err instanceof UsageError) {
        driver.err(`${err.message}\n\n${USAGE}`);
        return EXIT.usage;
    }
    if (err instanceof PreflightError) {
        driver.err(`Preflight: ${err.message}`);
        return EXIT.preflight;
    }
    const message = (err as Error).message ?? String(err);
    // The file backend's lock message is not always mapped to ConcurrentUpdateError.
    if (err instanceof ConcurrentUpdateError || /currently locked by \d+ lock/.test(message)) {
        driver.err("The stack is locked by another update. If none is running (a crash left the lock), `pulumi cancel` clears it.");
        return EXIT.locked;
    }
    if (err instanceof VerifyFailed) {
        return EXIT.failed;
    }
    if (err instanceof MissingStackError) {
        driver.err(message);
        return EXIT.failed;
    }
    driver.err(`Failed: ${message}`);
    return EXIT.failed;
}
