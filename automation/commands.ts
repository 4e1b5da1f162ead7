// The driver's commands, over injected stacks, git and machine probes so that tests can fake them.
import * as fs from "fs";
import { parseArgs } from "util";
import { ConcurrentUpdateError, ConfigMap, OutputMap, StackNotFoundError, StackSummary } from "@pulumi/pulumi/automation";
import { vaultRoleFields } from "../components/workloadRole";
import { loadSettings, parseDuration } from "../settings";
import { runProbe } from "../verify/probe";
import { request } from "../verify/http";
import { formatResults, resultsJson, verify } from "../verify/run";
import { EXIT } from "./exitCodes";
import { Git } from "./git";
import { checkDocker, checkNode, checkPortsFree, checkPulumi, PreflightError, Probes } from "./preflight";
import { allocateSlot, isReviewStack, portsForSlot, ReviewPorts, slotOfPorts, stackNameForBranch } from "./reviewStacks";
import { DriverStack, StackStore } from "./stacks";

export interface Driver {
    readonly stacks: StackStore;
    readonly git: Git;
    readonly probes: Probes;
    /** Progress and results, for stdout. */
    readonly out: (text: string) => void;
    /** Problems, for stderr. */
    readonly err: (text: string) => void;
    readonly now: () => Date;
    /** The policy pack that up and preview enforce, unless --skip-policy. */
    readonly policyPack?: string;
    /** Aborts a running operation (Ctrl-C): the CLI is interrupted and the run reported as failed. */
    readonly signal?: AbortSignal;
}

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

type Options = {
    stack?: string;
    branch?: string;
    "allow-dirty"?: boolean;
    "show-secrets"?: boolean;
    "older-than"?: string;
    "skip-policy"?: boolean;
    wait?: string;
    probe?: boolean;
    json?: boolean;
};

class UsageError extends Error {}

class MissingStackError extends Error {}

/** An existing stack, or a clear error naming it. */
async function selectExisting(name: string, driver: Driver): Promise<DriverStack> {
    try {
        return await driver.stacks.select(name);
    } catch (err) {
        if (err instanceof StackNotFoundError) {
            throw new MissingStackError(`There is no stack named ${name}. \`npm run stack -- up --stack ${name}\` creates it.`);
        }
        throw err;
    }
}

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
            await preflight(driver, { docker: false });
            return verifyStack(await selectExisting(stackName, driver), options, driver);
        default:
            throw new UsageError(`unknown command: ${command}`);
    }
}

type Operation = "up" | "preview" | "refresh" | "destroy";

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

/** Node and the CLI always; the Docker engine for whatever touches the containers. */
async function preflight(driver: Driver, needs = { docker: true }): Promise<void> {
    checkNode(driver.probes);
    await checkPulumi(driver.probes);
    if (needs.docker) {
        await checkDocker(driver.probes);
    }
}

/** A stack that has resources holds its own ports; only a new one must find them free. */
async function checkPortsIfNew(stack: DriverStack, driver: Driver): Promise<void> {
    const summary = (await driver.stacks.list()).find((s) => s.name === stack.name);
    if (summary?.resourceCount) {
        return;
    }
    await checkPortsFree(driver.probes, portsOf(await stack.getAllConfig()));
}

const DEFAULT_PORTS: ReviewPorts = { vaultPort: 8200, nomadHttpPort: 4646, nomadRpcPort: 4647, nomadSerfPort: 4648, mongoPort: 27017 };

function portsOf(config: ConfigMap): ReviewPorts {
    const read = (key: keyof ReviewPorts) => Number(config[`vaultnomad:${key}`]?.value ?? DEFAULT_PORTS[key]);
    return {
        vaultPort: read("vaultPort"),
        nomadHttpPort: read("nomadHttpPort"),
        nomadRpcPort: read("nomadRpcPort"),
        nomadSerfPort: read("nomadSerfPort"),
        mongoPort: read("mongoPort"),
    };
}

interface Outcome {
    readonly changes?: Record<string, number>;
    readonly outputs?: OutputMap;
}

/** Each operation, streaming the engine's own output as it goes. */
type StreamOptions = { onOutput: (text: string) => void; signal?: AbortSignal; policyPacks?: string[] };

const OPERATIONS: Record<Operation, (stack: DriverStack, options: StreamOptions) => Promise<Outcome>> = {
    up: async (stack, options) => {
        const result = await stack.up(options);
        return { changes: result.summary.resourceChanges, outputs: result.outputs };
    },
    preview: async (stack, options) => ({ changes: (await stack.preview(options)).changeSummary }),
    refresh: async (stack, options) => ({ changes: (await stack.refresh(options)).summary.resourceChanges }),
    destroy: async (stack, options) => ({ changes: (await stack.destroy(options)).summary.resourceChanges }),
};

