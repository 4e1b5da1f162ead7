// What adopt reads of a cluster: what vaultnomad-verify's discovery finds (the JWT mounts, the
// agents' vault block, the mount's config and default role, the templated policy), and beyond it the
// mount's own settings, the policy's text, the KV mounts, the jobs that use Vault with the source
// Nomad keeps of them, their roles and policies, and the namespaces. Only reads; never a secret value.
import { nomad, vault } from "../verify/clients";
import { Connection, discoverTarget, read as readInto } from "../verify/discover";
import { describe, json, Reply } from "../verify/http";
import { secretPaths } from "../verify/vaultJobs";
import { Target } from "../verify/types";

/** The JWT mount's entry in sys/auth. */
export interface MountEntry {
    readonly accessor: string;
    readonly description: string;
    readonly local: boolean;
}

/** A job's source as Nomad's job submission API keeps it (GET /v1/job/:id/submission). */
export interface Submission {
    readonly Source: string;
    readonly Format: string;
    readonly VariableFlags: Record<string, string> | null;
    readonly Variables: string;
}

/** A job that uses Vault: its tasks' vault blocks, the secrets its templates read, its source. */
export interface ClusterJob {
    readonly id: string;
    readonly namespace: string;
    /** Set for a periodic or dispatched child, which Nomad runs from its parent. */
    readonly parentId: string;
    readonly version: number;
    readonly vaultTasks: Array<{ readonly task: string; readonly role: string; readonly cluster: string }>;
    readonly secretPaths: string[];
    /** Undefined when Nomad keeps no source of this version: `sourceMissing` says what it answered. */
    readonly submission?: Submission;
    readonly sourceMissing?: string;
}

/** A role a job logs in with instead of the default one, and the text of each of its token policies. */
export interface JobRole {
    readonly data?: Record<string, any>;
    readonly policies: Record<string, string | undefined>;
}

export interface Namespace {
    readonly Name: string;
    readonly Description: string;
    readonly Quota: string;
    readonly Meta: Record<string, string> | null;
    readonly Capabilities: Record<string, unknown> | null;
}

export interface ClusterFacts {
    readonly connection: Connection;
    /** What discovery found and where, one line each. */
    readonly found: string[];
    /** Reads that failed, and why (a token without a capability, a refused connection). */
    readonly unread: string[];
    /** Why the agents' vault block was not read, if it was not: adopt can do without it where Vault has one JWT mount. */
    readonly agentsUnread?: string;
    readonly jwtMounts?: string[];
    /** The JWT mount discovery chose (--auth-path, the agents' jwt_auth_backend_path, or the only one) and its entry. */
    readonly jwtPath: string;
    readonly mount?: MountEntry;
    readonly agentVault?: Record<string, any>;
    readonly authConfig?: Record<string, any>;
    /** The mount's default role and its data; the templated policy among its token policies, and that policy's text. */
    readonly roleName: string;
    readonly role?: Record<string, any>;
    readonly policyName: string;
    readonly policyText?: string;
    /** The KV mounts: path → KV version. */
    readonly kvMounts?: Record<string, string>;
    readonly jobs?: ClusterJob[];
    readonly jobRoles: Record<string, JobRole>;
    readonly namespaces?: Record<string, Namespace>;
}

/** A read's answer; any status but 200 is a failed read, but 404 where nothing there is an answer too. */
function answered(reply: Reply, absentIsAnswer = false): Reply {
    if (reply.status !== 200 && !(absentIsAnswer && reply.status === 404)) {
        throw new Error(describe(reply));
    }
    return reply;
}

/** The `data` of a Vault read; undefined for nothing there (Vault's 404 `{"errors":[]}`) where that is an answer. */
const dataOf = (reply: Reply, absentIsAnswer = false) => json(answered(reply, absentIsAnswer))?.data as Record<string, any> | undefined;

