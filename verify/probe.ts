// A real workload identity for verify: a short batch job whose task is handed a Vault identity,
// prints it, and is purged. Run only when asked (`verify --probe`): it schedules a job.
//
// The identity reaches the task as an environment variable (`env = true`), not as the file
// secrets/nomad_vault_default.jwt. In the demo the Nomad agent runs as root inside a container and
// mounts a tmpfs on each task's secrets/ in its own mount namespace; the host's Docker engine binds
// the host path, which stays empty (hashicorp/nomad issue 3481). Shared propagation (rshared) on the
// data-dir bind would also fix it, but only where the host's mount of that folder is itself shared,
// and it would leave every task's tmpfs visible on the host. The environment needs no mount at all.
import { nomad } from "./clients";
import { describe } from "./http";
import { allocations, lastEvent } from "./nomadState";
import { Probe, ProbeIdentity, ProbeSettings, Target } from "./types";

export const PROBE_JOB = "vaultnomad-verify-probe";
/** Nomad's variable for an identity with `env = true`: NOMAD_TOKEN_<identity name> (client/taskenv/env.go). */
export const PROBE_IDENTITY_ENV = "NOMAD_TOKEN_vault_default";

/** The probe job: one task, a `vault_default` identity in its environment, printed to stdout. */
export function probeJob(namespace: string, settings: ProbeSettings): Record<string, unknown> {
    return {
        ID: PROBE_JOB,
        Name: PROBE_JOB,
        Type: "batch",
        Namespace: namespace,
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
                        Config: {
                            image: settings.image ?? "busybox:1.36",
                            command: "sh",
                            args: ["-c", `printf %s "$${PROBE_IDENTITY_ENV}"`],
                        },
                        Identities: [
                            { Name: "vault_default", Audience: [settings.audience], TTL: 3_600_000_000_000, Env: true, File: false },
                        ],
                        Resources: { CPU: 50, MemoryMB: 32 },
                    },
                ],
            },
        ],
    };
}

/** The probe as a step of one run: the job runs at most once, when a check first asks. */
export function createProbe(t: Target, settings: ProbeSettings, onStart?: (message: string) => void): Probe {
    let taken: Promise<ProbeIdentity> | undefined;
    return {
        identity: () =>
            (taken ??= takeIdentity(t, settings, onStart).catch((err: Error) =>
                refused(`the probe stopped: ${err.message}`, "verify hit an unexpected error while running the probe job."),
            )),
    };
}

const refused = (error: string, cause: string, fix = `nomad job status -namespace=<ns> ${PROBE_JOB}`): ProbeIdentity => ({
    error,
    cause,
    fix,
});

async function takeIdentity(t: Target, settings: ProbeSettings, onStart?: (message: string) => void): Promise<ProbeIdentity> {
    const timeoutMs = settings.timeoutMs ?? 60_000;
    onStart?.(`running the probe job ${PROBE_JOB} in namespace ${t.nomadNamespace} (up to ${Math.round(timeoutMs / 1000)} s)`);
    const registered = await nomad(t, "jobs", { method: "POST", body: { Job: probeJob(t.nomadNamespace, settings) }, namespaced: true });
    if (registered.status !== 200) {
        return refused(`registering the probe job: ${describe(registered)}`, ...registrationCause(registered, t.nomadNamespace));
    }
    try {
        const deadline = Date.now() + timeoutMs;
        let last = "no allocation placed";
        // Stryker disable next-line EqualityOperator: the same millisecond as the deadline is one read more, no other behaviour
        while (Date.now() < deadline) {
            const [alloc] = await allocations(t, PROBE_JOB);
            if (alloc?.ClientStatus === "complete") {
                const logs = await nomad(t, `client/fs/logs/${alloc.ID}?task=probe&type=stdout&plain=true&origin=start`, {
                    namespaced: true,
                });
                const jwt = logs.status === 200 ? logs.body.trim() : "";
                return jwt
                    ? { jwt }
                    : refused(
                          `the probe's allocation ${String(alloc.ID).slice(0, 8)} printed no identity (${describe(logs)})`,
                          `Nomad gave the task no ${PROBE_IDENTITY_ENV}: the agent has no vault.default_identity, or the job's identity was refused.`,
                      );
            }
            if (alloc?.ClientStatus === "failed" || alloc?.ClientStatus === "lost") {
                return refused(
                    `the probe's allocation ${String(alloc.ID).slice(0, 8)} ${alloc.ClientStatus}; ${lastEvent(alloc)}`,
                    "The probe task did not run; its last event says why (image pull, docker driver, or identity).",
                );
            }
            last = alloc ? `allocation ${String(alloc.ID).slice(0, 8)} ${alloc.ClientStatus}` : last;
            await new Promise((resolve) => setTimeout(resolve, settings.intervalMs ?? 1000));
        }
        return refused(
            `the probe job did not complete within ${Math.round(timeoutMs / 1000)} s (${last})`,
            "No client ran the probe in time: no ready client with the docker driver in the job's datacenters, or the image is still pulling.",
            "nomad node status; nomad job status " + PROBE_JOB,
        );
    } finally {
        await nomad(t, `job/${PROBE_JOB}?purge=true`, { method: "DELETE", namespaced: true });
    }
}

function registrationCause(reply: { status: number; error?: string }, namespace: string): [string, string] {
    if (reply.status === 403) {
        return [
            `Nomad refuses the stack's token (Permission denied): it is stale, or may not submit jobs in namespace ${namespace}.`,
            "Use a management token (NOMAD_TOKEN, or the stack's nomadToken output); a stale stack token is renewed by `npm run stack -- up`.",
        ];
    }
    // Only a request that got no answer has an error (verify/http.ts).
    if (/CERT|SELF_SIGNED|UNABLE_TO|certificate/i.test(String(reply.error))) {
        return [
            "verify cannot make a TLS connection to Nomad: its CA (nomadCaPem) or client certificate (nomadClientCertPem/Key) is missing or wrong.",
            "pulumi config set nomadCaPem / nomadClientCertPem / nomadClientKeyPem for the cluster's TLS.",
        ];
    }
    return ["Nomad did not accept the probe job.", "Read Nomad's answer above; nomad job validate shows the same."];
}
