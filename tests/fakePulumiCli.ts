// The Pulumi CLI as the Automation API's own Stack runs it: the real `Stack` (node_modules/@pulumi/
// pulumi/automation/stack.js) builds each command line, and this fake answers it instead of the
// binary. What it records is what `pulumi` would receive, `--non-interactive` included (cmd.js,
// PulumiCommand.run, appends it to every command).
import * as fs from "fs";
import { OutputMap, Stack, Workspace } from "@pulumi/pulumi/automation";
import { FakeResource } from "./fakeStackStore";

/** What the CLI changes and answers for one stack. */
export interface CliState {
    outputs: OutputMap;
    resources: FakeResource[];
    failWith?: Error;
}

/** One command the CLI received, and for `import --file` the file's content as it read it. */
export interface CliRun {
    readonly argv: string[];
    readonly importFile?: { nameTable?: Record<string, string>; resources: Array<Record<string, any>> };
}

/** The update summary `pulumi stack history --json` gives for the last update of each kind. */
const RESOURCE_CHANGES: Record<string, Record<string, number>> = {
    up: { create: 3, update: 1, replace: 1, delete: 2, same: 9 },
};

export class FakePulumiCli {
    private lastKind = "update";
    private lastChanges: Record<string, number> = {};

    constructor(
        private readonly project: string,
        private readonly stackName: string,
        private readonly state: CliState,
        /** Where it records each command line it receives. */
        private readonly runs: CliRun[],
        /** The outputs an up leaves the stack with, when set. */
        private readonly upOutputs: () => OutputMap | undefined,
    ) {}

    /** A real Automation API Stack whose commands this CLI answers. */
    async stack(workDir: string): Promise<Stack> {
        const workspace = {
            workDir,
            envVars: {},
            pulumiHome: undefined,
            program: undefined,
            pulumiVersion: "3.200.0",
            pulumiCommand: {
                run: (args: string[], _cwd: string, _env: unknown, onOutput?: (text: string) => void) => this.run(args, onOutput),
            },
            selectStack: async () => undefined,
            serializeArgsForOp: async () => [],
            postCommandCallback: async () => undefined,
            stackOutputs: async () => this.state.outputs,
        } as unknown as Workspace;
        return Stack.select(this.stackName, workspace);
    }

    private async run(args: string[], onOutput?: (text: string) => void) {
        const argv = args.includes("--non-interactive") ? args : [...args, "--non-interactive"];
        const [command, subcommand] = argv;
        if (command === "stack" && subcommand === "history") {
            return this.result(
                JSON.stringify([{ version: 1, kind: this.lastKind, resourceChanges: this.lastChanges, result: "succeeded" }]),
            );
        }
        const file = flag(argv, "--file");
        const importFile = file === undefined ? undefined : JSON.parse(fs.readFileSync(file, "utf8"));
        this.runs.push({ argv, ...(importFile ? { importFile } : {}) });
        if (this.state.failWith) {
            throw this.state.failWith;
        }
        if (command === "import") {
            this.import(importFile);
            // The CLI streams its progress in chunks of several lines.
            onOutput?.(`Importing (${this.stackName})\n${importFile.resources.map((r: { name: string }) => ` =  ${r.name}`).join("\n")}\n`);
        } else {
            onOutput?.(`engine: ${command} of ${this.stackName}\n`);
            this.up(argv);
        }
        return this.result("");
    }

    private up(argv: string[]): void {
        this.lastKind = "update";
        this.lastChanges = RESOURCE_CHANGES.up;
        this.state.outputs = this.upOutputs() ?? this.state.outputs;
        // A targeted up creates what it targets (the engine's --target); the fake's untargeted up changes no resource list.
        argv.forEach((arg, i) => {
            if (arg === "--target" && !this.state.resources.some((r) => r.urn === argv[i + 1])) {
                this.state.resources.push({ urn: argv[i + 1], type: urnType(argv[i + 1]) });
            }
        });
    }

    /** Each resource of the file, under the URN the engine gives it: its parent's type chain, its Pulumi name. */
    private import(file: NonNullable<CliRun["importFile"]>): void {
        const chains = new Map(Object.entries(file.nameTable ?? {}).map(([name, urn]) => [name, urn.split("::")[2]]));
        for (const spec of file.resources) {
            const chain = spec.parent ? `${chains.get(spec.parent)}$${spec.type}` : spec.type;
            chains.set(spec.name, chain);
            const urn = `urn:pulumi:${this.stackName}::${this.project}::${chain}::${spec.logicalName ?? spec.name}`;
            if (this.state.resources.some((r) => r.urn === urn)) {
                throw new Error(`resource '${urn}' already exists`);
            }
            this.state.resources.push({ urn, type: spec.type, ...(spec.id ? { outputs: { id: spec.id } } : {}) });
        }
        this.lastKind = "import";
        this.lastChanges = { import: file.resources.length };
    }

    private result(stdout: string) {
        return { stdout, stderr: "", code: 0 };
    }
}

const flag = (argv: string[], name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

/** The type of a URN's resource: the last of its type chain. */
const urnType = (urn: string) => urn.split("::")[2].split("$").pop()!;
