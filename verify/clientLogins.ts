// Client agents whose JWT mount cannot log their tasks in. A client logs a task in at its own
// vault.jwt_auth_backend_path, with the task's vault.role, else the client's vault.create_from_role
// (nomad client/allocrunner/taskrunner/vault_hook.go), else the mount's default_role; Vault refuses
// a role it lacks ("role \"x\" could not be found") and no role at all ("missing role")
// (vault-plugin-auth-jwt path_login.go). Allocations are read only when some mount lacks a role
// the Vault jobs ask for: then they tell which clients run such a task.
import { json } from "./http";
import { AgentVault, ClusterView, VaultJob } from "./viewTypes";

/** Clients that ask alike: the same mount and create_from_role. */
interface Asking {
    readonly path: string;
    readonly role?: string;
}

/** The role a task asks for on a client of `asking`, given the mount's default role ("" for none). */
const askedRole = (task: VaultJob["tasks"][number], asking: Asking, mountDefault: string) => task.Vault.Role || asking.role || mountDefault;

/** The roles the mount of `asking` lacks, of those the Vault jobs' tasks ask for there ("" when a task asks for none). */
async function lackedRoles(view: ClusterView, asking: Asking, jobs: VaultJob[], mountDefault: string): Promise<Set<string>> {
    const asked = [...new Set(jobs.flatMap((job) => job.tasks.map((task) => askedRole(task, asking, mountDefault))))];
    const replies = await Promise.all(asked.map((role) => (role ? view.vault(`auth/${asking.path}/role/${role}`) : undefined)));
    return new Set(asked.filter((role, i) => !role || replies[i]!.status === 404));
}

/** Each client whose mount lacks a role one of its running tasks asks for, with the role and the jobs. */
export async function unservedLogins(view: ClusterView, found: AgentVault[]): Promise<string[]> {
    // Agents that are no client node run no task; a client without Vault logs none in (the agents check names it).
    const clients = found.filter((a) => a.node && a.enabled);
    const askings = [...new Map(clients.map((a) => [`${a.jwtPath}\n${a.role}`, { path: a.jwtPath!, role: a.role }])).values()];
    const jobs = await view.vaultJobs();
    const defaults = new Map(
        await Promise.all(
            askings.map(
                async (asking) => [asking.path, json(await view.vault(`auth/${asking.path}/config`))?.data?.default_role ?? ""] as const,
            ),
        ),
    );
    const lacked = await Promise.all(askings.map((asking) => lackedRoles(view, asking, jobs, defaults.get(asking.path)!)));
    if (lacked.every((roles) => roles.size === 0)) {
        return [];
    }
    const byNode = new Map(clients.map((client) => [client.node!.id, client]));
    const refused = new Map<string, { client: AgentVault; role: string; jobs: Set<string> }>();
    for (const alloc of await view.allocations()) {
        const client = byNode.get(alloc.NodeID);
        const job = client && ["pending", "running"].includes(alloc.ClientStatus) && (await view.vaultJobOf(alloc.Namespace, alloc.JobID));
        if (!job) {
            continue;
        }
        const index = askings.findIndex((a) => a.path === client.jwtPath && a.role === client.role);
        for (const task of job.tasks.filter((t) => t.group === alloc.TaskGroup)) {
            const role = askedRole(task, askings[index], defaults.get(client.jwtPath!)!);
            if (lacked[index].has(role)) {
                const key = `${client.address}\n${role}`;
                refused.set(key, refused.get(key) ?? { client, role, jobs: new Set() });
                refused.get(key)!.jobs.add(`${job.namespace}/${job.id}`);
            }
        }
    }
    return clients.flatMap((client) =>
        [...refused.values()]
            .filter((r) => r.client === client)
            .map(
                ({ role, jobs: named }) =>
                    `${client.address}: jwt_auth_backend_path "${client.jwtPath}": ` +
                    (role
                        ? `role "${role}" could not be found`
                        : `no role for tasks without vault.role (auth/${client.jwtPath}/config has no default_role)`) +
                    ` (${[...named].join(", ")})`,
            ),
    );
}
