// The jobs that use Vault, as workloads: each from the source Nomad keeps of it, with the variables
// it was submitted with and the role it logs in with, checked by the guardrail as any workload is. A
// job the program cannot take as it is stays out, with the reason; it never refuses the adoption.
import { renderGrants } from "../components";
import { vaultRoleFields } from "../components/workloadRole";
import { roleSettingsOf } from "../program/identity";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { policyStanzas } from "../policy/hcl";
import { ConfigError, Settings } from "../settings";
import { NamespaceSpec } from "../settings/namespaces";
import { Grant, PROGRAM_VARS, WorkloadSpec } from "../settings/workloads";
import { checkWorkloads, WorkloadContext } from "../settings/workloadsCheck";
import { ClusterFacts, ClusterJob, Namespace } from "./cluster";
import { describeDifference, differences } from "./fields";
import { policyComparison } from "./identity";

/** A job the program takes, as the entry of vaultnomad:workloads that declares it. */
export interface WorkloadEntry {
    readonly source: string;
    readonly namespace: string;
    readonly vars?: Record<string, string>;
    readonly role?: { readonly name: string; readonly grants: Grant[] };
}

export interface LeftOut {
    /** `<namespace>/<job ID>` */
    readonly job: string;
    readonly reason: string;
}

export interface AdoptedJobs {
    readonly entries: WorkloadEntry[];
    /** The jobs taken, `<namespace>/<job ID>`, as the entries list them. */
    readonly taken: string[];
    /** The jobs' namespaces but default, with their description (vaultnomad:namespaces). */
    readonly namespaces: Record<string, NamespaceSpec>;
    readonly leftOut: LeftOut[];
    /** What the program would write otherwise than the cluster holds it, for the operator to accept. */
    readonly changes: string[];
    /** The KV secrets the adopted jobs read: they stay in Vault, never copied. */
    readonly secretsRead: Array<{ readonly job: string; readonly path: string }>;
}

const nameOf = (job: ClusterJob) => `${job.namespace}/${job.id}`;

/** Why Nomad's source of the job cannot be registered as it is; undefined when it can. */
function sourceProblem(job: ClusterJob): string | undefined {
    const submission = job.submission;
    if (job.parentId) {
        return `a periodic or dispatched child of ${job.parentId}: Nomad runs it from its parent.`;
    }
    if (!submission) {
        return `Nomad keeps no source of its version ${job.version} (${job.sourceMissing}): it was registered without one (through the API, or before Nomad 1.6), or its source was larger than the servers' job_max_source_size. Resubmit it with \`nomad job run\`, then adopt again.`;
    }
    if (submission.Format !== "hcl2") {
        return `submitted as ${submission.Format || "an unknown format"}; the program registers HCL2 jobspecs. Resubmit its HCL2 jobspec with \`nomad job run\`, then adopt again.`;
    }
    if (submission.Variables) {
        return "submitted with a variables file (-var-file), which Nomad's provider does not read back: resubmit it with -var flags, then adopt again.";
    }
    const otherCluster = job.vaultTasks.find((t) => t.cluster !== "default");
    if (otherCluster) {
        return `task ${otherCluster.task} uses the Vault cluster ${otherCluster.cluster}; the program configures one Vault, Nomad's default.`;
    }
    return undefined;
}

/** What the program cannot write on the namespace: anything but its description. */
function namespaceProblem(namespace: Namespace | undefined, name: string): string | undefined {
    if (!namespace) {
        return `its namespace ${name} was not found.`;
    }
    const more = (["Quota", "Meta", "Capabilities"] as const).filter(
        (field) => namespace[field] && Object.keys(namespace[field] ?? {}).length > 0,
    );
    return more.length > 0
        ? `its namespace ${name} has ${more.join(", ")}, which the program cannot express (it writes a namespace's description).`
        : undefined;
}

/** The role a job logs in with, as the entry's role with its grants; or why the program cannot declare it. */
async function jobRole(
    facts: ClusterFacts,
    settings: Settings,
    job: ClusterJob,
    roleName: string,
): Promise<{ role?: WorkloadEntry["role"]; problem?: string; change?: string }> {
    const found = facts.jobRoles[roleName];
    const at = `auth/${facts.jwtPath}/role/${roleName}`;
    if (!found?.data) {
        return { problem: `its role ${roleName} does not exist (${at}).` };
    }
    const policies: string[] = found.data.token_policies ?? [];
    if (policies.length !== 1 || policies[0] !== roleName) {
        return {
            problem: `its role ${roleName} has the token policies [${policies.join(", ")}]; the program gives a job's role one policy of the role's name.`,
        };
    }
    const text = found.policies[roleName];
    if (text === undefined) {
        return { problem: `the policy ${roleName} of its role does not exist.` };
    }
    const declared = {
        ...vaultRoleFields(roleSettingsOf(settings), roleName),
        bound_claims: { nomad_namespace: job.namespace, nomad_job_id: job.id },
    };
    const differ = differences(found.data, declared);
    if (differ.length > 0) {
        return {
            problem: `its role ${roleName} differs from what the program writes for a job's role: ${differ.map(describeDifference).join("; ")}.`,
        };
    }
    const grants = (await policyStanzas(text)).map((s) => ({ path: s.path, capabilities: s.capabilities }));
    const change =
        (await policyComparison(text, renderGrants(grants))) === "same"
            ? undefined
            : `the policy ${roleName}: the same grants in other words; the first \`up\` writes the program's text (preview shows it as an update)`;
    return { role: { name: roleName, grants }, change };
}

