import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import * as nomad from "../nomad";
import { NomadEndpoint, VaultEndpoint } from "../settings";

export interface ExternalClustersArgs {
    readonly vault: VaultEndpoint;
    /** Unset with several Nomad clusters: each has its own provider (nomadProviderArgs). */
    readonly nomad?: NomadEndpoint;
}

/** The Nomad provider's arguments for an endpoint: its address, region, token and TLS. */
export function nomadProviderArgs(n: NomadEndpoint): nomad.ProviderArgs {
    return {
        address: n.address,
        region: n.region,
        secretId: n.token,
        caPem: n.caPem,
        certPem: n.clientCertPem,
        keyPem: n.clientKeyPem,
        skipVerify: n.skipTlsVerify || undefined,
    };
}

/**
 * Steps 1 and 2 for clusters you already run: providers for your Vault and Nomad, with their TLS,
 * namespace and region. No containers and no ACL bootstrap: your Nomad's ACLs are yours.
 */
export class ExternalClusters extends pulumi.ComponentResource {
    public readonly vaultProvider: vault.Provider;
    /** Defined only when a Nomad token was given (the Nomad secrets engine needs it). */
    public readonly nomadProvider?: nomad.Provider;

    constructor(name: string, args: ExternalClustersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:ExternalClusters", name, {}, opts);
        const { vault: v, nomad: n } = args;

        this.vaultProvider = new vault.Provider(
            `${name}-vault`,
            {
                address: v.address,
                token: pulumi.secret(v.token),
                namespace: v.namespace,
                caCertFile: v.caCertFile,
                clientAuth: v.clientCertFile ? { certFile: v.clientCertFile, keyFile: v.clientKeyFile! } : undefined,
                skipTlsVerify: v.skipTlsVerify || undefined,
                // The provider's child token lasts 20 minutes by default; long applies outlive it.
                maxLeaseTtlSeconds: 3600,
            },
            { parent: this },
        );
        if (n?.token) {
            this.nomadProvider = new nomad.Provider(`${name}-nomad`, nomadProviderArgs(n), { parent: this });
        }
        this.registerOutputs({});
    }
}
