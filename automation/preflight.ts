// Checks that run before an operation starts, each failing with what is wrong and how to fix it.
import { execFile } from "child_process";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import { promisify } from "util";

export class PreflightError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PreflightError";
    }
}

/** @pulumi/pulumi 3.276 needs Node.js 22; jose 6 (ESM only) loads through require from 22.12. */
export const MIN_NODE_VERSION = "22.12.0";
/** The Automation API of @pulumi/pulumi 3.276 needs at least this CLI. */
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
    /** Resolves when something answers HTTP at the URL, whatever its status; rejects with why not. */
    httpAnswers(url: string): Promise<void>;
    /** A container of the local Docker engine, by name. */
    containerState(name: string): Promise<ContainerState>;
    /** True when a process with this pid runs on this host. */
    processAlive(pid: number): boolean;
    readonly hostname: string;
}

export type ContainerState = "running" | "stopped" | "missing";

/** Runs every check, then fails once, naming each that failed: a newcomer fixes them all in one go. */
export async function allChecks(checks: Array<() => void | Promise<void>>): Promise<void> {
    const problems: string[] = [];
    for (const check of checks) {
        try {
            await check();
        } catch (err) {
            if (!(err instanceof PreflightError)) {
                throw err;
            }
            problems.push(err.message);
        }
    }
    if (problems.length > 1) {
        throw new PreflightError(`${problems.length} things are missing:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    if (problems.length === 1) {
        throw new PreflightError(problems[0]);
    }
}

export function checkNode(probes: Probes): void {
    if (compareVersions(probes.nodeVersion, MIN_NODE_VERSION) < 0) {
        throw new PreflightError(
            `Node.js ${probes.nodeVersion} is too old: this project needs Node.js ${MIN_NODE_VERSION} or later (22, 24 or 26).`,
        );
    }
}

export async function checkPulumi(probes: Probes): Promise<void> {
    checkPulumiVersion(await probes.pulumiVersion());
}

/** The CLI's version as `Probes.pulumiVersion` gives it: undefined when there is none. */
export function checkPulumiVersion(version: string | undefined): void {
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

/** An existing Vault's or Nomad's address answers; TLS trust is verify's business, not preflight's. */
export async function checkAnswers(probes: Probes, what: string, url: string, configKey: string): Promise<void> {
    try {
        await probes.httpAnswers(url);
    } catch (err) {
        throw new PreflightError(
            `${what} at ${url} does not answer (${(err as Error).message}). Check the address (\`pulumi config get ${configKey}\`) ` +
                "and that this machine can reach it, or pass --skip-reachability.",
        );
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
        httpAnswers: (url) => httpAnswers(url),
        containerState: (name) => dockerContainerState(dockerHostFromEnv(env), name),
        processAlive(pid) {
            try {
                process.kill(pid, 0);
                return true;
            } catch (err) {
                // EPERM: it exists but belongs to someone else. When unsure, call it alive.
                return (err as NodeJS.ErrnoException).code !== "ESRCH";
            }
        },
        hostname: os.hostname(),
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

function dockerTarget(dockerHost: string): http.RequestOptions {
    if (dockerHost.startsWith("unix://")) {
        return { socketPath: dockerHost.slice("unix://".length) };
    }
    const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
    return { host: url.hostname, port: Number(url.port) };
}

/** The status code of a GET, or a rejection naming the network error. */
function statusOf(get: (callback: (res: http.IncomingMessage) => void) => http.ClientRequest): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = get((res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.setTimeout(5_000, () => req.destroy(new Error("timed out")));
        req.on("error", (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
    });
}

async function pingDocker(dockerHost: string): Promise<void> {
    const status = await statusOf((cb) => http.get({ ...dockerTarget(dockerHost), path: "/_ping" }, cb));
    if (status !== 200) {
        throw new Error(`HTTP ${status}`);
    }
}

async function dockerContainerState(dockerHost: string, name: string): Promise<ContainerState> {
    const target = { ...dockerTarget(dockerHost), path: `/containers/${encodeURIComponent(name)}/json` };
    const inspect = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.get(target, (res) => {
            let body = "";
            // Stryker disable next-line StringLiteral: Node reads an empty encoding name as utf8
            res.setEncoding("utf8");
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
    });
    if (inspect.status === 404) {
        return "missing";
    }
    if (inspect.status !== 200) {
        throw new Error(`Docker answered HTTP ${inspect.status} for container ${name}`);
    }
    return JSON.parse(inspect.body).State.Running ? "running" : "stopped";
}

function httpAnswers(url: string): Promise<void> {
    // Only whether it answers: an untrusted certificate still proves the address is right.
    const get = (cb: (res: http.IncomingMessage) => void) =>
        url.startsWith("https:") ? https.get(url, { rejectUnauthorized: false }, cb) : http.get(url, cb);
    return statusOf(get).then(() => undefined);
}
