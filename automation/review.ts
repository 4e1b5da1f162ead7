// Review stacks, one per git branch: up, destroy and list (prune has its own file).
import * as path from "path";
import { StackSummary } from "@pulumi/pulumi/automation";
import { parseDuration } from "../settings";
import { destroyStack } from "./destroy";
import { Driver, Options, progress, run, UsageError } from "./driver";
import { withFileLock } from "./fileLock";
import { PreflightError } from "./preflight";
import { reviewPrune } from "./reviewPrune";
import { allocateSlot, isReviewStack, portsForSlot, portsOf, ReviewPorts, slotOfPorts, stackNameForBranch } from "./reviewStacks";
import { reviewUpExternal } from "./reviewUpExternal";
import { DriverStack } from "./stacks";
import { fq } from "../settings/keys";
import { preflightStack, preflightTools } from "./stackChecks";

export async function review(subcommand: string | undefined, options: Options, driver: Driver): Promise<unknown> {
    switch (subcommand) {
        case "up":
            return reviewUp(options, driver);
        case "destroy":
            return destroyStack(stackNameForBranch(await branchOf(options, driver)), options, driver, true);
        case "list":
            await preflightTools(driver);
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

/**
 * The stack deploys the work tree as it is, whatever --branch names, so one rule holds for both:
 * uncommitted changes (other than the driver's own files) are refused unless --allow-dirty.
 */
async function reviewUp(options: Options, driver: Driver): Promise<unknown> {
    const branch = await branchOf(options, driver);
    if (!options["allow-dirty"] && (await driver.git.isDirty())) {
        throw new PreflightError(
            `The work tree has uncommitted changes, which the review stack of ${branch} would deploy unrecorded. Commit them, or pass --allow-dirty.`,
        );
    }
    if (options.cluster || options.from) {
        return reviewUpExternal(branch, options, driver);
    }
    // A review stack is a demo stack: with no Docker engine, nothing is created.
    await preflightTools(driver, "always");
    const name = stackNameForBranch(branch);
    const isNew = !(await driver.stacks.list()).some((summary) => summary.name === name);
    const stack = await driver.stacks.createOrSelect(name);
    try {
        await recordPortsAndCheck(stack, branch, options, driver);
    } catch (err) {
        // A stack this run created and could not use is not left behind to hold its block of ports.
        if (isNew) {
            await driver.stacks.remove(name);
        }
        throw err;
    }
    return run("up", stack, driver);
}

async function recordPortsAndCheck(stack: DriverStack, branch: string, options: Options, driver: Driver): Promise<void> {
    const name = stack.name;
    // Choosing a free block and recording it is one step for every process on this host.
    const ports = await withFileLock(
        path.join(driver.environment().stateDir, "review-ports.lock"),
        async () => {
            const config = await stack.getAllConfig();
            const chosen = config[fq("vaultPort")] ? portsOf(config) : portsForSlot(allocateSlot(name, await takenSlots(driver)));
            await stack.setAllConfig({
                ...Object.fromEntries(Object.entries(chosen).map(([key, port]) => [fq(key), { value: String(port) }])),
                [fq("reviewBranch")]: { value: branch },
            });
            return chosen;
        },
        { processAlive: (pid) => driver.probes.processAlive(pid) },
    );
    progress(driver)(
        `Review stack ${name} for branch ${branch}: Vault on 127.0.0.1:${ports.vaultPort}, Nomad on 127.0.0.1:${ports.nomadHttpPort}`,
    );
    await preflightStack(stack, "up", driver, options);
}

/** The slots of the other review stacks (this one has none yet: it is only asked when it has no ports). */
async function takenSlots(driver: Driver): Promise<number[]> {
    // Stryker disable next-line ArrayDeclaration: equivalent, a string in the list never matches a slot
    const slots: number[] = [];
    for (const summary of (await driver.stacks.list()).filter((s) => isReviewStack(s.name))) {
        const slot = slotOfPorts(portsOf(await driver.stacks.configOf(summary.name)));
        // Stryker disable next-line ConditionalExpression: equivalent, allocateSlot never matches an undefined slot
        if (slot !== undefined) {
            slots.push(slot);
        }
    }
    return slots;
}

export interface ReviewStackInfo {
    readonly summary: StackSummary;
    readonly branch: string;
    readonly ports: ReviewPorts;
}

export async function reviewStacks(driver: Driver): Promise<ReviewStackInfo[]> {
    const infos: ReviewStackInfo[] = [];
    for (const summary of (await driver.stacks.list()).filter((s) => isReviewStack(s.name))) {
        const config = await driver.stacks.configOf(summary.name);
        infos.push({ summary, branch: config[fq("reviewBranch")]?.value ?? "", ports: portsOf(config) });
    }
    return infos;
}

async function reviewList(driver: Driver): Promise<unknown> {
    const stacks = await reviewStacks(driver);
    if (!driver.json) {
        driver.out(stacks.length === 0 ? "No review stacks." : "stack\tbranch\tvault\tnomad\tmongo\tresources\tlast update");
        for (const { summary, branch, ports } of stacks) {
            const row = [summary.name, branch || "?", ports.vaultPort, ports.nomadHttpPort, ports.mongoPort, summary.resourceCount ?? 0];
            driver.out([...row, lastUpdateText(summary, driver)].join("\t"));
        }
    }
    return {
        stacks: stacks.map(({ summary, branch, ports }) => ({
            stack: summary.name,
            branch: branch || null,
            ports,
            resources: summary.resourceCount ?? 0,
            lastUpdate: summary.lastUpdate ?? null,
            updateInProgress: !!summary.updateInProgress,
        })),
    };
}

export function lastUpdateText(summary: StackSummary, driver: Driver): string {
    return summary.lastUpdate ? `${formatAge(driver.now().getTime() - Date.parse(summary.lastUpdate))} ago` : "never";
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

export function formatAge(ms: number): string {
    const hours = ms / 3_600_000;
    return hours >= 48 ? `${Math.floor(hours / 24)}d` : hours >= 1 ? `${Math.floor(hours)}h` : `${Math.max(0, Math.floor(ms / 60_000))}m`;
}
