// The cluster as one run of verify reads it (ClusterView): each read made at most once and shared
// by every check that needs it, at most `concurrency` requests in flight, and none after the run's
// deadline. What the checks conclude from it stays in the checks.
import { policyStanzas } from "../policy/hcl";
import { discoverAgents } from "./agents";
import { nomad, nomadJwks, vault } from "./clients";
import { describe, json } from "./http";
import { DEFAULT_CONCURRENCY, readLimit } from "./readLimit";
import { Target } from "./types";
import { readVaultJob, specIndex } from "./vaultJobs";
import { AllocationStub, ClusterView, JobStub, VaultJob } from "./viewTypes";

export interface ViewSettings {
    /** Requests in flight at once (--concurrency). */
    readonly concurrency?: number;
    /** When the run stops reading (epoch ms): a later read answers "verify's deadline passed". */
    readonly deadline: number;
}

export function createClusterView(t: Target, settings: ViewSettings): ClusterView {
    const limited = readLimit(settings.concurrency ?? DEFAULT_CONCURRENCY, settings.deadline);
    const kept: Array<Map<string, Promise<unknown>>> = [];
    /** `read`, made once per key: later calls with that key get the first call's promise, until forget(). */
    const once = <T>(read: (key: string) => Promise<T>): ((key: string) => Promise<T>) => {
        const made = new Map<string, Promise<T>>();
        kept.push(made);
        return (key) => {
            if (!made.has(key)) {
                made.set(key, read(key));
            }
            return made.get(key)!;
        };
    };
    const vaultRead = once((path) => limited((timeoutMs) => vault(t, path, { timeoutMs })));
    const nomadRead = once((key) => {
        const [address, path] = key.split("\n");
        return limited((timeoutMs) => nomad(t, path, { address, timeoutMs }));
    });
    const policyText = once(async (name) => {
        const reply = await vaultRead(`sys/policies/acl/${name}`);
        const body = json(reply);
        if (!body) {
            throw new Error(`sys/policies/acl/${name}: ${describe(reply)}`);
        }
        // Vault's 404 for a policy it does not have is {"errors":[]}: no text.
        return (body.data?.policy as string | undefined) ?? "";
    });
    const readGrants = once(async (name) => (await policyStanzas(await policyText(name))).filter((s) => s.capabilities.includes("read")));
    const cells: Array<{ made?: Promise<unknown> }> = [];
    /** `read`, made once: later calls get the first call's promise, until forget(). */
    const whole = <T>(read: () => Promise<T>): (() => Promise<T>) => {
        const cell: { made?: Promise<T> } = {};
        cells.push(cell);
        return () => (cell.made ??= read());
    };
    /** A list Nomad gives; an answer that is none names Nomad's answer. A refusal throws (Denied) before. */
    const nomadList = async <T>(what: string, path: string): Promise<T[]> => {
        const reply = await view.nomad(path);
        const list = json<T[]>(reply);
        if (!Array.isArray(list)) {
            throw new Error(`Nomad's ${what} (${path}): ${describe(reply)}`);
        }
        return list;
    };
    const jobStubs = whole(() => nomadList<JobStub>("job list", "jobs?namespace=*"));
    const specs = whole(async () => specIndex(await jobStubs()));
    const vaultJob = once((key) => {
        const [Namespace, ID] = key.split("\n");
        return readVaultJob(view, { Namespace, ID });
    });
    const vaultJobOf = (stub: JobStub) => vaultJob(`${stub.Namespace}\n${stub.ID}`);
    const view: ClusterView = {
        vault: vaultRead,
        nomad: (path, address = t.nomadAddress) => nomadRead(`${address}\n${path}`),
        jwks: once((address) => limited((timeoutMs) => nomadJwks(t, address, timeoutMs))),
        policyText,
        readGrants,
        agents: whole(() => discoverAgents(t, view)),
        jobStubs,
        job: (namespace, id) => view.nomad(`job/${encodeURIComponent(id)}?namespace=${encodeURIComponent(namespace)}`),
        vaultJobs: whole(async () => {
            const [stubs, spec] = await Promise.all([jobStubs(), specs()]);
            const jobs = await Promise.all(stubs.filter((s) => spec(s.Namespace, s.ID) === s).map(vaultJobOf));
            return jobs.filter((job): job is VaultJob => job !== undefined);
        }),
        vaultJobOf: async (namespace, id) => {
            const stub = (await specs())(namespace, id);
            return stub && vaultJobOf(stub);
        },
        allocations: whole(() => nomadList<AllocationStub>("allocation list", "allocations?namespace=*&task_states=false")),
        forget: () => {
            kept.forEach((made) => made.clear());
            cells.forEach((cell) => delete cell.made);
        },
    };
    return view;
}