async function run(operation: Operation, stack: DriverStack, driver: Driver): Promise<void> {
    driver.out(`==> ${operation} ${stack.name}`);
    const started = driver.now().getTime();
    const onOutput = (text: string) => driver.out(text.replace(/\n$/, ""));
    const policyPacks = driver.policyPack && (operation === "up" || operation === "preview") ? [driver.policyPack] : undefined;
    const outcome = await OPERATIONS[operation](stack, { onOutput, signal: driver.signal, policyPacks });
    if (driver.signal?.aborted) {
        throw new Error(
            `${operation} ${stack.name} was interrupted; run it again to finish, or \`pulumi cancel\` if the stack stays locked.`,
        );
    }
    const seconds = Math.round((driver.now().getTime() - started) / 1000);
    const counts = Object.entries(outcome.changes ?? {})
        .filter(([, n]) => n)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(", ");
    driver.out(`==> ${operation} ${stack.name} done in ${seconds}s: ${counts || "no changes"}`);
    if (outcome.outputs) {
        printOutputMap(outcome.outputs, false, driver);
    }
}

class VerifyFailed extends Error {}

async function verifyStack(stack: DriverStack, options: Options, driver: Driver): Promise<void> {
    const outputs = await stack.outputs();
    const config = await stack.getAllConfig();
    // The stack's own settings, as the program read them (names, audience, period).
    const settings = loadSettings(Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value])), stack.name);
    const external = settings.mode === "external";
    // External stacks export no tokens: the operator's own come from the environment.
    const value = (key: string, env?: string) => {
        const found = outputs[key]?.value ?? (env ? process.env[env] : undefined);
        if (typeof found !== "string" || !found) {
            throw new MissingStackError(
                external && env
                    ? `verify needs ${env} for the external stack ${stack.name}: export it.`
                    : `Stack ${stack.name} has no output ${key}: run \`npm run stack -- up --stack ${stack.name}\` first.`,
            );
        }
        return found;
    };
    const results = await verify(
        {
            vaultAddress: value("vaultAddress"),
            vaultToken: value("vaultToken", "VAULT_TOKEN"),
            nomadAddress: value("nomadAddress"),
            nomadToken: value("nomadToken", "NOMAD_TOKEN"),
            vaultNamespace: settings.vault?.namespace,
            vaultCaPem: settings.vault?.caCertFile && fs.readFileSync(settings.vault.caCertFile, "utf8"),
            nomadCaPem: settings.nomad?.caPem,
            jwtPath: settings.jwtAuthPath,
            defaultRole: settings.roleName,
            policyName: settings.policyName,
            declaredRole: vaultRoleFields(settings, settings.policyName),
            probeJwt: options.probe
                ? () =>
                      runProbe({
                          nomadAddress: value("nomadAddress"),
                          nomadToken: value("nomadToken", "NOMAD_TOKEN"),
                          namespace: settings.jobNamespace,
                          audience: settings.audience,
                      })
                : undefined,
            sampleWorkload: !external,
            // The demo's Vault runs on the host's network, so the host's view is Vault's view. An
            // existing Vault's view is not this machine's: that check is skipped there.
            fetchFromVault: external ? undefined : (url) => request(url),
        },
        { waitMs: options.wait === undefined ? 0 : parseAge(options.wait) },
    );
    driver.out(options.json ? JSON.stringify(resultsJson(stack.name, results), null, 2) : formatResults(results));
    if (results.some((r) => r.status === "fail")) {
        throw new VerifyFailed();
    }
}

async function printOutputs(stack: DriverStack, showSecrets: boolean, driver: Driver): Promise<void> {
    printOutputMap(await stack.outputs(), showSecrets, driver);
}

function printOutputMap(outputs: OutputMap, showSecrets: boolean, driver: Driver): void {
    for (const [key, { value, secret }] of Object.entries(outputs).sort(([a], [b]) => a.localeCompare(b))) {
        driver.out(`${key}: ${secret && !showSecrets ? "[secret]" : typeof value === "string" ? value : JSON.stringify(value)}`);
    }
}

async function review(subcommand: string | undefined, options: Options, driver: Driver): Promise<void> {
    switch (subcommand) {
        case "up":
            return reviewUp(options, driver);
        case "destroy":
            return reviewDestroy(await branchOf(options, driver), driver);
        case "list":
            await preflight(driver, { docker: false });
            return reviewList(driver);
        case "prune":
            return reviewPrune(options, driver);
        default:
            throw new UsageError(
                subcommand ? `unknown review command: ${subcommand}` : "review needs a command: up, destroy, list or prune",
            );
    }
}

async function branchOf(options: Options, driver: Driver): Promise<string> {
    const branch = options.branch ?? (await driver.git.currentBranch());
    if (!branch) {
        throw new PreflightError("Not on a git branch (detached HEAD, or not a repository): pass --branch <name>.");
    }
    return branch;
}