/** Reads the cluster; `authPath` chooses among JWT mounts as --auth-path does for verify. */
export async function readCluster(connection: Connection, authPath?: string): Promise<ClusterFacts> {
    const { target, expectations, readings } = await discoverTarget(connection, { authPath });
    const notRead = expectations.filter((line) => line.includes(" not read ("));
    const agentsUnread = notRead.find((line) => line.startsWith("the agents' vault block"));
    const unread = notRead.filter((line) => line !== agentsUnread);
    const read: Reader = (what, fetch) => readInto(unread, what, fetch);
    const mount = await read("the JWT mount (sys/auth)", async () => dataOf(await vault(target, "sys/auth"))?.[`${target.jwtPath}/`]);
    // Discovery has read it to find it: read again for its text, which discovery keeps to itself.
    const policyText = target.policyName ? dataOf(await vault(target, `sys/policies/acl/${target.policyName}`))!.policy : undefined;
    const kvMounts = await read("the secrets engines (sys/mounts)", async () =>
        kvMountsOf(dataOf(await vault(target, "sys/mounts")) ?? {}),
    );
    const jobs = await read("the jobs (jobs?namespace=*)", () => vaultJobs(target));
    const jobRoles: Record<string, JobRole> = {};
    for (const role of new Set((jobs ?? []).flatMap((job) => job.vaultTasks.map((t) => t.role)))) {
        if (role && role !== target.defaultRole) {
            jobRoles[role] = await readJobRole(target, role, read);
        }
    }
    const namespaces = await read("the namespaces (namespaces)", async () => {
        const list = json<Namespace[]>(answered(await nomad(target, "namespaces"))) ?? [];
        return Object.fromEntries(list.map((n) => [n.Name, n]));
    });
    return {
        connection,
        found: expectations.filter((line) => !line.startsWith("declared role:") && !notRead.includes(line)),
        unread,
        agentsUnread,
        jwtMounts: readings.jwtMounts,
        jwtPath: target.jwtPath,
        mount,
        agentVault: readings.agentVault,
        authConfig: readings.authConfig,
        roleName: target.defaultRole,
        role: readings.role,
        policyName: target.policyName,
        policyText,
        kvMounts,
        jobs,
        jobRoles,
        namespaces,
    };
}

/** KV mounts of a sys/mounts table: path (no trailing slash) → version ("1" when options name none). */
function kvMountsOf(table: Record<string, { type: string; options?: { version?: string } | null }>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(table)
            .filter(([, m]) => m.type === "kv")
            .map(([path, m]) => [path.replace(/\/$/, ""), m.options?.version ?? "1"]),
    );
}

/** Every job with a task that has a vault block, in every namespace, with the source of its current version. */
async function vaultJobs(t: Target): Promise<ClusterJob[]> {
    const list = json<Array<{ ID: string; Namespace: string }>>(answered(await nomad(t, "jobs?namespace=*"))) ?? [];
    const jobs: ClusterJob[] = [];
    for (const { ID, Namespace } of list) {
        const query = `namespace=${encodeURIComponent(Namespace)}`;
        // Undefined when the job was deregistered since the list.
        const job = json(await nomad(t, `job/${encodeURIComponent(ID)}?${query}`));
        const tasks = (job?.TaskGroups ?? []).flatMap((g: any) => g.Tasks ?? []).filter((task: any) => task.Vault);
        if (!tasks.length) {
            continue;
        }
        const version: number = job.Version;
        const reply = await nomad(t, `job/${encodeURIComponent(ID)}/submission?version=${version}&${query}`);
        const submission = reply.status === 200 ? (json(reply) as Submission) : undefined;
        jobs.push({
            id: ID,
            namespace: Namespace,
            parentId: job.ParentID,
            version,
            vaultTasks: tasks.map((task: any) => ({
                task: task.Name,
                role: task.Vault.Role,
                cluster: task.Vault.Cluster || "default",
            })),
            secretPaths: tasks.flatMap(secretPaths),
            submission,
            sourceMissing: submission ? undefined : describe(reply),
        });
    }
    return jobs;
}

type Reader = <T>(what: string, fetch: () => Promise<T | undefined>) => Promise<T | undefined>;

async function readJobRole(t: Target, role: string, read: Reader): Promise<JobRole> {
    const data = await read(`auth/${t.jwtPath}/role/${role}`, async () => dataOf(await vault(t, `auth/${t.jwtPath}/role/${role}`), true));
    const policies: Record<string, string | undefined> = {};
    for (const name of ((data?.token_policies ?? []) as string[]).filter((p) => p !== "default")) {
        policies[name] = await read(
            `sys/policies/acl/${name}`,
            async () => dataOf(await vault(t, `sys/policies/acl/${name}`), true)?.policy,
        );
    }
    return { data, policies };
}
