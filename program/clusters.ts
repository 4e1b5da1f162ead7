// External mode over several Nomad clusters (`vaultnomad:nomadClusters`) and one Vault. Each cluster
// signs workload identities with its own keys, so Vault trusts each: a JWT mount per cluster (each
// with its default role and a templated policy of its own accessor), or one mount with jwks_pairs.
// Each workload's job is registered in the clusters it names, with its role on the mount they log in at.
import * as pulumi from "@pulumi/pulumi";
import * as nomad from "../nomad";
import { agentVaultConfig, ExternalClusters, IdentityKeys, JobVaultRole, nomadProviderArgs, NomadWorkloadIdentity } from "../components";
import { clusterPolicyName, clusterTrustNames } from "../components/clusterNames";
import { ConfigError, NomadClusterSpec, Settings } from "../settings";
import { roleSettingsOf, workloadIdentityArgs } from "./identity";
import { ClusterOutputs, StackOutputs } from "./outputs";
import { workloadsKv } from "./external";
import { CheckedWorkload } from "../settings/workloadsCheck";
import { checkedWorkloads, deployWorkloads, jobNamespaces, ProgramWorkload, workloadsOf } from "./workloads";

/** What Vault trusts for one cluster: the mount its agents log tasks in at, and its default policy. */
interface ClusterTrust {
    readonly identity: NomadWorkloadIdentity;
    readonly mount: string;
    readonly policyName: string;
}

export async function configureNomadClusters(settings: Settings): Promise<StackOutputs> {
    const vaultEndpoint = settings.vault!;
    const steps = await checkedWorkloads(settings);
    checkAfterInSameClusters(workloadsOf(steps));

    // 1. Your Vault; each Nomad has its own provider, below.
    const { vaultProvider } = new ExternalClusters("clusters", { vault: vaultEndpoint });

    // 3. Vault accepts each cluster's workload identities.
    const trust = trustEachCluster(settings, vaultProvider);

    // 4. The workloads' KV secrets, shared by the clusters (one Vault, one path per namespace and job).
    const kv = workloadsKv(settings, steps, vaultProvider);
    // 6. Each cluster's jobs, with the roles of the mount its agents use.
    const roleFor = jobRoles(settings, trust, vaultProvider);
    for (const cluster of settings.nomadClusters) {
        const inCluster = steps.filter((s) => "workload" in s && s.workload.clusters!.includes(cluster.name));
        if (inCluster.length === 0) {
            continue;
        }
        const provider = new nomad.Provider(`clusters-nomad-${cluster.name}`, nomadProviderArgs(cluster.nomad));
        const suffix = (name: string) => `${name}-${cluster.name}`;
        deployWorkloads(inCluster, {
            identity: trust.get(cluster.name)!.identity,
            kv,
            roleSettings: roleSettingsOf(settings),
            vaultProvider,
            nomadProvider: provider,
            namespaces: jobNamespaces(inCluster, settings.jobNamespace, settings.namespaces, provider, suffix),
            jobTimeoutSeconds: settings.jobTimeoutSeconds,
            engines: {},
            roleFor: (w) => roleFor(w, cluster.name),
            jobName: suffix,
        });
    }

    const outputs = clusterOutputs(settings, trust);
    const [first] = settings.nomadClusters;
    return {
        vaultAddress: vaultEndpoint.address,
        nomadAddress: first.nomad.address,
        jwtAuthAccessor: trust.get(first.name)!.identity.accessor,
        envExports: pulumi.output(`export VAULT_ADDR=${vaultEndpoint.address} NOMAD_ADDR=${first.nomad.address}`),
        nomadServerVaultConfig: outputs[first.name].nomadServerVaultConfig,
        nomadClientVaultConfig: outputs[first.name].nomadClientVaultConfig,
        nomadClusters: outputs,
    };
}

/** How Vault validates a cluster's identities: its static keys, or its JWKS fetched with its CA. */
function keysOf(cluster: NomadClusterSpec): IdentityKeys {
    return cluster.jwtValidationPubkeys.length
        ? { jwtValidationPubkeys: cluster.jwtValidationPubkeys }
        : { jwksUrl: cluster.jwksUrl!, jwksCaPem: cluster.nomad.caPem };
}

