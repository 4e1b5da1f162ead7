// Every workload the same way: its KV secrets, its role and policy when it has one, its job, in an
// order where each job waits for what it reads and for the jobs it names in `after`, and no more.
import * as pulumi from "@pulumi/pulumi";
import * as nomadSdk from "../nomad";
import {
    GeneratedPassword,
    JobVaultRole,
    KvEntry,
    KvSecrets,
    NomadJob,
    NomadWorkloadIdentity,
    renderWorkloadsPolicy,
    WorkloadRoleSettings,
} from "../components";
import { ConfigError, Settings } from "../settings";
import { NamespaceSpec } from "../settings/namespaces";
import { SecretText, WorkloadSpec } from "../settings/workloads";
import { CheckedWorkload, checkWorkloads, Step, WorkloadContext } from "../settings/workloadsCheck";

/** A workload as the program declares it: values from the configuration, or generated. */
export interface ProgramWorkload extends WorkloadSpec<pulumi.Input<string> | GeneratedPassword> {
    /** The Pulumi name of the role's component, when it must not follow the role's name. */
    readonly roleResourceName?: string;
}

/** A configured workload, its secret values as Pulumi secrets from here on. */
export function fromConfig(spec: WorkloadSpec<SecretText>): ProgramWorkload {
    const secrets = Object.fromEntries(
        Object.entries(spec.secrets).map(([name, data]) => [
            name,
            Object.fromEntries(Object.entries(data).map(([key, value]) => [key, pulumi.secret(value.reveal())])),
        ]),
    );
    return { ...spec, secrets };
}

/** A workload secret's key in KvSecrets (its resource is `<kv>-<key>`). */
export const kvEntryKey = (jobId: string, secretName: string) => `${jobId}-${secretName}`;

/** The KV v2 entries of every workload, at `<namespace>/<job ID>/<name>`. */
export function kvEntries(steps: Step<ProgramWorkload>[]): KvEntry[] {
    return workloadsOf(steps).flatMap((w) =>
        Object.entries(w.secrets).map(([name, data]) => ({
            key: kvEntryKey(w.jobId, name),
            name: `${w.namespace}/${w.jobId}/${name}`,
            data,
        })),
    );
}

export const workloadsOf = (steps: Step<ProgramWorkload>[]) =>
    steps.flatMap((s) => ("workload" in s ? [s.workload] : [])) as CheckedWorkload<ProgramWorkload>[];

/**
 * The built-in workloads (the demo's tutorial jobs; none in external mode) and the stack's own,
 * checked against their jobspecs before anything is created, in creation order.
 */
export async function checkedWorkloads(
    settings: Settings,
    builtIn: ProgramWorkload[] = [],
    engines: WorkloadContext["engines"] = [],
): Promise<Step<ProgramWorkload>[]> {
    const steps = await checkWorkloads([...builtIn, ...settings.workloads.map(fromConfig)], {
        kvMount: settings.kvMount,
        defaultRole: settings.roleName,
        defaultPolicyName: settings.policyName,
        // Any accessor: the checks read only the paths the policy grants each job.
        defaultPolicy: renderWorkloadsPolicy("auth_jwt_any", settings.kvMount),
        engines,
    });
    checkKvEntryKeys(workloadsOf(steps));
    return steps;
}

