// What Nomad says of a job's allocations, for the checks and the probe.
import { nomad } from "./clients";
import { json } from "./http";
import { Target } from "./types";

/** The allocations of a job in the stack's namespace, newest first. */
export async function allocations(t: Target, job: string): Promise<any[]> {
    const list = json<any[]>(await nomad(t, `job/${encodeURIComponent(job)}/allocations`, { namespaced: true }));
    return [...(Array.isArray(list) ? list : [])].sort((a, b) => (b.CreateIndex ?? 0) - (a.CreateIndex ?? 0));
}

/** The last event a task reported, which usually says why it failed. */
export function lastEvent(alloc: any): string {
    const events = Object.values(alloc?.TaskStates ?? {}).flatMap((state: any) => state?.Events ?? []);
    const last = events[events.length - 1];
    return last ? `${last.Type}: ${last.DisplayMessage || last.Message || ""}`.trim() : "no task events";
}
