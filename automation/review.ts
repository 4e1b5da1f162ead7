// Review stacks, one per git branch: up, destroy, list and prune.
import { StackSummary } from "@pulumi/pulumi/automation";
import { parseDuration } from "../settings";
import { destroyAndRemove, Driver, Options, portsOf, preflight, run, checkPortsIfNew, UsageError } from "./driver";
import { PreflightError } from "./preflight";
import { allocateSlot, isReviewStack, portsForSlot, ReviewPorts, slotOfPorts, stackNameForBranch } from "./reviewStacks";
import { fq } from "../settings/keys";

export async function review(subcommand: string | undefined, options: Options, driver: Driver): Promise<void> {
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
    const ports = config[fq("vaultPort")] ? portsOf(config) : portsForSlot(allocateSlot(name, await takenSlots(name, driver)));
    await stack.setAllConfig({
        ...Object.fromEntries(Object.entries(ports).map(([key, port]) => [fq(key), { value: String(port) }])),
        [fq("reviewBranch")]: { value: branch },
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

interface ReviewStackInfo {
    readonly summary: StackSummary;
    readonly branch: string;
    readonly ports: ReviewPorts;
}

async function reviewStacks(driver: Driver): Promise<ReviewStackInfo[]> {
    const infos: ReviewStackInfo[] = [];
    for (const summary of (await driver.stacks.list()).filter((s) => isReviewStack(s.name))) {
        const config = await driver.stacks.configOf(summary.name);
        infos.push({ summary, branch: config[fq("reviewBranch")]?.value ?? "", ports: portsOf(config) });
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
