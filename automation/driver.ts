// What every driver command shares: the injected machine, the errors it maps to exit codes, the
// preflight checks, and running one Automation API operation with its progress and summary.
import { ConfigMap, OutputMap, StackNotFoundError } from "@pulumi/pulumi/automation";
import { Git } from "./git";
import { checkDocker, checkNode, checkPortsFree, checkPulumi, Probes } from "./preflight";
import { portsOfConfig } from "../settings/ports";
import { ReviewPorts } from "./reviewStacks";
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

export type Options = {
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

export class UsageError extends Error {}

export class MissingStackError extends Error {}

/** An existing stack, or a clear error naming it. */
export async function selectExisting(name: string, driver: Driver): Promise<DriverStack> {
    try {
        return await driver.stacks.select(name);
    } catch (err) {
        if (err instanceof StackNotFoundError) {
            throw new MissingStackError(`There is no stack named ${name}. \`npm run stack -- up --stack ${name}\` creates it.`);
        }
        throw err;
    }
}

export type Operation = "up" | "preview" | "refresh" | "destroy";

/** Node and the CLI always; the Docker engine for whatever touches the containers. */
export async function preflight(driver: Driver, needs = { docker: true }): Promise<void> {
    checkNode(driver.probes);
    await checkPulumi(driver.probes);
    if (needs.docker) {
        await checkDocker(driver.probes);
    }
}

/** A stack that has resources holds its own ports; only a new one must find them free. */
export async function checkPortsIfNew(stack: DriverStack, driver: Driver): Promise<void> {
    const summary = (await driver.stacks.list()).find((s) => s.name === stack.name);
    if (summary?.resourceCount) {
        return;
    }
    await checkPortsFree(driver.probes, portsOf(await stack.getAllConfig()));
}

export function portsOf(config: ConfigMap): ReviewPorts {
    return portsOfConfig((fullKey) => config[fullKey]?.value);
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

export async function run(operation: Operation, stack: DriverStack, driver: Driver): Promise<void> {
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

export function printOutputMap(outputs: OutputMap, showSecrets: boolean, driver: Driver): void {
    for (const [key, { value, secret }] of Object.entries(outputs).sort(([a], [b]) => a.localeCompare(b))) {
        driver.out(`${key}: ${secret && !showSecrets ? "[secret]" : typeof value === "string" ? value : JSON.stringify(value)}`);
    }
}

export async function destroyAndRemove(name: string, driver: Driver): Promise<void> {
    const stack = await selectExisting(name, driver);
    await run("destroy", stack, driver);
    await driver.stacks.remove(name);
    driver.out(`Removed stack ${name}.`);
}
