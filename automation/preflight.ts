// Checks that run before an operation starts, each failing with what is wrong and how to fix it.
import { execFile } from "child_process";
import * as http from "http";
import * as net from "net";
import { promisify } from "util";

export class PreflightError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PreflightError";
    }
}

export const MIN_NODE_MAJOR = 20;
/** The Automation API of @pulumi/pulumi 3.248 needs at least this CLI. */
export const MIN_PULUMI_VERSION = "3.120.0";

/** How the checks look at the machine; tests pass fakes or point these at 127.0.0.1. */
export interface Probes {
    readonly nodeVersion: string;
    /** The CLI's version, or undefined when there is no `pulumi` on the PATH. */
    pulumiVersion(): Promise<string | undefined>;
    /** Resolves when the Docker engine answers its ping. */
    dockerPing(): Promise<void>;
    /** True when something listens on 127.0.0.1:port. */
    portInUse(port: number): Promise<boolean>;
    /** The process that listens on the port, when the system tells. */
    portOwner(port: number): Promise<string | undefined>;
}

export function checkNode(probes: Probes): void {
    const major = Number(probes.nodeVersion.replace(/^v/, "").split(".")[0]);
    if (major < MIN_NODE_MAJOR) {
        throw new PreflightError(`Node.js ${probes.nodeVersion} is too old: this project needs Node.js ${MIN_NODE_MAJOR} or later.`);
    }
}

export async function checkPulumi(probes: Probes): Promise<void> {
    const version = await probes.pulumiVersion();
    if (version === undefined) {
        throw new PreflightError("The Pulumi CLI is not on the PATH. Install it (https://www.pulumi.com/docs/install/) and try again.");
    }
    if (compareVersions(version, MIN_PULUMI_VERSION) < 0) {
        throw new PreflightError(
            `Pulumi CLI ${version} is too old: this driver needs ${MIN_PULUMI_VERSION} or later (pulumi self-update).`,
        );
    }
}

export async function checkDocker(probes: Probes, dockerHost = dockerHostFromEnv()): Promise<void> {
    try {
        await probes.dockerPing();
    } catch (err) {
        throw new PreflightError(
            `The Docker engine at ${dockerHost} does not answer (${(err as Error).message}). ` +
                "Start Docker, or set DOCKER_HOST to its socket, and check that your user may use it.",
        );
    }
}

/** `ports` by config key, such as { vaultPort: 8200 }; Vault's cluster port is vaultPort + 1. */
export async function checkPortsFree(probes: Probes, ports: Record<string, number>): Promise<void> {
    const wanted = Object.entries(ports).flatMap(([key, port]) =>
        key === "vaultPort" ? [[key, port] as const, [`${key} + 1 (Vault's cluster port)`, port + 1] as const] : [[key, port] as const],
    );
    const busy: string[] = [];
    for (const [key, port] of wanted) {
        if (await probes.portInUse(port)) {
            const owner = await probes.portOwner(port);
            busy.push(`port ${port} (${key}) is in use on 127.0.0.1${owner ? ` by ${owner}` : ""}`);
        }
    }
    if (busy.length > 0) {
        throw new PreflightError(`${busy.join("; ")}. Stop what holds it, or choose other ports with \`pulumi config set\`.`);
    }
}

function compareVersions(a: string, b: string): number {
    const parse = (v: string) => v.replace(/^v/, "").split(/[.-]/).slice(0, 3).map(Number);
    const [x, y] = [parse(a), parse(b)];
    for (let i = 0; i < 3; i++) {
        if ((x[i] ?? 0) !== (y[i] ?? 0)) {
            return (x[i] ?? 0) - (y[i] ?? 0);
        }
    }
    return 0;
}

function dockerHostFromEnv(env: NodeJS.ProcessEnv = process.env): string {
    return env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** The probes for this machine. */
export function machineProbes(env: NodeJS.ProcessEnv = process.env): Probes {
    const run = promisify(execFile);
    return {
        nodeVersion: process.version,
        async pulumiVersion() {
            try {
                const { stdout } = await run("pulumi", ["version"], { env, timeout: 30_000 });
                return stdout.trim();
            } catch (err) {
                if ((err as NodeJS.ErrnoException).code === "ENOENT") {
                    return undefined;
                }
                throw err;
            }
        },
        dockerPing: () => pingDocker(dockerHostFromEnv(env)),
        portInUse: (port) =>
            new Promise((resolve) => {
                const server = net.createServer();
                server.once("error", () => resolve(true));
                server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
            }),
        async portOwner(port) {
            try {
                const { stdout } = await run("ss", ["-H", "-ltnp", `sport = :${port}`], { timeout: 5_000 });
                const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
                return match ? `${match[1]} (pid ${match[2]})` : undefined;
            } catch {
                return undefined;
            }
        },
    };
}

function pingDocker(dockerHost: string): Promise<void> {
    const target = dockerHost.startsWith("unix://")
        ? { socketPath: dockerHost.slice("unix://".length) }
        : {
              host: new URL(dockerHost.replace(/^tcp:/, "http:")).hostname,
              port: Number(new URL(dockerHost.replace(/^tcp:/, "http:")).port),
          };
    return new Promise((resolve, reject) => {
        const req = http.get({ ...target, path: "/_ping", timeout: 5_000 }, (res) => {
            res.resume();
            if (res.statusCode === 200) {
                resolve();
            } else {
                reject(new Error(`HTTP ${res.statusCode}`));
            }
        });
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
    });
}
