// The workloads checked against their jobspecs, all together and before any resource exists: job
// IDs, roles, the order between jobs, and what each job's templates read against what it is granted.
import * as fs from "fs";
import * as path from "path";
import { renderGrants } from "../components/jobVaultRole";
import { JobTask, jobTasks, parseHcl, resolveJobspec } from "../policy/hcl";
import { JobspecTask, jobspecTasks } from "../policy/jobspecTasks";
import { accessorsIn, granted, judgeTask, ownKvMount, programIdentity, ReadVerdict, requestPath } from "../policy/readJudge";
import { readPolicies, TokenPolicies } from "../policy/vaultAcl";
import { ConfigError } from "./index";
import { Grant, jobspecLabel, PROGRAM_VARS, WorkloadSpec } from "./workloads";

const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface WorkloadContext {
    readonly kvMount: string;
    /** The default JWT role and its templated policy, which workloads without a role use. */
    readonly defaultRole: string;
    readonly defaultPolicyName: string;
    /** The templated policy's text, rendered with any accessor. */
    readonly defaultPolicy: string;
    /** Secrets engines the stack mounts besides KV, and the jobs each needs first (the database engine: mongo). */
    readonly engines: ReadonlyArray<{ readonly mount: string; readonly after: string[] }>;
}

/** What the jobspec tells about a workload. */
export interface JobspecFacts {
    readonly jobId: string;
    /** The jobspec's text, from its file or its source: what the checks read is what the program registers. */
    readonly jobspecText: string;
    /** The entry's variables and those the program sets, for the variables the jobspec declares. */
    readonly hcl2Vars: Record<string, string>;
    /** Mounts of `engines` its grants or templates read: it waits for those engines. */
    readonly engineMounts: string[];
}

export type CheckedWorkload<W> = W & JobspecFacts;

/** What to create, in an order that respects every `after` and engine dependency. */
export type Step<W> = { readonly workload: CheckedWorkload<W> } | { readonly engine: string };

/** Checks every workload; throws a ConfigError naming each entry and field at fault. */
export async function checkWorkloads<W extends WorkloadSpec>(workloads: W[], context: WorkloadContext): Promise<Step<W>[]> {
    const problems: string[] = [];
    const checked: CheckedWorkload<W>[] = [];
    for (const workload of workloads) {
        const result = await checkJobspec(workload, context, (field, message) => problems.push(`${workload.origin}: ${field}: ${message}`));
        if (result) {
            checked.push(result);
        }
    }
    checkUnique(checked, context, problems);
    const steps = problems.length === 0 ? order(checked, context, problems) : [];
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return steps;
}

type Fault = (field: string, message: string) => void;

async function checkJobspec<W extends WorkloadSpec>(w: W, context: WorkloadContext, fault: Fault): Promise<CheckedWorkload<W> | undefined> {
    checkGrants(w.role?.grants ?? [], fault);
    const jobspec = await readJobspec(w, context, fault);
    if (!jobspec) {
        return undefined;
    }
    const { tasks, specTasks, hcl2Vars, text } = jobspec;
    const jobIds = [...new Set(tasks.map((t) => t.job))];
    if (jobIds.length !== 1) {
        fault("jobspec", `${jobspecLabel(w)} must declare exactly one job with at least one task; it declares ${jobIds.length}.`);
        return undefined;
    }
    const jobId = jobIds[0];
    if (tasks[0].namespace !== w.namespace) {
        fault(
            "namespace",
            `job ${jobId} runs in namespace "${tasks[0].namespace}", not "${w.namespace}": set its namespace = var.namespace.`,
        );
    }
    for (const { task, body } of tasks) {
        ((body.vault ?? []) as Array<Record<string, any>>).forEach((block) => checkVaultBlock(block, task, w, context, fault));
    }
    const readPaths = checkReads(w, jobId, tasks, specTasks, context, fault);
    const reads = [...readPaths, ...(w.role?.grants ?? []).map((g) => g.path)];
    const engineMounts = context.engines.map((e) => e.mount).filter((mount) => reads.some((p) => p.startsWith(`${mount}/`)));
    return { ...w, jobId, jobspecText: text, hcl2Vars, engineMounts };
}

/** The jobspec's text: its source, or its file, which must be in the project. */
function jobspecText(w: WorkloadSpec, fault: Fault): string | undefined {
    if (w.source !== undefined) {
        return w.source;
    }
    const file = path.resolve(PROJECT_ROOT, w.jobspec!);
    if (path.isAbsolute(w.jobspec!) || !file.startsWith(PROJECT_ROOT + path.sep) || !fs.existsSync(file)) {
        fault("jobspec", `no file ${w.jobspec} in the project; give a path relative to the project, such as jobs/api.nomad.hcl.`);
        return undefined;
    }
    return fs.readFileSync(file, "utf8");
}

