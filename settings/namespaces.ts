// The `namespaces` key: what the program writes on the Nomad namespaces it creates for workloads
// (every namespace a workload runs in, but default). Today only a description.
import { fq } from "./keys";
import { WorkloadSpec } from "./workloads";

export const NAMESPACES_KEY = "namespaces";

export interface NamespaceSpec {
    readonly description: string;
}

const FIELDS = ["description"];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads `vaultnomad:namespaces`: namespace name → { description }, each a namespace a workload runs in. */
export function readNamespaces(json: string | undefined, workloads: WorkloadSpec[], problems: string[]): Record<string, NamespaceSpec> {
    if (json === undefined || json === "") {
        return {};
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch {
        parsed = undefined;
    }
    if (!isObject(parsed)) {
        problems.push(`${fq(NAMESPACES_KEY)}: must map namespace names to { description }, as structured config (see docs/workloads.md).`);
        return {};
    }
    const used = new Set(workloads.map((w) => w.namespace));
    const namespaces: Record<string, NamespaceSpec> = {};
    for (const [name, spec] of Object.entries(parsed)) {
        const at = `${fq(NAMESPACES_KEY)}.${name}`;
        const before = problems.length;
        if (name === "default") {
            problems.push(`${at}: the program never creates the default namespace, which every cluster has; remove it.`);
        } else if (!used.has(name)) {
            problems.push(`${at}: no workload runs in namespace ${name}; remove it.`);
        }
        if (!isObject(spec) || typeof spec.description !== "string") {
            problems.push(`${at}: must be { description: "…" }.`);
        } else {
            Object.keys(spec)
                .filter((field) => !FIELDS.includes(field))
                .forEach((field) => problems.push(`${at}: ${field}: unknown field; a namespace has ${FIELDS.join(", ")}.`));
        }
        if (problems.length === before) {
            namespaces[name] = { description: (spec as NamespaceSpec).description };
        }
    }
    return namespaces;
}
