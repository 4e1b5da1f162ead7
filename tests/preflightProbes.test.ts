// Preflight's verdicts and this machine's probes, each staged on 127.0.0.1 or with a stand-in command.
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import {
    allChecks,
    checkDocker,
    checkPortsFree,
    checkPulumiVersion,
    machineProbes,
    MIN_PULUMI_VERSION,
    PreflightError,
    Probes,
} from "../automation/preflight";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { fakeServer } from "./fakeHttp";

const fake = (overrides: Partial<Probes>): Probes => ({ ...machineProbes(), ...overrides });
const fail = (message: string) => () => {
    throw new PreflightError(message);
};
const tlsFile = (name: string) => fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/tls", name), "utf8");

/** A folder holding a stand-in `pulumi` that answers `pulumi version` as the script says. */
function pathWithPulumi(script: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return dir;
}

/** A fake Docker engine on TCP, answering its ping and its container inspections. */
async function dockerOnTcp(ping: number, inspect: (name: string) => { status: number; body: unknown }) {
    return fakeServer((req) => {
        if (req.url === "/_ping") {
            return { status: ping, body: ping === 200 ? "OK" : "", contentType: "text/plain" };
        }
        const reply = inspect(decodeURIComponent(/^\/containers\/([^/]+)\/json$/.exec(req.url)?.[1] ?? ""));
        return { status: reply.status, body: reply.body };
    });
}
const tcpHost = (address: string) => address.replace(/^http:/, "tcp:");

describe("preflight, all checks at once", () => {
    it("names every failed check together", async () => {
        await assert.rejects(allChecks([fail("no pulumi"), () => undefined, fail("no docker")]), (err: Error) => {
            assert.strictEqual(err.message, "2 things are missing:\n  - no pulumi\n  - no docker");
            return true;
        });
    });
    it("names a single failed check as it is", async () => {
        await assert.rejects(allChecks([fail("no pulumi"), () => undefined]), { message: "no pulumi" });
    });
    it("reports its failures as PreflightError", async () => {
        await assert.rejects(allChecks([fail("no pulumi")]), (err: Error) => String(err) === "PreflightError: no pulumi");
    });
    it("stops at an error that is not a missing tool, and runs no further check", async () => {
        let ranAfter = false;
        const broken = () => {
            throw new TypeError("a bug");
        };
        await assert.rejects(allChecks([broken, () => void (ranAfter = true)]), TypeError);
        assert.strictEqual(ranAfter, false);
    });
});

describe("preflight verdicts", () => {
    it("accepts exactly the oldest Pulumi CLI it supports", () => {
        assert.doesNotThrow(() => checkPulumiVersion(`v${MIN_PULUMI_VERSION}`));
    });
    it("compares the patch number too", () => {
        assert.throws(() => checkPulumiVersion("v3.119.9"), /Pulumi CLI v3\.119\.9 is too old/);
    });
    it("counts a pre-release as its release", () => {
        assert.doesNotThrow(() => checkPulumiVersion(`v${MIN_PULUMI_VERSION}-alpha.1730`));
    });
    it("says how to start Docker when it does not answer", async () => {
        await assert.rejects(
            checkDocker(fake({ dockerPing: async () => Promise.reject(new Error("ECONNREFUSED")) }), "tcp://127.0.0.1:2375"),
            {
                message:
                    "The Docker engine at tcp://127.0.0.1:2375 does not answer (ECONNREFUSED). Start Docker, or set DOCKER_HOST to its socket, and check that your user may use it.",
            },
        );
    });
    it("names Docker's default socket when DOCKER_HOST is not set", async () => {
        const saved = process.env.DOCKER_HOST;
        delete process.env.DOCKER_HOST;
        try {
            await assert.rejects(
                checkDocker(fake({ dockerPing: async () => Promise.reject(new Error("ENOENT")) })),
                /^PreflightError: The Docker engine at unix:\/\/\/var\/run\/docker\.sock does not answer/,
            );
        } finally {
            if (saved !== undefined) {
                process.env.DOCKER_HOST = saved;
            }
        }
    });
    it("checks the port after Vault's only, not after every port", async () => {
        await assert.doesNotReject(checkPortsFree(fake({ portInUse: async (port) => port === 18206 }), { mongoPort: 18205 }));
    });
    it("names what holds a busy port, and how to choose another", async () => {
        const busy = fake({ portInUse: async () => true, portOwner: async () => "nginx (pid 812)" });
        await assert.rejects(checkPortsFree(busy, { mongoPort: 27017 }), {
            message:
                "port 27017 (mongoPort) is in use on 127.0.0.1 by nginx (pid 812). Stop what holds it, or choose other ports with `pulumi config set`.",
        });
    });
    it("names each busy port, when the system does not tell who holds them", async () => {
        const busy = fake({ portInUse: async () => true, portOwner: async () => undefined });
        await assert.rejects(checkPortsFree(busy, { nomadHttpPort: 4646, mongoPort: 27017 }), {
            message:
                "port 4646 (nomadHttpPort) is in use on 127.0.0.1; port 27017 (mongoPort) is in use on 127.0.0.1. Stop what holds it, or choose other ports with `pulumi config set`.",
        });
    });
});

