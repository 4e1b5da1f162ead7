// Runs the Pulumi program under mocks and records what it registers: each resource's inputs as
// the engine would receive them, and the dependency graph the engine would schedule by
// (explicit dependsOn, data dependencies through outputs, providers, parents), since mocks
// alone do not show ordering.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import * as runtimeState from "@pulumi/pulumi/runtime/state";
import { CONFIG_KEYS, fq, KeySpec } from "../settings/keys";
import { computedState } from "./mockState";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /** A custom resource (or provider), as opposed to a component. */
    custom: boolean;
    /** The resource object, as the program built it. */
    readonly resource: pulumi.Resource;
    /** The props before serialisation: Outputs, secrets and all. */
    readonly props: Record<string, unknown>;
    readonly opts: pulumi.ResourceOptions;
    /** The inputs as the engine would receive them, with secret markers removed. */
    inputs?: Record<string, any>;
    /** Provider reference (`urn::id`) the engine would use, for custom resources. */
    providerRef?: string;
    urn?: string;
}

/** Why one resource waits for another: an Output it reads, dependsOn, its provider, or its parent's registration. */
export type DependencyKind = "data" | "dependsOn" | "provider" | "parent";

export interface Dependency {
    readonly resource: RecordedResource;
    readonly kind: DependencyKind;
}

export interface ProgramRun {
    readonly resources: RecordedResource[];
    /** The program module's exports: the stack outputs, as Outputs. */
    readonly exports: Record<string, unknown>;
    /** Resources of one type token. */
    ofType(type: string): RecordedResource[];
    /** The single resource of a type token (and name, when several share the type). */
    one(type: string, name?: string): RecordedResource;
    /** What `resource` waits for directly, and why; a component stands for its descendants. */
    dependenciesOf(resource: RecordedResource): Dependency[];
    /**
     * The custom resources that `resource` waits for directly, including through its parents'
     * dependencies (a child is registered only after its parent, which waits for those).
     */
    effectiveDependencies(resource: RecordedResource): Dependency[];
    /** True when `later` cannot be created before `earlier` is. */
    waitsFor(later: RecordedResource, earlier: RecordedResource): boolean;
}

export interface RunOptions {
    readonly stack?: string;
    /** Config by short key, such as { vaultPort: "9200" }. */
    readonly config?: Record<string, string>;
    /** Further short keys Pulumi marks secret (those with an encrypted value), such as "workloads". */
    readonly secretKeys?: string[];
    /** The module to run, relative to the project root. */
    readonly program?: string;
    /**
     * Run as `pulumi preview` does: the providers compute nothing yet, so every output that is not
     * an input (the JWT accessor, ids, tokens) is unknown, and so is whatever is derived from one.
     */
    readonly preview?: boolean;
    /** Keys set without --secret although settings/keys.ts marks them secret (all others are set with it). */
    readonly plaintext?: readonly string[];
}

/** The program threw; `registered` is what it had registered by then. */
export class ProgramError extends Error {
    constructor(
        readonly cause: Error,
        readonly registered: RecordedResource[],
    ) {
        super(cause.message);
    }
}

