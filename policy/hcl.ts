// HCL as the rules read it: Vault policy stanzas, Nomad agent configuration, jobspecs.
import { parse } from "@cdktf/hcl2json";

// The same few files are parsed on every program run (jobspecs, policies), and each parse crosses into WebAssembly.
const parsed = new Map<string, Promise<Record<string, any>>>();

export async function parseHcl(text: string): Promise<Record<string, any>> {
    if (!parsed.has(text)) {
        parsed.set(text, parse("policy.hcl", text) as Promise<Record<string, any>>);
        // A failed parse is not kept: the caller reports it, and the next call tries again.
        parsed.get(text)!.catch(() => parsed.delete(text));
    }
    return structuredClone(await parsed.get(text)!);
}

export interface Stanza {
    readonly path: string;
    readonly capabilities: string[];
}

/** The `path "…" { capabilities = […] }` stanzas of a Vault policy. */
export async function policyStanzas(text: string): Promise<Stanza[]> {
    const parsed = await parseHcl(text);
    return Object.entries((parsed.path ?? {}) as Record<string, Array<{ capabilities?: string[] }>>).flatMap(([path, blocks]) =>
        blocks.map((block) => ({ path, capabilities: block.capabilities ?? [] })),
    );
}

const TEMPLATE = /\{\{identity\.entity\.aliases\.[^.}]+\.metadata\.(nomad_namespace|nomad_job_id)\}\}/g;

/** A templated policy path as Vault evaluates it for one job's login. */
export function renderForJob(path: string, namespace: string, job: string): string {
    return path.replace(TEMPLATE, (_m, claim: string) => (claim === "nomad_namespace" ? namespace : job));
}

/** Vault's path globs: `+` matches one segment, a trailing `*` any suffix. */
export function vaultPathMatches(pattern: string, path: string): boolean {
    const prefix = pattern.endsWith("*");
    const patternSegments = (prefix ? pattern.slice(0, -1) : pattern).split("/");
    const pathSegments = path.split("/");
    for (let i = 0; i < patternSegments.length; i++) {
        const want = patternSegments[i];
        const last = i === patternSegments.length - 1;
        const have = pathSegments[i];
        if (have === undefined) {
            return false;
        }
        if (want === "+") {
            continue;
        }
        if (last && prefix) {
            return have.startsWith(want);
        }
        if (want !== have) {
            return false;
        }
    }
    return prefix || pathSegments.length === patternSegments.length;
}

/** The jobspec with its HCL2 variables replaced by `vars`, or else by their defaults, as Nomad reads it. */
export async function resolveJobspec(jobspec: string, vars: Record<string, string> = {}): Promise<string> {
    const declared = ((await parseHcl(jobspec)).variable ?? {}) as Record<string, Array<{ default?: unknown }>>;
    const defaults = Object.fromEntries(Object.entries(declared).map(([name, [v]]) => [name, v.default]));
    const values: Record<string, unknown> = { ...defaults, ...vars };
    return jobspec
        .replace(/\$\{var\.(\w+)\}/g, (match, name: string) => (values[name] === undefined ? match : String(values[name])))
        .replace(/(?<![\w.$])var\.(\w+)/g, (match, name: string) => (values[name] === undefined ? match : JSON.stringify(values[name])));
}

export interface JobTask {
    readonly job: string;
    readonly namespace: string;
    readonly task: string;
    /** The task's parsed blocks: vault, template, config, … */
    readonly body: Record<string, any>;
}

/** Every task of a parsed jobspec, with its job's name and namespace. */
export function jobTasks(parsed: Record<string, any>): JobTask[] {
    const found: JobTask[] = [];
    for (const [job, jobBlocks] of Object.entries((parsed.job ?? {}) as Record<string, any[]>)) {
        for (const jobBlock of jobBlocks) {
            for (const groupBlocks of Object.values((jobBlock.group ?? {}) as Record<string, any[]>)) {
                for (const group of groupBlocks) {
                    for (const [task, taskBlocks] of Object.entries((group.task ?? {}) as Record<string, any[]>)) {
                        taskBlocks.forEach((body) => found.push({ job, namespace: jobBlock.namespace ?? "default", task, body }));
                    }
                }
            }
        }
    }
    return found;
}

/** The `vault` blocks of every task in a jobspec, with the job's name and namespace. */
export async function jobVaultBlocks(
    jobspec: string,
    vars: Record<string, string> = {},
): Promise<Array<{ job: string; namespace: string; task: string; vault: Record<string, any> }>> {
    return jobTasks(await parseHcl(await resolveJobspec(jobspec, vars))).flatMap(({ job, namespace, task, body }) =>
        ((body.vault ?? []) as Array<Record<string, any>>).map((vault) => ({ job, namespace, task, vault })),
    );
}
