// Dependency waves and critical paths of a resource graph, and the edges the tutorial's flow forces.
import { ProgramRun } from "../tools/programRecorder";

/** Each node's direct dependencies, by name. */
export type Graph = ReadonlyMap<string, readonly string[]>;

/** The graph of custom resources the engine schedules, with every edge it honours. */
export function graphOfRun(run: ProgramRun): Graph {
    const graph = new Map<string, string[]>();
    for (const r of run.resources.filter((r) => r.custom)) {
        const deps = run.effectiveDependencies(r).map((d) => d.resource.name);
        graph.set(r.name, [...new Set(deps)].filter((d) => d !== r.name).sort());
    }
    return graph;
}

/** Wave of each node: 1 for a node with no dependencies, else one more than its latest dependency. */
export function waves(graph: Graph): Map<string, number> {
    return finishTimes(graph, () => 1);
}

/**
 * Earliest finish of each node when everything runs as soon as it may, each node taking
 * `duration(node)`: the longest weighted path to it. With a duration of 1, its wave.
 */
export function finishTimes(graph: Graph, duration: (node: string) => number): Map<string, number> {
    const finish = new Map<string, number>();
    const visiting = new Set<string>();
    const visit = (node: string): number => {
        const known = finish.get(node);
        if (known !== undefined) {
            return known;
        }
        if (visiting.has(node)) {
            throw new Error(`dependency cycle through ${node}`);
        }
        if (!graph.has(node)) {
            throw new Error(`${node} is a dependency but not a node of the graph`);
        }
        visiting.add(node);
        const start = Math.max(0, ...graph.get(node)!.map(visit));
        visiting.delete(node);
        finish.set(node, start + duration(node));
        return start + duration(node);
    };
    [...graph.keys()].forEach(visit);
    return finish;
}

/** The chain of nodes that sets the total time, first to last. */
export function criticalPath(graph: Graph, duration: (node: string) => number = () => 1): string[] {
    const finish = finishTimes(graph, duration);
    let node: string | undefined = [...finish.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    const path: string[] = [];
    while (node !== undefined) {
        path.unshift(node);
        const start: number = finish.get(node)! - duration(node);
        node = graph.get(node)!.find((dep: string) => Math.abs(finish.get(dep)! - start) < 1e-9);
    }
    return path;
}

/** Every ordering `graph` implies: a → b when b waits for a, directly or not. */
export function reachability(graph: Graph): Map<string, Set<string>> {
    const ancestors = new Map<string, Set<string>>();
    const visit = (node: string): Set<string> => {
        let found = ancestors.get(node);
        if (!found) {
            found = new Set();
            ancestors.set(node, found);
            for (const dep of graph.get(node) ?? []) {
                found.add(dep);
                visit(dep).forEach((a) => found!.add(a));
            }
        }
        return found;
    };
    [...graph.keys()].forEach(visit);
    return ancestors;
}

/** Edges of `actual` that `required` does not imply: ordering the flow does not need. */
export function needlessEdges(actual: Graph, required: Graph): Array<[string, string]> {
    const implied = reachability(required);
    const needless: Array<[string, string]> = [];
    for (const [node, deps] of actual) {
        for (const dep of deps) {
            if (!implied.get(node)?.has(dep)) {
                needless.push([dep, node]);
            }
        }
    }
    return needless;
}

/** Orderings that `required` implies but `actual` lacks: the program would run something too early. */
export function missingOrderings(actual: Graph, required: Graph): Array<[string, string]> {
    const present = reachability(actual);
    const missing: Array<[string, string]> = [];
    for (const [node, deps] of required) {
        for (const dep of deps) {
            if (!present.get(node)?.has(dep)) {
                missing.push([dep, node]);
            }
        }
    }
    return missing;
}
