// What every driver command shares: the injected machine, the errors it maps to exit codes, and
// running one Automation API operation with its progress and summary.
import { ConcurrentUpdateError, OutputMap, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { CONNECTION_FLAGS } from "../verify/cli";
import { Environment } from "./environment";
import { Git } from "./git";
import { Probes } from "./preflight";
import { DriverStack, StackStore } from "./stacks";

export interface Driver {
    readonly stacks: StackStore;
    readonly git: Git;
    readonly probes: Probes;
    /** Results, for stdout. */
    readonly out: (text: string) => void;
    /** Problems, and progress under --json, for stderr. */
    readonly err: (text: string) => void;
    readonly now: () => Date;
    /** Where state lives and its passphrase (resolved on first use), and the driver's own folder. */
    readonly environment: () => Environment;
    /** The environment the program reads VAULT_ADDR and NOMAD_ADDR from. */
    readonly env: NodeJS.ProcessEnv;
    /** The project folder, where stack files live (Pulumi.<stack>.yaml). */
    readonly projectDir: string;
    /** Asks a yes/no question on the terminal; undefined when stdin is not a terminal. */
    readonly confirm?: (question: string) => Promise<boolean>;
    /** The policy pack that up and preview enforce, unless --skip-policy. */
    readonly policyPack?: string;
    /** Aborts a running operation (Ctrl-C): the CLI is interrupted and the run reported as failed. */
    readonly signal?: AbortSignal;
    /** Set by --json: stdout carries one JSON document, progress goes to stderr. */
    readonly json?: boolean;
}

export type Options = {
    stack?: string;
    branch?: string;
    "allow-dirty"?: boolean;
    "show-secrets"?: boolean;
    "older-than"?: string;
    "skip-policy"?: boolean;
    "skip-reachability"?: boolean;
    "dry-run"?: boolean;
    yes?: boolean;
    force?: boolean;
    wait?: string;
    probe?: boolean;
    concurrency?: string;
    json?: boolean;
    /** adopt: the JWT mount to adopt. */
    "auth-path"?: string;
    /** review up on existing clusters: the external stack to start from, and the cluster to review on. */
    from?: string;
    cluster?: string;
} & { [flag in keyof typeof CONNECTION_FLAGS]?: string };

export class UsageError extends Error {}

export class MissingStackError extends Error {}

/** Another update holds the stack's lock. */
export class StackLockedError extends Error {
    constructor(
        readonly stackName: string,
        cause: unknown,
    ) {
        super((cause as Error).message ?? String(cause));
    }
}

/** The file backend's lock message is not always mapped to ConcurrentUpdateError. */
export function isLockError(err: unknown): boolean {
    return err instanceof ConcurrentUpdateError || /currently locked by \d+ lock/.test((err as Error).message ?? "");
}

/** The user said no, or could not be asked; nothing was changed. */
export class NotConfirmedError extends Error {}

/** Where progress goes: stdout, or stderr when stdout is kept for the JSON document. */
export function progress(driver: Driver): (text: string) => void {
    return driver.json ? driver.err : driver.out;
}

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

/**
 * Asks before a destructive step: --yes (or --force) answers for the user; without a terminal
 * to ask on, the step is refused with the flag that allows it.
 */
export async function confirmOrRefuse(question: string, given: boolean, flag: string, driver: Driver): Promise<void> {
    if (given) {
        return;
    }
    if (!driver.confirm) {
        throw new NotConfirmedError(`stdin is not a terminal, so nobody can confirm: pass ${flag} to go ahead.`);
    }
    if (!(await driver.confirm(question))) {
        throw new NotConfirmedError("Nothing was changed.");
    }
}

export type Operation = "up" | "preview" | "refresh" | "destroy";

/** What an operation changed, and how long it took: the last line of its progress, and its JSON. */
export interface OperationSummary {
    readonly operation: Operation;
    readonly stack: string;
    readonly created: number;
    readonly updated: number;
    readonly deleted: number;
    readonly unchanged: number;
    readonly seconds: number;
}

interface Outcome {
    readonly changes?: Record<string, number>;
    readonly outputs?: OutputMap;
}

/** Each operation, streaming the engine's own output as it goes. */
type StreamOptions = { onOutput: (text: string) => void; signal?: AbortSignal; policyPacks?: string[]; target?: string[] };

const OPERATIONS: Record<Operation, (stack: DriverStack, options: StreamOptions) => Promise<Outcome>> = {
    up: async (stack, options) => {
        const result = await stack.up(options);
        return { changes: result.summary.resourceChanges, outputs: result.outputs };
    },
    preview: async (stack, options) => ({ changes: (await stack.preview(options)).changeSummary }),
    refresh: async (stack, options) => ({ changes: (await stack.refresh(options)).summary.resourceChanges }),
    destroy: async (stack, options) => ({ changes: (await stack.destroy(options)).summary.resourceChanges }),
};

/** The engine's change kinds, counted as the three a reader cares about; a replacement is an update. */
function countChanges(changes: Record<string, number>): Pick<OperationSummary, "created" | "updated" | "deleted" | "unchanged"> {
    const sum = (...kinds: string[]) => kinds.reduce((total, kind) => total + (changes[kind] ?? 0), 0);
    return { created: sum("create"), updated: sum("update", "replace"), deleted: sum("delete"), unchanged: sum("same") };
}

/** Runs the operation on the whole stack, or on the resources `target` names by URN (with their parents). */
export async function run(
    operation: Operation,
    stack: DriverStack,
    driver: Driver,
    target?: string[],
): Promise<OperationSummary & { outputs?: Record<string, unknown> }> {
    const say = progress(driver);
    say(`==> ${operation} ${stack.name}`);
    const started = driver.now().getTime();
    const onOutput = (text: string) => say(text.replace(/\n$/, ""));
    const policyPacks = driver.policyPack && (operation === "up" || operation === "preview") ? [driver.policyPack] : undefined;
    const options = { onOutput, signal: driver.signal, policyPacks, ...(target ? { target } : {}) };
    const outcome = await OPERATIONS[operation](stack, options).catch((err) => {
        throw isLockError(err) ? new StackLockedError(stack.name, err) : err;
    });
    if (driver.signal?.aborted) {
        throw new Error(
            `${operation} ${stack.name} was interrupted; run it again to finish, or \`pulumi cancel\` if the stack stays locked.`,
        );
    }
    const seconds = Math.round((driver.now().getTime() - started) / 1000);
    const counts = countChanges(outcome.changes ?? {});
    say(
        `==> ${operation} ${stack.name} done in ${seconds}s: ` +
            `${counts.created} created, ${counts.updated} updated, ${counts.deleted} deleted, ${counts.unchanged} unchanged`,
    );
    const outputs = outcome.outputs && maskedOutputs(outcome.outputs, false);
    if (outputs && !driver.json) {
        printOutputs(outputs, driver);
    }
    return { operation, stack: stack.name, ...counts, seconds, ...(outputs ? { outputs } : {}) };
}

/** The stack's outputs, sorted by name, secrets masked unless asked for. */
export function maskedOutputs(outputs: OutputMap, showSecrets: boolean): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(outputs)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, { value, secret }]) => [key, secret && !showSecrets ? "[secret]" : value]),
    );
}

export function printOutputs(outputs: Record<string, unknown>, driver: Driver): void {
    for (const [key, value] of Object.entries(outputs)) {
        driver.out(`${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    }
}
