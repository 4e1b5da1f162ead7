// The driver's commands, over injected stacks, git and machine probes so that tests can fake them.
import { parseArgs } from "util";
import { CONNECTION_FLAGS } from "../verify/cli";
import { adopt, AdoptionRefused } from "./adoptCommand";
import { destroyStack } from "./destroy";
import { importAdopted } from "./importCommand";
import {
    Driver,
    maskedOutputs,
    MissingStackError,
    NotConfirmedError,
    Operation,
    Options,
    printOutputs,
    run,
    selectExisting,
    StackLockedError,
    UsageError,
} from "./driver";
import { PassphraseError } from "./environment";
import { EXIT } from "./exitCodes";
import { PreflightError } from "./preflight";
import { review } from "./review";
import { preflightStack, preflightTools } from "./stackChecks";
import { describeLocks, stackLocks } from "./stateLocks";
import { VerifyFailed, verifySettings, verifyStack, withJsonErrors } from "./verifyCommand";

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
  env                     print the exports that give the Pulumi CLI the same state and passphrase
  adopt                   write a new external stack for a Nomad + Vault cluster this program did not set
                          up: Pulumi.<stack>.yaml and import-<stack>.json, from VAULT_* and NOMAD_* (or the
                          same as flags, as vaultnomad-verify takes them), and print the next commands
  import                  bring the objects adopt found into its new stack: the stack with the configuration
                          adopt wrote, its providers, then the import of import-<stack>.json (run again, only
                          what is not in the stack yet); then preview shows no change

Review stacks, one per git branch:
  review up               create or update the stack of the branch
  review destroy          destroy the branch's stack and remove it
  review list             list review stacks with their branch, ports and age
  review prune            destroy and remove review stacks whose branch is gone (locally and on
                          every remote, after a fetch), or not updated within --older-than