async function reviewUp(options: Options, driver: Driver): Promise<void> {
    const branch = await branchOf(options, driver);
    if (!options.branch && !options["allow-dirty"] && (await driver.git.isDirty())) {
        throw new PreflightError(
            `The work tree of ${branch} has uncommitted changes, which the review stack would deploy unrecorded. Commit them, or pass --allow-dirty.`,
        );
    }
    await preflight(driver);
    const name = stackNameForBranch(branch);
    const stack = await driver.stacks.createOrSelect(name);
    const config = await stack.getAllConfig();
    const ports = config["vaultnomad:vaultPort"] ? portsOf(config) : portsForSlot(allocateSlot(name, await takenSlots(name, driver)));
    await stack.setAllConfig({
        ...Object.fromEntries(Object.entries(ports).map(([key, port]) => [`vaultnomad:${key}`, { value: String(port) }])),
        "vaultnomad:reviewBranch": { value: branch },
    });
    driver.out(
        `Review stack ${name} for branch ${branch}: Vault on 127.0.0.1:${ports.vaultPort}, Nomad on 127.0.0.1:${ports.nomadHttpPort}`,
    );
    await checkPortsIfNew(stack, driver);
    await run("up", stack, driver);
}

async function takenSlots(except: string, driver: Driver): Promise<number[]> {
    const slots: number[] = [];
    for (const summary of (await driver.stacks.list()).filter((s) => isReviewStack(s.name) && s.name !== except)) {
        const slot = slotOfPorts(portsOf(await driver.stacks.configOf(summary.name)));
        if (slot !== undefined) {
            slots.push(slot);
        }
    }
    return slots;
}

async function reviewDestroy(branch: string, driver: Driver): Promise<void> {
    await preflight(driver);
    await destroyAndRemove(stackNameForBranch(branch), driver);
}

async function destroyAndRemove(name: string, driver: Driver): Promise<void> {
    const stack = await selectExisting(name, driver);
    await run("destroy", stack, driver);
    await driver.stacks.remove(name);
    driver.out(`Removed stack ${name}.`);
}

interface ReviewStackInfo {
    readonly summary: StackSummary;
    readonly branch: string;
    readonly ports: ReviewPorts;
}

async function reviewStacks(driver: Driver): Promise<ReviewStackInfo[]> {
    const infos: ReviewStackInfo[] = [];
    for (const summary of (await driver.stacks.list()).filter((s) => isReviewStack(s.name))) {
        const config = await driver.stacks.configOf(summary.name);
        infos.push({ summary, branch: config["vaultnomad:reviewBranch"]?.value ?? "", ports: portsOf(config) });
    }
    return infos;
}

async function reviewList(driver: Driver): Promise<void> {
    const stacks = await reviewStacks(driver);
    if (stacks.length === 0) {
        driver.out("No review stacks.");
        return;
    }
    driver.out("stack\tbranch\tvault\tnomad\tmongo\tresources\tlast update");
    for (const { summary, branch, ports } of stacks) {
        const age = summary.lastUpdate ? `${formatAge(driver.now().getTime() - Date.parse(summary.lastUpdate))} ago` : "never";
        driver.out(
            [summary.name, branch || "?", ports.vaultPort, ports.nomadHttpPort, ports.mongoPort, summary.resourceCount ?? 0, age].join(
                "\t",
            ),
        );
    }
}

async function reviewPrune(options: Options, driver: Driver): Promise<void> {
    const maxAgeMs = options["older-than"] === undefined ? undefined : parseAge(options["older-than"]);
    await preflight(driver);
    let removed = 0;
    for (const { summary, branch } of await reviewStacks(driver)) {
        const reason = await pruneReason(summary, branch, maxAgeMs, driver);
        if (!reason) {
            continue;
        }
        if (summary.updateInProgress) {
            driver.out(`Skipping ${summary.name} (${reason}): an update is in progress.`);
            continue;
        }
        driver.out(`Pruning ${summary.name}: ${reason}.`);
        await destroyAndRemove(summary.name, driver);
        removed++;
    }
    driver.out(`Pruned ${removed} review stack${removed === 1 ? "" : "s"}.`);
}

async function pruneReason(
    summary: StackSummary,
    branch: string,
    maxAgeMs: number | undefined,
    driver: Driver,
): Promise<string | undefined> {
    if (branch && !(await driver.git.branchExists(branch))) {
        return `branch ${branch} no longer exists`;
    }
    const age = summary.lastUpdate ? driver.now().getTime() - Date.parse(summary.lastUpdate) : undefined;
    if (maxAgeMs !== undefined && age !== undefined && age > maxAgeMs) {
        return `last updated ${formatAge(age)} ago`;
    }
    return undefined;
}

/** "7d", "36h", "90m", "30s" in milliseconds. */
export function parseAge(text: string): number {
    const days = /^(\d+)d$/.exec(text);
    const seconds = days ? Number(days[1]) * 86400 : parseDuration(text);
    if (!seconds) {
        throw new UsageError(`${text}: use a duration such as 7d, 36h, 90m or 30s`);
    }
    return seconds * 1000;
}

function formatAge(ms: number): string {
    const hours = ms / 3_600_000;
    return hours >= 48 ? `${Math.floor(hours / 24)}d` : hours >= 1 ? `${Math.floor(hours)}h` : `${Math.max(0, Math.floor(ms / 60_000))}m`;
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