/** Each cluster's mount, role and templated policy; in the jwks-pairs layout one of each, for all. */
export function trustEachCluster(settings: Settings, provider: pulumi.ProviderResource): ReadonlyMap<string, ClusterTrust> {
    const base = workloadIdentityArgs(settings, { jwksUrl: "" });
    if (settings.nomadClustersLayout === "jwks-pairs") {
        const pairs = settings.nomadClusters.map((c) => ({ jwksUrl: c.jwksUrl!, jwksCaPem: c.nomad.caPem }));
        const identity = new NomadWorkloadIdentity("workload-identity", { ...base, keys: { jwksPairs: pairs } }, { provider });
        return new Map(settings.nomadClusters.map((c) => [c.name, { identity, ...clusterTrustNames(settings, c.name) }]));
    }
    return new Map(
        settings.nomadClusters.map((cluster) => {
            const { mount, policyName } = clusterTrustNames(settings, cluster.name);
            const args = {
                ...base,
                keys: keysOf(cluster),
                path: mount,
                policyName,
                description: settings.jwtAuthDescription ?? `Workload identities of Nomad cluster ${cluster.name}`,
            };
            const identity = new NomadWorkloadIdentity(`workload-identity-${cluster.name}`, args, { provider });
            return [cluster.name, { identity, mount, policyName }];
        }),
    );
}

/**
 * A job's role in a cluster: on its cluster's mount, a role of the job's name with a policy per
 * cluster; on one shared mount, one role. Without a role of its own, the mount's default role.
 */
function jobRoles(settings: Settings, trust: ReadonlyMap<string, ClusterTrust>, provider: pulumi.ProviderResource) {
    const made = new Map<string, pulumi.Resource>();
    const shared = settings.nomadClustersLayout === "jwks-pairs";
    return (w: CheckedWorkload<ProgramWorkload>, cluster: string): pulumi.Resource => {
        const { identity } = trust.get(cluster)!;
        if (!w.role) {
            return identity;
        }
        const key = shared ? w.role.name : clusterPolicyName(w.role.name, cluster);
        if (!made.has(key)) {
            const args = {
                backend: identity.path,
                roleName: w.role.name,
                policyName: key,
                namespace: w.namespace,
                jobId: w.jobId,
                grants: w.role.grants,
                ...roleSettingsOf(settings),
            };
            made.set(key, new JobVaultRole(key, args, { provider }));
        }
        return made.get(key)!;
    };
}

/** A job waits only for jobs of the clusters it runs in: each cluster registers its own. */
function checkAfterInSameClusters(workloads: CheckedWorkload<ProgramWorkload>[]): void {
    const clustersOf = new Map(workloads.map((w) => [w.jobId, w.clusters!]));
    const problems = workloads.flatMap((w) =>
        w.after.flatMap((job) =>
            w
                .clusters!.filter((c) => !clustersOf.get(job)?.includes(c))
                .map(
                    (c) =>
                        `${w.origin}: after: ${job} does not run in cluster ${c}, where this job waits for it. Add ${c} to its clusters, or remove it from after.`,
                ),
        ),
    );
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
}

/** Per cluster: where it is, the mount its agents must name, and the vault blocks to paste. */
function clusterOutputs(settings: Settings, trust: ReadonlyMap<string, ClusterTrust>): Record<string, ClusterOutputs> {
    return Object.fromEntries(
        settings.nomadClusters.map((cluster) => {
            const { identity, mount, policyName } = trust.get(cluster.name)!;
            const config = agentVaultConfig({ ...settings, vaultAddress: settings.vault!.address, jwtAuthPath: mount });
            const outputs: ClusterOutputs = {
                nomadAddress: cluster.nomad.address,
                jwtAuthPath: mount,
                jwtAuthAccessor: identity.accessor,
                policyName,
                nomadServerVaultConfig: config.server,
                nomadClientVaultConfig: config.client,
            };
            return [cluster.name, outputs];
        }),
    );
}
