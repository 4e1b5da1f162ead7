// The cluster as one run of verify reads it (ClusterView): each read made at most once and shared
// by every check that needs it, at most `concurrency` requests in flight, and none after the run's
// deadline. What the checks conclude from it stays in the checks.
import { policyStanzas } from "../policy/hcl";
import { discoverAgents } from "./agents";
import { nomad, nomadJwks, vault } from "./clients";
import { json } from "./http";
import { DEFAULT_CONCURRENCY, readLimit } from "./readLimit";
import { Target } from "./types";
import { readJobStubs, readVaultJob, specIndex } from "./vaultJobs";
import { AllocationStub, ClusterView, JobStub, VaultJob } from "./viewTypes";

export interface ViewSettings {
    /** Requests in flight at once (--concurrency). */
    readonly concurrency?: number;
    /** When the run stops reading (epoch ms): a later read answers "verify's deadline passed". */
    readonly deadline: number;
}

export function createClusterView(t: Target, settings: ViewSettings): ClusterView {
    const limited = readLimit(settings.concurrency ?? DEFAULT_CONCURRENCY, settings.deadline);
    const kept = new Map<string, Promise<unknown>>();
    /** The first call's promise for `key`, for every later call too. */
    const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
        if (!kept.has(key)) {
            kept.set(key, read());
        }
        return kept.get(key) as Promise<T>;
    };
    const view: ClusterView = {
        vault: (path) => once(`vault ${path}`, () => limited((timeoutMs) => vault(t, path, { timeoutMs }))),
        nomad: (path, address = t.nomadAddress) =>
            once(`nomad ${address} ${path}`, () => limited((timeoutMs) => nomad(t, path, { address, timeoutMs }))),
        jwks: (address) => once(`jwks ${address}`, () => limited((timeoutMs) => nomadJwks(t, address, timeoutMs))),
        policyText: (name) => once(`policy ${name}`, async () => json(await view.vault(`sys/policies/acl/${name}`))?.data?.policy ?? ""),
        readGrants: (name) =>
            once(`grants ${name}`, async () =>
                (await policyStanzas(await view.policyText(name))).filter((s) => s.capabilities.includes("read")),
            ),
        agents: () => once("agents", () => discoverAgents(t, view)),
        jobStubs: () => once("job stubs", () => readJobStubs(view)),
        job: (namespace, id) => view.nomad(`job/${encodeURIComponent(id)}?namespace=${encodeURIComponent(namespace)}`),
        vaultJobs: () =>
            once("vault jobs", async () => {
                const [stubs, spec] = await Promise.all([view.jobStubs(), specs()]);
                const jobs = await Promise.all(stubs.filter((s) => spec(s.Namespace, s.ID) === s).map(vaultJob));
                return jobs.filter((job): job is VaultJob => job !== undefined);
            }),
        vaultJobOf: async (namespace, id) => {
            const stub = (await specs())(namespace, id);
            return stub && vaultJob(stub);
        },
        allocations: () =>
            once("allocations", async () => {
                const list = json<AllocationStub[]>(await view.nomad("allocations?namespace=*&task_states=false"));
                return Array.isArray(list) ? list : [];
            }),
        forget: () => kept.clear(),
    };
    const specs = () => once("specs", async () => specIndex(await view.jobStubs()));
    const vaultJob = (stub: JobStub) => once(`vault job ${stub.Namespace}/${stub.ID}`, () => readVaultJob(view, stub));
    return view;
}