describe("this machine's probes", function () {
    this.timeout(20_000);

    it("read the Pulumi CLI's version from `pulumi version`", async () => {
        const dir = pathWithPulumi('[ "$1" = version ] && echo v3.150.0 || exit 2');
        assert.strictEqual(await machineProbes({ ...process.env, PATH: dir }).pulumiVersion(), "v3.150.0");
    });
    it("pass on a Pulumi CLI that fails, rather than call it missing", async () => {
        const dir = pathWithPulumi("echo 'error: corrupt install' >&2; exit 1");
        await assert.rejects(machineProbes({ ...process.env, PATH: dir }).pulumiVersion(), /corrupt install/);
    });
    it("count a port nothing listens on as free", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as net.AddressInfo).port;
        await new Promise((resolve) => server.close(resolve));
        assert.strictEqual(await machineProbes().portInUse(port), false);
    });
    it("name the process that listens on a port", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const owner = await machineProbes().portOwner((server.address() as net.AddressInfo).port);
            // ss names a process by its command name, as /proc shows it (Node names its main thread).
            const command = fs.readFileSync("/proc/self/comm", "utf8").trim();
            assert.strictEqual(owner, `${command} (pid ${process.pid})`);
        } finally {
            server.close();
        }
    });
    it("name no process for a port nothing listens on", async () => {
        assert.strictEqual(await machineProbes().portOwner(1), undefined);
    });
    it("tell this process alive", () => {
        assert.strictEqual(machineProbes().processAlive(process.pid), true);
    });
    it("tell a process that has ended gone", async () => {
        const child = execFile(process.execPath, ["-e", "0"]);
        await new Promise((resolve) => child.on("exit", resolve));
        assert.strictEqual(machineProbes().processAlive(child.pid!), false);
    });
    it("ping a Docker engine on TCP", async () => {
        const docker = await dockerOnTcp(200, () => ({ status: 404, body: {} }));
        try {
            await machineProbes({ DOCKER_HOST: tcpHost(docker.address) }).dockerPing();
            assert.deepStrictEqual(
                docker.requests.map((r) => r.url),
                ["/_ping"],
            );
        } finally {
            await docker.close();
        }
    });
    it("name the status of a Docker engine whose ping fails", async () => {
        const docker = await dockerOnTcp(500, () => ({ status: 404, body: {} }));
        try {
            await assert.rejects(machineProbes({ DOCKER_HOST: tcpHost(docker.address) }).dockerPing(), { message: "HTTP 500" });
        } finally {
            await docker.close();
        }
    });
    it("name Docker's answer when it cannot inspect a container", async () => {
        const docker = await dockerOnTcp(200, () => ({ status: 500, body: { message: "page not found" } }));
        try {
            await assert.rejects(machineProbes({ DOCKER_HOST: tcpHost(docker.address) }).containerState("vaultnomad-dev-vault"), {
                message: "Docker answered HTTP 500 for container vaultnomad-dev-vault",
            });
        } finally {
            await docker.close();
        }
    });
    it("reject, naming the error, when the Docker socket is not there", async () => {
        const socket = path.join(os.tmpdir(), `no-docker-${process.pid}.sock`);
        await assert.rejects(machineProbes({ DOCKER_HOST: `unix://${socket}` }).containerState("vaultnomad-dev-vault"), { code: "ENOENT" });
    });
    it("count an HTTPS server with a certificate this machine does not trust as answering", async () => {
        const server = await fakeServer(() => ({ status: 200, body: { initialized: true } }), {
            cert: tlsFile("server.pem"),
            key: tlsFile("server.key"),
        });
        try {
            await assert.doesNotReject(machineProbes().httpAnswers(`${server.address}/v1/sys/health`));
        } finally {
            await server.close();
        }
    });
    it("give up on a server that accepts the connection and never answers", async function () {
        this.timeout(15_000);
        const silent = http.createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        try {
            await assert.rejects(machineProbes().httpAnswers(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/`), {
                message: "timed out",
            });
        } finally {
            silent.closeAllConnections();
            silent.close();
        }
    });
});
