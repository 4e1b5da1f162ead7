import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { readProjectFile } from "./assets";
import { fixedContainerOptions, sharedImage, waitUntilHealthy } from "./containers";

export interface VaultDevServerArgs {
    /** Vault image, pinned. */
    readonly image: string;
    /** API port on 127.0.0.1; Vault also takes the next port for its cluster listener. */
    readonly port: number;
    /** Container name, unique on the host. */
    readonly containerName: string;
    /** How long to wait for Vault to answer after the container starts. */
    readonly readyTimeoutSeconds: number;
}

const TOKEN_FILE = "/vault/root-token";
const ENTRYPOINT_FILE = "/vault/start-dev.sh";

/**
 * Step 1 of the tutorial: `vault server -dev`, in a container on the host's network, listening
 * on 127.0.0.1 only. The root token is generated here and kept as a Pulumi secret.
 */
export class VaultDevServer extends pulumi.ComponentResource {
    /** Vault's address as the host, Nomad and Vault itself reach it; resolves once Vault answers. */
    public readonly address: pulumi.Output<string>;
    /** The same address, known before Vault starts: for clients that connect later, like the Nomad agent. */
    public readonly listenAddress: string;
    public readonly rootToken: pulumi.Output<string>;
    /** A Vault provider for this server. */
    public readonly provider: vault.Provider;

    constructor(name: string, args: VaultDevServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:VaultDevServer", name, {}, opts);

        const rootToken = new random.RandomPassword(`${name}-root-token`, { length: 32, special: false }, { parent: this });
        // Already a secret: the random provider marks `result` so.
        this.rootToken = rootToken.result;
        const image = sharedImage(`${name}-image`, args.image, this);
        this.listenAddress = `http://127.0.0.1:${args.port}`;
        const container = new docker.Container(
            `${name}-container`,
            {
                name: args.containerName,
                image: image.imageId,
                // Host networking: Vault reaches Nomad's JWKS and MongoDB at 127.0.0.1, as in the tutorial.
                networkMode: "host",
                // Vault 1.19.17+, 1.21.6+ and 2.0.1 to 2.1 images give the vault binary the cap_ipc_lock
                // file capability, and the kernel refuses to run it in a container without IPC_LOCK. 2.2
                // drops it; the dev server never locks memory, so on other images it changes nothing.
                capabilities: { adds: ["IPC_LOCK"] },
                // Vault 2 images start as `vault`, which cannot read the root token file; the entrypoint
                // reads it as root and starts Vault as `vault`.
                user: "root",
                entrypoints: ["/bin/sh", ENTRYPOINT_FILE],
                command: [String(args.port), TOKEN_FILE],
                uploads: [
                    { file: ENTRYPOINT_FILE, content: readProjectFile("components/assets/vault-dev-entrypoint.sh"), executable: true },
                    { file: TOKEN_FILE, content: this.rootToken, permissions: "0400" },
                ],
                ...waitUntilHealthy(["CMD", "vault", "status", `-address=${this.listenAddress}`], args.readyTimeoutSeconds),
            },
            fixedContainerOptions(this),
        );

        // Derived from the container so that whatever uses the address waits for a healthy Vault.
        this.address = container.id.apply(() => this.listenAddress);
        this.provider = new vault.Provider(
            `${name}-provider`,
            {
                address: this.address,
                token: this.rootToken,
                // The provider's child token lasts 20 minutes by default; an `up` that waits on
                // image pulls and deployments can outlive it.
                maxLeaseTtlSeconds: 3600,
            },
            { parent: this },
        );
        this.registerOutputs({ address: this.address, rootToken: this.rootToken });
    }
}
