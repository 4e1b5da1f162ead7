// Preflight checks against this machine's real probes, with each failure staged on 127.0.0.1.
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import * as http from "http";
import { checkDocker, checkNode, checkPortsFree, checkPulumi, machineProbes, PreflightError, Probes } from "../automation/preflight";
import { fakeServer } from "./fakeHttp";

const fake = (overrides: Partial<Probes>): Probes => ({ ...machineProbes(), ...overrides });

describe("preflight", function () {
    this.timeout(20_000);

    it("names a missing Pulumi CLI", async () => {
        const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
        await assert.rejects(checkPulumi(machineProbes({ ...process.env, PATH: emptyPath })), /The Pulumi CLI is not on the PATH/);
    });
    it("names a Pulumi CLI that is too old", async () => {
        await assert.rejects(
            checkPulumi(fake({ pulumiVersion: async () => "v3.99.0" })),
            /Pulumi CLI v3\.99\.0 is too old: this driver needs 3\.120\.0/,
        );
    });
    it("accepts a recent Pulumi CLI", async () => {
        await assert.doesNotReject(checkPulumi(fake({ pulumiVersion: async () => "v3.248.0" })));
    });
    it("names an unreachable Docker socket", async () => {
        const socket = path.join(os.tmpdir(), `no-docker-${process.pid}.sock`);
        const dockerHost = `unix://${socket}`;
        await assert.rejects(checkDocker(machineProbes({ DOCKER_HOST: dockerHost }), dockerHost), (err: Error) => {
            assert.ok(err instanceof PreflightError);
            assert.strictEqual(err.message.startsWith(`The Docker engine at ${dockerHost} does not answer (ENOENT)`), true, err.message);
            return true;
        });
    });
    it("names a port that is taken on 127.0.0.1, and its config key", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as AddressInfo).port;
        try {
            await assert.rejects(
                checkPortsFree(machineProbes(), { mongoPort: port }),
                new RegExp(`port ${port} \\(mongoPort\\) is in use on 127\\.0\\.0\\.1`),
            );
        } finally {
            server.close();
        }
    });
    it("checks Vault's cluster port too", async () => {
        const busy = fake({ portInUse: async (port) => port === 18201, portOwner: async () => undefined });
        await assert.rejects(
            checkPortsFree(busy, { vaultPort: 18200 }),
            /port 18201 \(vaultPort \+ 1 \(Vault's cluster port\)\) is in use/,
        );
    });
    it("passes free ports", async () => {
        await assert.doesNotReject(checkPortsFree(fake({ portInUse: async () => false }), { vaultPort: 18200, mongoPort: 18205 }));
    });
    it("names a Node.js that is too old", () => {
        assert.throws(
            () => checkNode(fake({ nodeVersion: "v20.20.2" })),
            /Node\.js v20\.20\.2 is too old: this project needs Node\.js 22\.12\.0 or later/,
        );
    });
    it("names a Node.js 22 older than 22.12, which cannot require jose", () => {
        assert.throws(() => checkNode(fake({ nodeVersion: "v22.11.0" })), /v22\.11\.0 is too old/);
    });
    it("accepts Node.js 22.12 and later", () => {
        assert.doesNotThrow(() => checkNode(fake({ nodeVersion: "v22.12.0" })));
        assert.doesNotThrow(() => checkNode(fake({ nodeVersion: "v26.10.0" })));
    });
    it("counts any HTTP answer of an external server as answering, a 503 included", async () => {
        const sealed = await fakeServer(() => ({ status: 503, body: { sealed: true } }));
        try {
            await assert.doesNotReject(machineProbes().httpAnswers(`${sealed.address}/v1/sys/health`));
        } finally {
            await sealed.close();
        }
    });
    it("names the network error of a server that does not answer", async () => {
        const gone = await fakeServer(() => ({ status: 200 }));
        await gone.close();
        await assert.rejects(machineProbes().httpAnswers(`${gone.address}/v1/status/leader`), /ECONNREFUSED/);
    });
    it("tells a running, a stopped and a missing container apart, as Docker's inspect answers", async () => {
        const socket = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "docker-")), "docker.sock");
        const containers: Record<string, boolean> = { "vaultnomad-dev-vault": true, "vaultnomad-dev-nomad": false };
        const docker = http.createServer((req, res) => {
            const name = decodeURIComponent(/^\/containers\/([^/]+)\/json$/.exec(req.url ?? "")?.[1] ?? "");
            const running = containers[name];
            res.writeHead(running === undefined ? 404 : 200, { "Content-Type": "application/json" });
            res.end(
                JSON.stringify(
                    running === undefined ? { message: `No such container: ${name}` } : { Name: `/${name}`, State: { Running: running } },
                ),
            );
        });
        await new Promise<void>((resolve) => docker.listen(socket, resolve));
        try {
            const probes = machineProbes({ DOCKER_HOST: `unix://${socket}` });
            const states = await Promise.all(
                ["vaultnomad-dev-vault", "vaultnomad-dev-nomad", "vaultnomad-dev-gone"].map((n) => probes.containerState(n)),
            );
            assert.deepStrictEqual(states, ["running", "stopped", "missing"]);
        } finally {
            docker.close();
        }
    });
});