export async function runProgram(options: RunOptions = {}): Promise<ProgramRun> {
    const stack = options.stack ?? "dev";
    const recorded: RecordedResource[] = [];
    const byKey = new Map<string, RecordedResource>();
    const keyOf = (type: string, name: string) => `${type}::${name}`;

    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const record = byKey.get(keyOf(args.type, args.name));
                if (record) {
                    record.inputs = unwrapSecrets(args.inputs);
                    record.providerRef = args.provider;
                }
                const computed = options.preview ? {} : computedState(args.type, args.name, args.inputs);
                const state: Record<string, unknown> = { ...args.inputs, ...computed };
                // The engine marks a resource's additionalSecretOutputs secret; the mock monitor does not.
                for (const key of (record?.opts as pulumi.CustomResourceOptions | undefined)?.additionalSecretOutputs ?? []) {
                    if (key in state && (state[key] as Record<string, unknown> | undefined)?.[SECRET_SIG] === undefined) {
                        state[key] = pulumi.secret(state[key]);
                    }
                }
                return { id: options.preview ? undefined : `${args.name}-id`, state };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        "vaultnomad",
        stack,
        options.preview ?? false,
    );
    resetConfig(options.config ?? {}, options.secretKeys ?? [], options.plaintext ?? []);
    forgetProjectModules(path.join(PROJECT_ROOT, options.program ?? "index"));

    let programExports: Record<string, unknown> = {};
    const running = pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            const record: RecordedResource = {
                type: args.type,
                name: args.name,
                // Known only once the constructor has run; settle() fills it in.
                custom: false,
                resource: args.resource,
                props: args.props as Record<string, unknown>,
                opts: args.opts,
            };
            recorded.push(record);
            byKey.set(keyOf(args.type, args.name), record);
            return undefined;
        });
        // require, not import: the program must load afresh, inside this stack, on every run.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program = require(path.join(PROJECT_ROOT, options.program ?? "index"));
        // As Pulumi does: a program that exports a function is run, and its result is the stack outputs.
        programExports = typeof program === "function" ? await program() : program;
        return {};
    });
    await running.catch((err: Error) => {
        throw new ProgramError(err, recorded);
    });
    await settle(recorded);
    // Components register their outputs last; let those calls finish before the next run's mocks.
    await (runtimeSettings as any).waitForRPCs();
    return makeRun(recorded, programExports);
}

/** Waits until every registered resource has its URN, including those registered meanwhile. */
async function settle(recorded: RecordedResource[]): Promise<void> {
    let seen = -1;
    while (seen !== recorded.length) {
        seen = recorded.length;
        await Promise.all(
            recorded.map(async (r) => {
                r.urn = await (r.resource.urn as any).promise();
                r.custom = pulumi.CustomResource.isInstance(r.resource);
            }),
        );
    }
}

/** Marks secret the keys settings/keys.ts calls secret (unless listed as plaintext), and `extraSecret`. */
function resetConfig(config: Record<string, string>, extraSecret: readonly string[], plaintext: readonly string[]): void {
    // setAllConfig adds to the config of the previous run; start from none (getStore is internal).
    (runtimeState as any).getStore().config = {};
    const secretKeys = Object.keys(config).filter(
        (key) => ((CONFIG_KEYS as Record<string, KeySpec>)[key]?.secret && !plaintext.includes(key)) || extraSecret.includes(key),
    );
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [fq(key), value])), secretKeys.map(fq));
}

/** The program's own modules are loaded afresh for each run; the SDKs and this recorder stay loaded. */
const PROGRAM_PARTS = ["index.ts", `program${path.sep}`, `settings${path.sep}`, `components${path.sep}`, `nomad${path.sep}`].map((part) =>
    path.join(PROJECT_ROOT, part),
);

/**
 * The program's modules run afresh for each run, but are compiled once: a real `pulumi preview`
 * compiles them once too, and ts-node would otherwise transpile every file again for every run.
 */
const compiledProgram = new Map<string, string>();
type CompilingModule = NodeJS.Module & { _compile(code: string, filename: string): unknown };
const loadTypeScript = require.extensions[".ts"];
if (loadTypeScript) {
    require.extensions[".ts"] = (module, filename) => {
        const m = module as CompilingModule;
        const compiled = compiledProgram.get(filename);
        if (compiled !== undefined) {
            m._compile(compiled, filename);
            return;
        }
        if (PROGRAM_PARTS.some((part) => filename.startsWith(part))) {
            const compile = m._compile;
            m._compile = function (code: string, name: string) {
                compiledProgram.set(name, code);
                return compile.call(this, code, name);
            };
        }
        loadTypeScript(module, filename);
    };
}