Options:
  --stack <name>          the stack for up, preview, refresh, destroy, outputs and verify; the new stack of
                          adopt and import
  --branch <name>         the branch for review commands (default: the current one)
  --allow-dirty           review up with uncommitted changes (the driver's own files never count)
  --from <stack> --cluster <name>
                          review up on existing clusters: the branch's stack is <stack>'s, on that one
                          of its nomadClusters, with Vault names of its own (docs/external.md)
  --show-secrets          outputs: print secret values
  --older-than <age>      review prune: an age such as 7d, 36h or 90m
  --dry-run               review prune: list what would be destroyed, and stop
  --yes                   review prune: destroy without asking (needed when stdin is not a terminal)
  --force                 destroy, review destroy: when the stack's agent containers are gone,
                          remove it from the state without asking
  --skip-policy           up, preview: do not enforce the policy pack (policy/)
  --skip-reachability     external stacks: do not check that Vault and Nomad answer first
  --wait <duration>       verify: retry failing checks this long, such as 30s (default: once)
  --probe                 verify: run a short probe job for a real workload identity
  --concurrency <n>       verify: requests in flight at once, 1 to 256 (default 16)
  --auth-path <path>      adopt: the JWT mount to adopt when the agents' vault block names none
  --vault-addr <url> …    adopt: each VAULT_* and NOMAD_* variable as a flag (--vault-token, --vault-namespace,
                          --vault-cacert, --nomad-addr, --nomad-token, --nomad-region, …); flags win;
                          import takes --nomad-client-key (NOMAD_CLIENT_KEY), the key adopt does not write
  --json                  one JSON document on stdout (results or the error); progress on stderr
  -h, --help              this text

Exit codes: 0 done, 1 failed (adopt: the cluster was refused, nothing written), 2 bad usage, 3 a
preflight check failed or a step was not confirmed (nothing was changed), 4 the stack is locked.`;

const OPTIONS = {
    stack: { type: "string" },
    branch: { type: "string" },
    "allow-dirty": { type: "boolean" },
    "show-secrets": { type: "boolean" },
    "older-than": { type: "string" },
    "dry-run": { type: "boolean" },
    yes: { type: "boolean" },
    force: { type: "boolean" },
    "skip-policy": { type: "boolean" },
    "skip-reachability": { type: "boolean" },
    wait: { type: "string" },
    probe: { type: "boolean" },
    concurrency: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    "auth-path": { type: "string" },
    from: { type: "string" },
    cluster: { type: "string" },
    ...(Object.fromEntries(Object.keys(CONNECTION_FLAGS).map((flag) => [flag, { type: "string" }])) as Record<
        keyof typeof CONNECTION_FLAGS,
        { type: "string" }
    >),
} as const;

/** Flags that only adopt takes, and those of them that import takes too. */
const ADOPT_FLAGS = ["auth-path", ...Object.keys(CONNECTION_FLAGS)];
const IMPORT_FLAGS = ["nomad-client-key"];

/** Runs one command line and returns the process's exit code. */
export async function runCommand(argv: string[], base: Driver): Promise<number> {
    let parsed: { values: Options & { help?: boolean }; positionals: string[] };
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
        return reportFailure(new UsageError((err as Error).message), { ...base, json: argv.includes("--json") });
    }
    const [command, subcommand, ...extra] = parsed.positionals;
    if (parsed.values.help || command === undefined || command === "help") {
        base.out(USAGE);
        return parsed.values.help || command === "help" ? EXIT.ok : EXIT.usage;
    }
    const policyPack = parsed.values["skip-policy"] ? undefined : base.policyPack;
    const driver: Driver = { ...base, policyPack, json: !!parsed.values.json };
    try {
        if (extra.length > 0 || (command !== "review" && subcommand !== undefined)) {
            const unexpected = command === "review" ? extra : [subcommand, ...extra];
            throw new UsageError(`unexpected argument: ${unexpected.join(" ")}`);
        }
        const adoptOnly = ADOPT_FLAGS.filter((flag) => (parsed.values as Record<string, unknown>)[flag] !== undefined);
        const misplaced = adoptOnly.filter((flag) => command !== "adopt" && !(command === "import" && IMPORT_FLAGS.includes(flag)));
        if (misplaced.length > 0) {
            throw new UsageError(
                `--${misplaced[0]} is an option of adopt${IMPORT_FLAGS.includes(misplaced[0]) ? " and import" : ""} only.`,
            );
        }
        const document = await dispatch(command, subcommand, parsed.values, driver);
        if (driver.json && document !== undefined) {
            driver.out(JSON.stringify(document, null, 2));
        }
        return EXIT.ok;
    } catch (err) {
        return reportFailure(err, driver);
    }
}

/** Runs the command; returns its JSON document (verify prints its own, and returns nothing). */
async function dispatch(command: string, subcommand: string | undefined, options: Options, driver: Driver): Promise<unknown> {
    const stackName = options.stack ?? "dev";
    switch (command) {
        case "up":
        case "preview":
        case "refresh":
            return operate(command, stackName, options, driver);
        case "destroy":
            return destroyStack(stackName, options, driver, false);
        case "outputs":
            await preflightTools(driver);
            return outputs(stackName, options, driver);
        case "env":
            return shellExports(driver);
        case "adopt":
            return adopt(options, driver);
        case "import":
            return importAdopted(options, driver);
        case "review":
            return review(subcommand, options, driver);
        case "verify": {
            const settings = verifySettings(options);
            await withJsonErrors(options, stackName, driver, async () => {
                await preflightTools(driver);
                await verifyStack(await selectExisting(stackName, driver), options, settings, driver);
            });
            return undefined;
        }
        default:
            throw new UsageError(`unknown command: ${command}`);
    }
}

async function operate(operation: Exclude<Operation, "destroy">, stackName: string, options: Options, driver: Driver): Promise<unknown> {
    await preflightTools(driver, "demo");
    const stack =
        operation === "up" || operation === "preview"
            ? await driver.stacks.createOrSelect(stackName)
            : await selectExisting(stackName, driver);
    await preflightStack(stack, operation, driver, options);
    return run(operation, stack, driver);
}

async function outputs(stackName: string, options: Options, driver: Driver): Promise<unknown> {
    const shown = maskedOutputs(await (await selectExisting(stackName, driver)).outputs(), !!options["show-secrets"]);
    if (!driver.json) {
        printOutputs(shown, driver);
    }
    return { stack: stackName, outputs: shown };
}

function shellExports(driver: Driver): unknown {
    const environment = driver.environment();
    if (!driver.json) {
        environment.shellExports.forEach((line) => driver.out(line));
    }
    return { env: environment.envVars };
}

/** Each failure the driver expects: its kind in the JSON document, its exit code, and how stderr says it. */
const FAILURES: Array<{ type: new (...args: any[]) => Error; kind: string; code: number; say?: (message: string) => string }> = [
    { type: UsageError, kind: "usage", code: EXIT.usage, say: (message) => `${message}\n\n${USAGE}` },
    { type: PreflightError, kind: "preflight", code: EXIT.preflight, say: (message) => `Preflight: ${message}` },
    { type: PassphraseError, kind: "preflight", code: EXIT.preflight, say: (message) => `Preflight: ${message}` },
    { type: NotConfirmedError, kind: "not-confirmed", code: EXIT.preflight },
    { type: MissingStackError, kind: "missing-stack", code: EXIT.failed },
];
const UNEXPECTED = { kind: "failed", code: EXIT.failed, say: (message: string) => `Failed: ${message}` };

/** Says what failed on stderr (and, under --json, as the one document on stdout); returns the exit code. */
function reportFailure(err: unknown, driver: Driver): number {
    if (err instanceof VerifyFailed || err instanceof AdoptionRefused) {
        // verify and adopt have printed their results, the JSON document included.
        return EXIT.failed;
    }
    if (err instanceof StackLockedError) {
        return reportLocked(err, driver);
    }
    const message = (err as Error).message ?? String(err);
    const { kind, code, say } = FAILURES.find(({ type }) => err instanceof type) ?? UNEXPECTED;
    driver.err(say ? say(message) : message);
    return fail(driver, { kind, message }, code);
}

/** Who holds the lock and since when, and whether that holder still runs, where the backend tells. */
function reportLocked(err: StackLockedError, driver: Driver): number {
    const { backendUrl } = driver.environment();
    const locks = stackLocks(backendUrl, err.stackName);
    const lines = describeLocks(locks, err.stackName, backendUrl, driver.probes);
    const text = [`The stack ${err.stackName} is locked by another update.`, ...lines].join("\n");
    const hint = ` If none is running (a crash left the lock), \`pulumi cancel --stack ${err.stackName}\` clears it.`;
    driver.err(lines.length > 0 ? text : `${text}${hint}`);
    return fail(driver, { kind: "locked", message: text, locks }, EXIT.locked);
}

function fail(driver: Driver, error: Record<string, unknown>, code: number): number {
    if (driver.json) {
        driver.out(JSON.stringify({ error: { ...error, exitCode: code } }, null, 2));
    }
    return code;
}
