// verify of a stack over several Nomad clusters (vaultnomad:nomadClusters): each cluster's target is
// the stack's own, with that cluster's Nomad, its TLS and token, and the mount and policy the stack
// gives it; the checks across clusters know which mount each cluster must use.
import { clusterTrustNames } from "../components/clusterNames";
import { vaultRoleFields } from "../components/workloadRole";
import { loadSettings } from "../settings";
import { ClusterUnderCheck } from "../verify/clusterKeys";
import { Target } from "../verify/types";
import { DriverStack } from "./stacks";

/** The stack's clusters to check, from its config; undefined for a stack of one Nomad. */
export async function clusterTargets(stack: DriverStack, base: Target): Promise<ClusterUnderCheck[] | undefined> {
    const config = await stack.getAllConfig();
    const settings = loadSettings(Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value])), stack.name);
    if (settings.nomadClusters.length === 0) {
        return undefined;
    }
    return settings.nomadClusters.map(({ name, nomad }) => {
        const { mount, policyName } = clusterTrustNames(settings, name);
        return {
            name,
            declaredMount: mount,
            target: {
                ...base,
                nomadAddress: nomad.address,
                // A cluster configured without a token is read with NOMAD_TOKEN, as a stack of one Nomad is.
                nomadToken: nomad.token || base.nomadToken,
                nomadRegion: nomad.region,
                nomadCaPem: nomad.caPem,
                nomadClientCertPem: nomad.clientCertPem,
                nomadClientKeyPem: nomad.clientKeyPem,
                nomadSkipVerify: nomad.skipTlsVerify,
                jwtPath: mount,
                policyName,
                declaredRole: vaultRoleFields(settings, policyName),
            },
        };
    });
}
