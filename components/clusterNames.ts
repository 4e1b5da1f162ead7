// The names each Nomad cluster's trust gets in Vault, in the mount-per-cluster layout. No SDK here:
// verify reads a stack's clusters by them too.

/** The JWT mount of a cluster: the stack's mount path and the cluster's name, such as jwt-nomad-east. */
export const clusterMount = (jwtAuthPath: string, cluster: string) => `${jwtAuthPath}-${cluster}`;

/** A policy of one cluster (Vault's policies are global, its roles per mount), such as nomad-workloads-east. */
export const clusterPolicyName = (policyName: string, cluster: string) => `${policyName}-${cluster}`;

/** Where a cluster's agents log tasks in, and that mount's default policy: its own, or the one mount of jwks_pairs. */
export function clusterTrustNames(
    settings: { readonly jwtAuthPath: string; readonly policyName: string; readonly nomadClustersLayout: string },
    cluster: string,
): { mount: string; policyName: string } {
    return settings.nomadClustersLayout === "jwks-pairs"
        ? { mount: settings.jwtAuthPath, policyName: settings.policyName }
        : { mount: clusterMount(settings.jwtAuthPath, cluster), policyName: clusterPolicyName(settings.policyName, cluster) };
}