function forgetProjectModules(program: string): void {
    for (const file of Object.keys(require.cache)) {
        if ([...PROGRAM_PARTS, program].some((part) => file.startsWith(part))) {
            delete require.cache[file];
        }
    }
}

function makeRun(resources: RecordedResource[], exports: Record<string, unknown>): ProgramRun {
    const byResource = new Map(resources.map((r) => [r.resource, r]));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<pulumi.Resource, RecordedResource[]>();
    for (const r of resources) {
        if (r.opts.parent) {
            children.set(r.opts.parent, [...(children.get(r.opts.parent) ?? []), r]);
        }
    }
    // A component stands for all its descendants, as in the SDK's dependency expansion.
    const expand = (r: RecordedResource): RecordedResource[] => (r.custom ? [r] : [r, ...(children.get(r.resource) ?? []).flatMap(expand)]);

    const dependenciesOf = (r: RecordedResource): Dependency[] => {
        const on = (kind: DependencyKind, targets: Iterable<pulumi.Resource>): Dependency[] =>
            [...targets]
                .map((t) => byResource.get(t))
                .filter((d): d is RecordedResource => !!d)
                .flatMap(expand)
                .map((resource) => ({ resource, kind }));
        const provider = r.providerRef && byUrn.get(r.providerRef.split("::").slice(0, -1).join("::"));
        return [
            ...on("data", referencedResources(r.props)),
            ...on("dependsOn", asArray(r.opts.dependsOn)),
            ...(provider ? [{ resource: provider, kind: "provider" as const }] : []),
            // A child is registered only after its parent, which waits for the parent's own dependencies.
            ...(r.opts.parent && byResource.has(r.opts.parent)
                ? [{ resource: byResource.get(r.opts.parent)!, kind: "parent" as const }]
                : []),
        ];
    };

    const effectiveDependencies = (r: RecordedResource): Dependency[] => {
        const own = dependenciesOf(r);
        const parent = own.find((d) => d.kind === "parent")?.resource;
        return [...own.filter((d) => d.kind !== "parent" && d.resource.custom), ...(parent ? effectiveDependencies(parent) : [])];
    };

    const run: ProgramRun = {
        resources,
        exports,
        dependenciesOf,
        effectiveDependencies,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const matches = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
            if (matches.length !== 1) {
                throw new Error(
                    `expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.map((m) => m.name).join(", ") || "none"}`,
                );
            }
            return matches[0];
        },
        waitsFor(later, earlier) {
            const seen = new Set<RecordedResource>();
            const queue = [later];
            while (queue.length > 0) {
                for (const { resource: dep } of dependenciesOf(queue.shift()!)) {
                    if (dep === earlier) {
                        return true;
                    }
                    if (!seen.has(dep)) {
                        seen.add(dep);
                        queue.push(dep);
                    }
                }
            }
            return false;
        },
    };
    return run;
}

function asArray(value: unknown): pulumi.Resource[] {
    if (value === undefined) {
        return [];
    }
    return (Array.isArray(value) ? value : [value]) as pulumi.Resource[];
}

/** Every resource an input value depends on through Outputs, however deeply nested. */
function referencedResources(value: unknown, found = new Set<pulumi.Resource>()): Set<pulumi.Resource> {
    if (pulumi.Output.isInstance(value)) {
        for (const r of (value as any).resources() as Set<pulumi.Resource>) {
            found.add(r);
        }
    } else if (Array.isArray(value)) {
        value.forEach((v) => referencedResources(v, found));
    } else if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        Object.values(value).forEach((v) => referencedResources(v, found));
    }
    return found;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The mock monitor sees secrets as `{ <sig>: <secret sig>, value }`; tests read the values. */
function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value && typeof value === "object") {
        if (value[SECRET_SIG] !== undefined && "value" in value) {
            return unwrapSecrets(value.value);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}
