import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { readProjectFile, renderTemplate } from "./assets";
import { fixedContainerOptions, sharedImage, waitUntilHealthy } from "./containers";

/** The values of the agent configuration template, components/assets/nomad-agent.hcl. */
export interface AgentConfig {
    readonly httpPort: number;
    readonly rpcPort: number;
    readonly serfPort: number;
    /** Vault's address as the agent reaches it. */
    readonly vaultAddress: string;
    /** Vault path of the JWT auth method that accepts this agent's identities. */
    readonly jwtAuthPath: string;
    /** Audience of the default workload identity. */
    readonly audience: string;
    /** TTL of the default workload identity, such as "1h". */
    readonly identityTtl: string;
    /** Host folder for the agent's data; mounted at the same path in the container. */
    readonly dataDir: string;
}

export interface NomadDevAgentArgs extends AgentConfig {
    /** Nomad image, 1.10 or later. */
    readonly image: string;
    /** Container name, unique on the host. */
    readonly containerName: string;
    /** How long to wait for the agent to serve its JWKS. */
    readonly readyTimeoutSeconds: number;
}

const CONFIG_FILE = "/etc/nomad.d/agent.hcl";

export function renderAgentConfig(args: AgentConfig): string {
    return renderTemplate(readProjectFile("components/assets/nomad-agent.hcl"), {
        DATA_DIR: args.dataDir,
        HTTP_PORT: args.httpPort,
        RPC_PORT: args.rpcPort,
        SERF_PORT: args.serfPort,
        VAULT_ADDRESS: args.vaultAddress,
        JWT_AUTH_PATH: args.jwtAuthPath,
        AUDIENCE: args.audience,
        IDENTITY_TTL: args.identityTtl,
    });
}

/**
 * The tutorial's `nomad agent -dev -config nomad.hcl`, with ACLs on and Vault's workload identity
 * settings, in a container that runs tasks on the host's Docker engine.
 */
export class NomadDevAgent extends pulumi.ComponentResource {
    /** Nomad's HTTP address; resolves once the agent serves its JWKS. */
    public readonly address: pulumi.Output<string>;
    /**
     * The JWKS URL as Vault's container reaches it. Both containers share the host's network, so
     * 127.0.0.1 is the same host for both; from a bridged container it would be that container.
     */
    public readonly jwksUrl: pulumi.Output<string>;
    public readonly containerId: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: NomadDevAgentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:NomadDevAgent", name, {}, opts);

        const localAddress = `http://127.0.0.1:${args.httpPort}`;
        const jwksPath = "/.well-known/jwks.json";
        const image = sharedImage(`${name}-image`, args.image, this);
        const container = new docker.Container(
            `${name}-container`,
            {
                name: args.containerName,
                image: image.imageId,
                command: ["agent", "-dev", `-config=${CONFIG_FILE}`],
                // The image's entrypoint otherwise pauses to warn that clients in containers are unsupported.
                envs: ["NOMAD_SKIP_DOCKER_IMAGE_WARN=1"],
                uploads: [{ file: CONFIG_FILE, content: renderAgentConfig(args) }],
                // What the docker driver needs from inside a container: the host's Docker engine and
                // network, its cgroups, and task folders at the paths the engine will bind-mount.
                networkMode: "host",
                privileged: true,
                cgroupnsMode: "host",
                volumes: [
                    { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" },
                    { hostPath: args.dataDir, containerPath: args.dataDir },
                ],
                // Healthy once the JWKS is served: the server has a leader and a signing key, which is
                // exactly what Vault checks when the JWT auth method is configured.
                ...waitUntilHealthy(["CMD-SHELL", `wget -qO- ${localAddress}${jwksPath} | grep -q '"kid"'`], args.readyTimeoutSeconds),
            },
            fixedContainerOptions(this),
        );

        // Derived from the container so that whatever uses them waits for a healthy agent.
        this.address = container.id.apply(() => localAddress);
        this.jwksUrl = container.id.apply(() => `${localAddress}${jwksPath}`);
        this.containerId = container.id;
        this.containerName = container.name;
        this.registerOutputs({ address: this.address, jwksUrl: this.jwksUrl, containerName: this.containerName });
    }
}
