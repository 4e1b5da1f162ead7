// The jobs whose tasks use Vault. Nomad's job list gives stubs, which say nothing of Vault, so each
// job's spec is read once; a child of a periodic or parameterized job (stub ParentID) runs its
// parent's spec and signs its identities with the parent's ID (nomad/structs/structs.go, GetIDforWorkloadIdentity),
// so it is judged as its parent and costs no read of its own.
import { vaultRequests } from "../policy/vaultRequests";
import { json, Reply } from "./http";
import { JobStub, JobTask, VaultJob } from "./viewTypes";

/** The read the job view makes: memoized and bounded by the run's view. */
export interface JobReads {
    job(namespace: string, id: string): Promise<Reply>;
}

/** The paths a task reads from Vault, as written: its templates' `secret` reads and its vault secret blocks. */
export const secretPaths = (task: JobTask) =>
    vaultRequests(task, () => undefined).flatMap((request) => (request.capability === "read" && !request.dynamic ? [request.path] : []));

const key = (namespace: string, id: string) => `${namespace}/${id}`;

/** For a listed job, the listed job whose spec it runs: its parent when the parent is listed too, else itself. */
export function specIndex(stubs: JobStub[]): (namespace: string, id: string) => JobStub | undefined {
    const listed = new Map(stubs.map((stub) => [key(stub.Namespace, stub.ID), stub]));
    return (namespace, id) => {
        const stub = listed.get(key(namespace, id));
        // An allocation's job registered after the list was read has no stub to go by.
        return stub && ((stub.ParentID && listed.get(key(namespace, stub.ParentID))) || stub);
    };
}

/** The job as a Vault job: its tasks with a vault block; undefined when it has none, or is gone since the list (404). */
export async function readVaultJob(reads: JobReads, stub: JobStub): Promise<VaultJob | undefined> {
    const job = json(await reads.job(stub.Namespace, stub.ID));
    const tasks = ((job?.TaskGroups ?? []) as Array<{ Name: string; Tasks: JobTask[] }>).flatMap((g) =>
        g.Tasks.filter((task) => task.Vault).map((task) => ({ ...task, group: g.Name })),
    );
    return tasks.length ? { id: stub.ID, namespace: stub.Namespace, tasks } : undefined;
}
