// A real workload identity for verify: a short batch job whose task is given a Vault identity as a
// file, prints it, and is purged. Run only when asked (`verify --probe`): it schedules a job.
import { describe, json, request } from "./http";

export const PROBE_JOB = "vaultnomad-verify-probe";

export interface ProbeOptions {
    readonly nomadAddress: string;
    readonly nomadToken: string;
    readonly namespace: string;
    /** The audience the identity is for: the stack's. */
    readonly audience: string;
    readonly image?: string;
    readonly timeoutMs?: number;
    readonly intervalMs?: number;
}

/** The probe job: one task, a `vault_default` identity written to its secrets dir, printed to stdout. */
export function probeJob(options: ProbeOptions): Record<string, unknown> {
    return {
        ID: PROBE_JOB,
        Name: PROBE_JOB,
        Type: "batch",
        Namespace: options.namespace,
        Datacenters: ["*"],
        TaskGroups: [
            {
                Name: "probe",
                Count: 1,
                RestartPolicy: { Attempts: 0, Mode: "fail" },
                ReschedulePolicy: { Attempts: 0, Unlimited: false },
                Tasks: [
                    {
                        Name: "probe",
                        Driver: "docker",
                        Config: { image: options.image ?? "busybox:1.36", command: "cat", args: ["/secrets/nomad_vault_default.jwt"] },
                        Identities: [{ Name: "vault_default", Audience: [options.audience], TTL: 3_600_000_000_000, File: true }],
                        Resources: { CPU: 50, MemoryMB: 32 },
                    },
                ],
            },
        ],
    };
}

/** Runs the probe job, returns the identity it printed, and purges the job whatever happened. */
export async function runProbe(options: ProbeOptions): Promise<string | undefined> {
    const api = (path: string, method = "GET", body?: unknown) =>
        request(`${options.nomadAddress}/v1/${path}`, {
            method,
            body,
            headers: { "X-Nomad-Token": options.nomadToken },
            timeoutMs: 10_000,
        });
    const query = `namespace=${encodeURIComponent(options.namespace)}`;
    const registered = await api(`jobs?${query}`, "POST", { Job: probeJob(options) });
    if (registered.status !== 200) {
        throw new Error(`could not register the probe job: ${describe(registered)}`);
    }
    try {
        const deadline = Date.now() + (options.timeoutMs ?? 60_000);
        while (Date.now() < deadline) {
            const [alloc] = json<any[]>(await api(`job/${PROBE_JOB}/allocations?${query}`)) ?? [];
            if (alloc?.ClientStatus === "complete") {
                const logs = await api(`client/fs/logs/${alloc.ID}?task=probe&type=stdout&plain=true&origin=start&${query}`);
                return logs.body.trim() || undefined;
            }
            if (alloc?.ClientStatus === "failed") {
                return undefined;
            }
            await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
        }
        return undefined;
    } finally {
        await api(`job/${PROBE_JOB}?purge=true&${query}`, "DELETE");
    }
}