/** Two secrets whose resources would share a name (job "a-b" secret "c", job "a" secret "b-c"). */
function checkKvEntryKeys(workloads: CheckedWorkload<ProgramWorkload>[]): void {
    const owners = new Map<string, string>();
    const problems: string[] = [];
    for (const w of workloads) {
        for (const name of Object.keys(w.secrets)) {
            const key = kvEntryKey(w.jobId, name);
            const other = owners.get(key);
            if (other) {
                problems.push(
                    `${w.origin}: secrets.${name}: its resource name kv-${key} is already taken by a secret of ${other}; rename the secret.`,
                );
            }
            owners.set(key, w.origin);
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
}

export interface WorkloadDeps {
    readonly identity: NomadWorkloadIdentity;
    /** The workloads' KV secrets; undefined where no workload has any. */
    readonly kv?: KvSecrets;
    readonly roleSettings: WorkloadRoleSettings;
    readonly vaultProvider: pulumi.ProviderResource;
    readonly nomadProvider: pulumi.ProviderResource;
    /** The Nomad namespaces the program creates, by name. */
    readonly namespaces: ReadonlyMap<string, pulumi.Resource>;
    readonly jobTimeoutSeconds: number;
    /** Creates the engine mounted at each path, given the jobs created so far. */
    readonly engines: Record<string, (jobs: ReadonlyMap<string, NomadJob>) => pulumi.Resource>;
    /** What a job's login needs in Vault, when not its own JobVaultRole or the default role (several clusters). */
    readonly roleFor?: (w: CheckedWorkload<ProgramWorkload>) => pulumi.Resource;
    /** A job's Pulumi name, when not its ID (the same job in several clusters). */
    readonly jobName?: (jobId: string) => string;
}

/** Creates every step in order; returns the jobs by ID. */
export function deployWorkloads(steps: Step<ProgramWorkload>[], deps: WorkloadDeps): ReadonlyMap<string, NomadJob> {
    const jobs = new Map<string, NomadJob>();
    const engines = new Map<string, pulumi.Resource>();
    for (const step of steps) {
        if ("engine" in step) {
            engines.set(step.engine, deps.engines[step.engine](jobs));
            continue;
        }
        const w = step.workload;
        const role = deps.roleFor?.(w) ?? ownRole(w, deps);
        const secrets = Object.keys(w.secrets).map((name) => deps.kv!.secrets.get(kvEntryKey(w.jobId, name))!);
        const namespace = deps.namespaces.get(w.namespace);
        jobs.set(
            w.jobId,
            new NomadJob(
                deps.jobName?.(w.jobId) ?? w.jobId,
                { jobspec: w.jobspecText, vars: w.hcl2Vars, timeoutSeconds: deps.jobTimeoutSeconds },
                {
                    provider: deps.nomadProvider,
                    dependsOn: [
                        role,
                        ...secrets,
                        ...w.after.map((job) => jobs.get(job)!),
                        ...w.engineMounts.map((mount) => engines.get(mount)!),
                        ...(namespace ? [namespace] : []),
                    ],
                },
            ),
        );
    }
    return jobs;
}

/** The job's own JWT role and policy when it has a role, else the default role. */
function ownRole(w: CheckedWorkload<ProgramWorkload>, deps: WorkloadDeps): pulumi.Resource {
    return w.role
        ? new JobVaultRole(
              w.roleResourceName ?? w.role.name,
              {
                  backend: deps.identity.path,
                  roleName: w.role.name,
                  namespace: w.namespace,
                  jobId: w.jobId,
                  grants: w.role.grants,
                  ...deps.roleSettings,
              },
              { provider: deps.vaultProvider },
          )
        : deps.identity;
}

/** The Pulumi name of a Nomad namespace: the stack's job namespace keeps the name it had before workloads could choose theirs. */
export const namespaceResourceName = (name: string, stackNamespace: string) =>
    name === stackNamespace ? "jobs-namespace" : `jobs-namespace-${name}`;

/** A Nomad namespace for each non-default namespace a workload runs in, described as `vaultnomad:namespaces` says. */
export function jobNamespaces(
    steps: Step<ProgramWorkload>[],
    stackNamespace: string,
    described: Record<string, NamespaceSpec>,
    provider: pulumi.ProviderResource,
    /** The Pulumi name of each namespace's resource, when several clusters each have theirs. */
    nameOf = (resourceName: string) => resourceName,
): Map<string, pulumi.Resource> {
    const names = [...new Set(workloadsOf(steps).map((w) => w.namespace))].filter((n) => n !== "default");
    const description = (name: string) =>
        described[name]?.description ?? (name === stackNamespace ? "The tutorial's sample jobs" : "Workloads of this stack");
    return new Map(
        names.map((name) => [
            name,
            new nomadSdk.Namespace(
                nameOf(namespaceResourceName(name, stackNamespace)),
                { name, description: description(name) },
                { provider },
            ),
        ]),
    );
}