/** The entry of a job the program may take, or why it cannot. */
async function entryOf(
    facts: ClusterFacts,
    settings: Settings,
    job: ClusterJob,
): Promise<{ entry?: WorkloadEntry; problem?: string; change?: string }> {
    const problem =
        sourceProblem(job) ?? (job.namespace === "default" ? undefined : namespaceProblem(facts.namespaces![job.namespace], job.namespace));
    if (problem) {
        return { problem };
    }
    const roles = [...new Set(job.vaultTasks.map((t) => t.role || settings.roleName))];
    if (roles.length > 1) {
        return { problem: `its tasks log in with different roles [${roles.join(", ")}]; a workload has one role.` };
    }
    const own = roles[0] === settings.roleName ? {} : await jobRole(facts, settings, job, roles[0]);
    if (own.problem) {
        return own;
    }
    const flags = job.submission!.VariableFlags ?? {};
    const vars = Object.fromEntries(Object.entries(flags).filter(([name]) => !(PROGRAM_VARS as readonly string[]).includes(name)));
    const entry: WorkloadEntry = {
        source: job.submission!.Source,
        namespace: job.namespace,
        ...(Object.keys(vars).length > 0 ? { vars } : {}),
        ...(own.role ? { role: own.role } : {}),
    };
    return { entry, change: own.change };
}

/** The entry as the guardrail takes it. */
const specOf = (job: ClusterJob, entry: WorkloadEntry): WorkloadSpec => ({
    origin: nameOf(job),
    source: entry.source,
    namespace: entry.namespace,
    vars: entry.vars ?? {},
    secrets: {},
    role: entry.role,
    after: [],
});

/**
 * The guardrail on the jobs taken so far and one more: its problems for that one (with what the
 * program would submit as variables), or none. Each job is checked with those before it, so one in
 * conflict with another (its ID in two namespaces, a role of the same name) stays out, not both.
 */
async function guardrailProblems(
    taken: WorkloadSpec[],
    candidate: WorkloadSpec,
    flags: Record<string, string>,
    context: WorkloadContext,
): Promise<string[]> {
    try {
        const steps = await checkWorkloads([...taken, candidate], context);
        const checked = steps.flatMap((s) => ("workload" in s && s.workload.origin === candidate.origin ? [s.workload] : []))[0];
        const same = JSON.stringify(Object.entries(checked.hcl2Vars).sort()) === JSON.stringify(Object.entries(flags).sort());
        return same
            ? []
            : [
                  `the program would submit it with the variables ${JSON.stringify(checked.hcl2Vars)}, Nomad holds ${JSON.stringify(flags)}: resubmit it with -var for each variable the program sets (namespace, kv_mount, vault_role), then adopt again.`,
              ];
    } catch (err) {
        // The guardrail throws ConfigError only; anything else is a fault of the program, and fails adopt.
        return (err as ConfigError).problems
            .filter((p) => p.startsWith(`${candidate.origin}: `))
            .map((p) => p.slice(candidate.origin.length + 2));
    }
}

/** Every job that uses Vault, taken as a workload or left out with the reason. */
export async function adoptJobs(facts: ClusterFacts, settings: Settings): Promise<AdoptedJobs> {
    const context: WorkloadContext = {
        kvMount: settings.kvMount,
        defaultRole: settings.roleName,
        defaultPolicyName: settings.policyName,
        defaultPolicy: renderWorkloadsPolicy("auth_jwt_any", settings.kvMount),
        engines: [],
    };
    const taken: Array<{ job: ClusterJob; entry: WorkloadEntry; spec: WorkloadSpec }> = [];
    const leftOut: LeftOut[] = [];
    const changes: string[] = [];
    for (const job of facts.jobs!) {
        const { entry, problem, change } = await entryOf(facts, settings, job);
        const spec = entry && specOf(job, entry);
        const problems = problem
            ? [problem]
            : await guardrailProblems(
                  taken.map((t) => t.spec),
                  spec!,
                  job.submission!.VariableFlags ?? {},
                  context,
              );
        if (problems.length > 0) {
            leftOut.push({ job: nameOf(job), reason: problems.join(" ") });
            continue;
        }
        taken.push({ job, entry: entry!, spec: spec! });
        changes.push(...(change ? [change] : []));
    }
    const namespaces = Object.fromEntries(
        [...new Set(taken.map((t) => t.job.namespace))]
            .filter((name) => name !== "default")
            .map((name) => [name, { description: facts.namespaces?.[name]?.Description ?? "" }]),
    );
    return {
        entries: taken.map((t) => t.entry),
        taken: taken.map((t) => nameOf(t.job)),
        namespaces,
        leftOut,
        changes,
        secretsRead: taken.flatMap((t) => t.job.secretPaths.map((path) => ({ job: nameOf(t.job), path }))),
    };
}
