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

/** Edges of `graph` (as [dependency, dependent]) that `other` does not imply, directly or not. */
export function edgesNotImpliedBy(graph: Graph, other: Graph): Array<[string, string]> {
    const implied = reachability(other);
    return [...graph].flatMap(([node, deps]) =>
        deps.filter((dep) => !implied.get(node)?.has(dep)).map((dep): [string, string] => [dep, node]),
    );
}

/** Edges of the program that the flow does not force: needless serialisation. */
export const needlessEdges = (actual: Graph, required: Graph) => edgesNotImpliedBy(actual, required);

/** Orderings the flow forces that the program lacks: something would run too early. */
export const missingOrderings = (actual: Graph, required: Graph) => edgesNotImpliedBy(required, actual);