/** The jobspec's tasks as Nomad reads them, with the entry's variables and those the program sets. */
async function readJobspec(
    w: WorkloadSpec,
    context: WorkloadContext,
    fault: Fault,
): Promise<{ tasks: JobTask[]; specTasks: JobspecTask[]; hcl2Vars: Record<string, string>; text: string } | undefined> {
    const text = jobspecText(w, fault);
    if (text === undefined) {
        return undefined;
    }
    const program: Record<string, string | undefined> = { namespace: w.namespace, kv_mount: context.kvMount, vault_role: w.role?.name };
    try {
        const declared = Object.keys((await parseHcl(text)).variable ?? {});
        for (const name of Object.keys(w.vars).filter((v) => !declared.includes(v))) {
            fault(`vars.${name}`, `${jobspecLabel(w)} declares no variable "${name}" (Nomad refuses undeclared variables).`);
        }
        const hcl2Vars = { ...w.vars };
        for (const name of PROGRAM_VARS.filter((v) => declared.includes(v) && program[v] !== undefined)) {
            hcl2Vars[name] = program[name]!;
        }
        const parsed = await parseHcl(await resolveJobspec(text, hcl2Vars));
        return { tasks: jobTasks(parsed), specTasks: jobspecTasks(parsed), hcl2Vars, text };
    } catch (err) {
        fault("jobspec", `${jobspecLabel(w)} is not a valid HCL2 jobspec: ${(err as Error).message}`);
        return undefined;
    }
}

/**
 * Every request the job's templates and secret blocks make must be granted to its identity, as Vault decides it for
 * the token of its role (its grants, or the templated policy); returns the requested paths.
 */
function checkReads(
    w: WorkloadSpec,
    jobId: string,
    tasks: JobTask[],
    specTasks: JobspecTask[],
    context: WorkloadContext,
    fault: Fault,
): string[] {
    const policy = w.role
        ? { name: w.role.name, text: renderGrants(w.role.grants) }
        : { name: context.defaultPolicyName, text: context.defaultPolicy };
    let token: TokenPolicies;
    try {
        token = readPolicies([policy]);
    } catch (err) {
        fault("role.grants", (err as Error).message);
        return [];
    }
    const accessors = accessorsIn(context.defaultPolicy);
    const kvMountOf = ownKvMount(context.kvMount);
    const readPaths: string[] = [];
    // jobTasks and jobspecTasks walk the parsed jobspec in the same order.
    tasks.forEach(({ task, body }, i) => {
        const acl = token.acl(programIdentity(accessors, { namespace: w.namespace, id: jobId }, task));
        for (const verdict of judgeTask(acl, specTasks[i].task, kvMountOf)) {
            const { path: requested, capability } = verdict.request;
            readPaths.push(requested);
            const verb = capability === "read" ? "reads" : capability === "list" ? "lists" : "writes";
            const asks = `${verb} ${requestPath(verdict.request)}`;
            if (!body.vault?.length) {
                fault("jobspec", `task ${task} ${asks} but has no vault block, so it gets no Vault token.`);
            } else if (!granted(verdict)) {
                const by = w.role ? `role ${w.role.name}'s grants do` : `the templated policy of ${context.defaultRole} does`;
                fault(
                    "jobspec",
                    `task ${task} ${asks}, which ${by} not let job ${jobId} ${capability} (${verdict.explanation.reason}): ${readFix(w, verdict, jobId, context)}.`,
                );
            }
        }
    });
    return readPaths;
}

/** The grant that lets the request through; never more beside a deny, which wins over every grant on its path. */
function readFix(w: WorkloadSpec, verdict: ReadVerdict, jobId: string, context: WorkloadContext): string {
    const { path: requested, capability } = verdict.request;
    if (verdict.decision.rule?.deniedBy.length) {
        return `a deny wins over every grant on "${verdict.decision.rule.pattern}": take the deny out of the grants, or ${capability} elsewhere`;
    }
    if (!w.role) {
        return `read under ${context.kvMount}/data/${w.namespace}/${jobId}/, or declare a role that grants it`;
    }
    const had = w.role.grants.find((g) => g.path === requested)?.capabilities ?? [];
    return `add a grant { path: ${requested}, capabilities: [${[...new Set([...had, capability])].join(", ")}] }`;
}

