// The stacks of this project, through the Automation API's LocalWorkspace.
import { ConfigMap, LocalWorkspace, RemoveOptions, Stack, StackSummary } from "@pulumi/pulumi/automation";

/** The part of an Automation API stack the driver uses. */
export type DriverStack = Pick<
    Stack,
    "name" | "up" | "import" | "preview" | "refresh" | "destroy" | "outputs" | "getAllConfig" | "setAllConfig" | "exportStack"
>;

export interface StackStore {
    /** Selects the stack, creating it when it does not exist. */
    createOrSelect(name: string): Promise<DriverStack>;
    /** Selects an existing stack; rejects with StackNotFoundError otherwise. */
    select(name: string): Promise<DriverStack>;
    list(): Promise<StackSummary[]>;
    configOf(name: string): Promise<ConfigMap>;
    /** Removes the stack; with force, even while it still lists resources (they are forgotten, not deleted). */
    remove(name: string, options?: RemoveOptions): Promise<void>;
}

/** One workspace over the project directory; the driver runs one operation at a time on it. */
export async function localStackStore(projectDir: string, envVars: Record<string, string>): Promise<StackStore> {
    const workspace = await LocalWorkspace.create({ workDir: projectDir, envVars });
    return {
        createOrSelect: (name) => Stack.createOrSelect(name, workspace),
        select: (name) => Stack.select(name, workspace),
        list: () => workspace.listStacks(),
        configOf: (name) => workspace.getAllConfig(name),
        remove: (name, options) => workspace.removeStack(name, options),
    };
}

/** A store that opens its workspace on first use, so that `--help` and failed preflight checks need no CLI. */
export function lazyStackStore(open: () => Promise<StackStore>): StackStore {
    let store: Promise<StackStore> | undefined;
    const get = () => (store ??= open());
    return {
        createOrSelect: async (name) => (await get()).createOrSelect(name),
        select: async (name) => (await get()).select(name),
        list: async () => (await get()).list(),
        configOf: async (name) => (await get()).configOf(name),
        remove: async (name, options) => (await get()).remove(name, options),
    };
}
