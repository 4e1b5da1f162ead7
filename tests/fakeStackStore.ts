// A fake of the Automation API's stacks: in memory, answering as LocalWorkspace and Stack do.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ConfigMap, OutputMap, RemoveOptions, StackNotFoundError, StackSummary } from "@pulumi/pulumi/automation";
import { DriverStack, StackStore } from "../automation/stacks";
import { PROJECT } from "../settings";
import { CliRun, FakePulumiCli } from "./fakePulumiCli";

export const NOW = new Date("2026-11-27T12:00:00Z");
export const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

/** The Automation API's errors are built from a command result; the driver reads only their type. */
export const automationError = <T>(type: new (...args: any[]) => T, stderr: string): T => new type({ toString: () => stderr });

/** A resource of the stack's state, as `exportStack` lists it. */
export interface FakeResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

export interface FakeStackState {
    config: ConfigMap;
    summary: StackSummary;
    outputs: OutputMap;
    resources: FakeResource[];
    failWith?: Error;
}

export class FakeStacks implements StackStore {
    readonly stacks = new Map<string, FakeStackState>();
    readonly calls: string[] = [];
    /** The options each operation was given, in order. */
    readonly options: Array<Record<string, unknown>> = [];
    /** The outputs an up leaves a stack with, as the program's would; none when unset. */
    upOutputs?: OutputMap;
    /** The command lines the Pulumi CLI received, by stack. */
    private readonly runs = new Map<string, CliRun[]>();

    /**
     * @param projectDir where to write `Pulumi.<stack>.yaml` on each config change, as a workspace does
     * @param latencyMs how long each backend call takes, so that concurrent callers interleave
     */
    constructor(
        private readonly projectDir?: string,
        private readonly latencyMs = 0,
    ) {}

    add(name: string, state: Partial<FakeStackState> = {}): this {
        this.stacks.set(name, {
            config: {},
            outputs: {},
            resources: [],
            summary: { name, current: false, resourceCount: 12, lastUpdate: hoursAgo(1) },
            ...state,
        });
        return this;
    }

    private async backend(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    }

    private writeConfigFile(name: string, config: ConfigMap): void {
        if (this.projectDir) {
            const lines = Object.entries(config).map(([key, { value }]) => `  ${key}: "${value}"`);
            fs.writeFileSync(path.join(this.projectDir, `Pulumi.${name}.yaml`), `config:\n${lines.join("\n")}\n`);
        }
    }

    /** The command lines the Pulumi CLI received for the stack, in order. */
    cliRuns(name: string): CliRun[] {
        return this.runs.get(name) ?? [];
    }

    /** What a new stack's configuration is: its Pulumi.<stack>.yaml when the project holds one, as `pulumi config --json` reads it. */
    private configFile(name: string): ConfigMap {
        const file = this.projectDir && path.join(this.projectDir, `Pulumi.${name}.yaml`);
        if (!file || !fs.existsSync(file)) {
            return {};
        }
        const config = (yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
        return Object.fromEntries(
            Object.entries(config).map(([key, value]) => {
                // A secret is stored as { secure: <ciphertext> }; the fake keeps the ciphertext as its value.
                const secure = (value as { secure?: string } | null)?.secure;
                return [
                    key,
                    secure
                        ? { value: secure, secret: true }
                        : { value: typeof value === "string" ? value : JSON.stringify(value), secret: false },
                ];
            }),
        );
    }

    private handle(name: string): DriverStack {
        const state = this.stacks.get(name)!;
        if (!this.runs.has(name)) {
            this.runs.set(name, []);
        }
        const cli = new FakePulumiCli(PROJECT, name, state, this.runs.get(name)!, () => this.upOutputs);
        /** up and import as the Automation API runs them, recorded like the other operations. */
        const throughCli =
            (op: "up" | "import") =>
            async (opts?: Record<string, unknown>): Promise<unknown> => {
                this.calls.push(`${op} ${name}`);
                this.options.push({ ...opts });
                const stack = await cli.stack(this.projectDir ?? ".");
                return op === "up" ? stack.up(opts) : stack.import(opts!);
            };
        const operation = (op: string) => async (opts?: { onOutput?: (text: string) => void }) => {
            this.calls.push(`${op} ${name}`);
            this.options.push({ ...opts });
            if (state.failWith) {
                throw state.failWith;
            }
            opts?.onOutput?.(`engine: ${op} of ${name}\n`);
            const summary = { resourceChanges: { create: 3, update: 1, replace: 1, delete: 2, same: 9 } };
            return { stdout: "", stderr: "", summary, outputs: state.outputs, changeSummary: { create: 3 } };
        };
        return {
            name,
            up: throughCli("up"),
            import: throughCli("import"),
            preview: operation("preview"),
            refresh: operation("refresh"),
            destroy: operation("destroy"),
            outputs: async () => state.outputs,
            getAllConfig: async () => {
                await this.backend();
                return state.config;
            },
            setAllConfig: async (config: ConfigMap) => {
                await this.backend();
                this.calls.push(`setAllConfig ${name}`);
                state.config = { ...state.config, ...config };
                this.writeConfigFile(name, state.config);
            },
            // A stack with no resources exports none: DeploymentV3's resources is omitempty (pulumi sdk/go/common/apitype/core.go).
            exportStack: async () => ({ version: 3, deployment: state.resources.length > 0 ? { resources: state.resources } : {} }),
        } as unknown as DriverStack;
    }

    async createOrSelect(name: string) {
        await this.backend();
        if (!this.stacks.has(name)) {
            this.calls.push(`create ${name}`);
            this.add(name, { config: this.configFile(name), summary: { name, current: false, resourceCount: 0 } });
        }
        return this.handle(name);
    }
    async select(name: string) {
        if (!this.stacks.has(name)) {
            throw automationError(StackNotFoundError, `no stack named '${name}' found`);
        }
        return this.handle(name);
    }
    async list() {
        await this.backend();
        return [...this.stacks.values()].map((s) => s.summary);
    }
    async configOf(name: string) {
        await this.backend();
        return this.stacks.get(name)!.config;
    }
    async remove(name: string, options?: RemoveOptions) {
        this.calls.push(`remove ${name}${options?.force ? " --force" : ""}${options?.preserveConfig ? " --preserve-config" : ""}`);
        this.stacks.delete(name);
    }
}
