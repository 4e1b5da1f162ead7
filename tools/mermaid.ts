// The program's resource graph as a Mermaid flowchart: components as boxes, resources inside,
// an arrow from each resource to those that wait for it (data, dependsOn, provider, also through
// a parent component's dependsOn).
import { ProgramRun, RecordedResource } from "./programRecorder";

export const GRAPH_START = "<!-- resource-graph:start (npm run docs) -->";
export const GRAPH_END = "<!-- resource-graph:end -->";

const id = (r: RecordedResource) => r.name.replace(/[^A-Za-z0-9_]/g, "_");
/** "docker:index/container:Container" → "docker:Container"; providers keep their package name. */
const shortType = (type: string) =>
    type.startsWith("pulumi:providers:") ? `provider:${type.split(":")[2]}` : `${type.split(":")[0]}:${type.split(":").pop()}`;

export function renderMermaid(run: ProgramRun): string {
    const lines = ["flowchart TD"];
    const components = run.resources.filter((r) => !r.custom && r.opts.parent === undefined);
    const topComponent = (r: RecordedResource): RecordedResource | undefined => {
        const parent = run.resources.find((p) => p.resource === r.opts.parent);
        return parent === undefined ? (r.custom ? undefined : r) : topComponent(parent);
    };
    for (const component of components) {
        lines.push(`    subgraph ${id(component)}["${component.name} (${component.type.split(":").pop()})"]`);
        for (const r of run.resources.filter((r) => r.custom && topComponent(r) === component)) {
            lines.push(`        ${id(r)}["${r.name}<br/>${shortType(r.type)}"]`);
        }
        lines.push("    end");
    }
    const edges = new Set<string>();
    for (const r of run.resources.filter((r) => r.custom)) {
        for (const { resource: dep } of run.effectiveDependencies(r)) {
            if (dep !== r) {
                edges.add(`    ${id(dep)} --> ${id(r)}`);
            }
        }
    }
    return [...lines, ...[...edges].sort()].join("\n");
}

/** The README with its graph section replaced. */
export function withGraph(readme: string, mermaid: string): string {
    const start = readme.indexOf(GRAPH_START);
    const end = readme.indexOf(GRAPH_END);
    if (start < 0 || end < start) {
        throw new Error(`README.md has no graph section: add the lines ${GRAPH_START} and ${GRAPH_END}`);
    }
    return `${readme.slice(0, start + GRAPH_START.length)}\n\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n\n${readme.slice(end)}`;
}
