// Preflight checks against this machine's real probes, with each failure staged on 127.0.0.1.
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { checkDocker, checkNode, checkPortsFree, checkPulumi, machineProbes, PreflightError, Probes } from "../automation/preflight";

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
            () => checkNode(fake({ nodeVersion: "v18.19.0" })),
            /Node\.js v18\.19\.0 is too old: this project needs Node\.js 20 or later/,
        );
    });
});