function checkGrants(grants: Grant[], fault: Fault): void {
    grants.forEach((grant, i) => {
        if (/[*+]/.test(grant.path)) {
            fault(`role.grants[${i}].path`, `"${grant.path}" has a wildcard; grant the exact paths the job reads.`);
        }
        if (grant.capabilities.includes("sudo")) {
            fault(`role.grants[${i}].capabilities`, "sudo is for operators, not workloads; remove it.");
        }
    });
}

function checkVaultBlock(block: Record<string, any>, task: string, w: WorkloadSpec, context: WorkloadContext, fault: Fault): void {
    if (block.policies !== undefined) {
        fault("jobspec", `task ${task}'s vault block sets policies, which workload identity ignores: grant through role.grants instead.`);
    }
    // A workload without a role of its own may name the default role, as a job that names none logs in with it.
    const role: string | undefined = block.role === context.defaultRole && !w.role ? undefined : block.role;
    if (role !== undefined && role !== w.role?.name) {
        fault(
            "jobspec",
            `task ${task}'s vault block names role "${role}", which this workload does not declare: add role: { name: ${role}, grants: … }.`,
        );
    } else if (role === undefined && w.role) {
        fault(
            "jobspec",
            `task ${task}'s vault block names no role, so it would log in with the default role, not ${w.role.name}: set role = var.vault_role.`,
        );
    }
}

function checkUnique(checked: CheckedWorkload<WorkloadSpec>[], context: WorkloadContext, problems: string[]): void {
    // A role's policy takes the role's name: neither may be taken. (Where both names are equal, the role is named.)
    const reserved = new Map([
        [context.defaultPolicyName, "the templated policy"],
        [context.defaultRole, "the default role"],
    ]);
    checked.forEach((w, i) => {
        const first = checked.slice(0, i).find((other) => other.jobId === w.jobId);
        if (first && first.namespace === w.namespace) {
            problems.push(`${w.origin}: jobspec: job ID ${w.jobId} is already declared by ${first.origin}.`);
        } else if (first) {
            problems.push(
                `${w.origin}: jobspec: job ${w.jobId} also runs in namespace ${first.namespace} (${first.origin}); Vault keys identities by job ID alone (user_claim=/nomad_job_id), so the two would share one entity and read each other's policy metadata.`,
            );
        }
        if (w.role) {
            const owner = reserved.get(w.role.name) ?? checked.slice(0, i).find((other) => other.role?.name === w.role!.name)?.origin;
            if (owner) {
                problems.push(`${w.origin}: role.name: "${w.role.name}" is already the name of ${owner}; choose another.`);
            }
        }
    });
}

/** A topological order of workloads and engines; a problem for an unknown job in `after`, or a cycle. */
function order<W extends WorkloadSpec>(checked: CheckedWorkload<W>[], context: WorkloadContext, problems: string[]): Step<W>[] {
    const byJob = new Map(checked.map((w) => [w.jobId, w]));
    const needs = new Map<string, string[]>();
    for (const w of checked) {
        w.after.filter((job) => !byJob.has(job)).forEach((job) => problems.push(`${w.origin}: after: no workload runs job ${job}.`));
        needs.set(`job:${w.jobId}`, [...w.after.map((j) => `job:${j}`), ...w.engineMounts.map((m) => `engine:${m}`)]);
    }
    for (const engine of context.engines) {
        needs.set(
            `engine:${engine.mount}`,
            engine.after.filter((j) => byJob.has(j)).map((j) => `job:${j}`),
        );
    }
    const steps: Step<W>[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (node: string, trail: string[]): void => {
        if (state.get(node) === "done" || !needs.has(node)) {
            return;
        }
        if (state.get(node) === "visiting") {
            const members = [...trail.slice(trail.indexOf(node)), node];
            // Engines wait only for jobs, so a cycle has a job in it: the entry that names it.
            const origin = byJob.get(members.find((n) => n.startsWith("job:"))!.slice(4))!.origin;
            const names = members.map((n) => (n.startsWith("job:") ? n.slice(4) : `the ${n.slice(7)}/ engine`));
            problems.push(`${origin}: after: the jobs wait for each other in a cycle: ${names.join(" → ")}.`);
            return;
        }
        state.set(node, "visiting");
        needs.get(node)!.forEach((dep) => visit(dep, [...trail, node]));
        state.set(node, "done");
        steps.push(node.startsWith("job:") ? { workload: byJob.get(node.slice(4))! } : { engine: node.slice(7) });
    };
    [...needs.keys()].forEach((node) => visit(node, []));
    return steps;
}
