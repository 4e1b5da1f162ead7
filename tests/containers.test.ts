// What the two agents' containers need to work, and to be replaced and destroyed cleanly.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT_ROOT, ProgramRun, runProgram } from "../tools/programRecorder";

const CONTAINER = "docker:index/container:Container";

describe("containers", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    const vault = () => run.one(CONTAINER, "vault-container").inputs!;
    const nomad = () => run.one(CONTAINER, "nomad-container").inputs!;

    before(async () => {
        run = await runProgram();
    });

    it("run both agents on the host's network, where 127.0.0.1 is the same for both", () => {
        assert.deepStrictEqual([vault().networkMode, nomad().networkMode], ["host", "host"]);
    });
    it("publish no port beyond 127.0.0.1 listeners", () => {
        assert.deepStrictEqual([vault().ports, nomad().ports], [undefined, undefined]);
    });
    it("wait for each agent to be healthy before anything uses it", () => {
        for (const c of [vault(), nomad()]) {
            assert.deepStrictEqual([c.wait, c.waitTimeout, c.healthcheck.startPeriod], [true, 120, "120s"], c.name);
        }
    });
    it("check Vault's health with vault status on its own address", () => {
        assert.deepStrictEqual(vault().healthcheck.tests, ["CMD", "vault", "status", "-address=http://127.0.0.1:8200"]);
    });
    it("call Nomad healthy once it serves a signing key in its JWKS", () => {
        assert.match(nomad().healthcheck.tests[1], /wget -qO- http:\/\/127\.0\.0\.1:4646\/\.well-known\/jwks\.json \| grep -q '"kid"'/);
    });
    it("let Vault run from images whose binary carries the cap_ipc_lock file capability (IPC_LOCK)", () => {
        assert.deepStrictEqual(vault().capabilities, { adds: ["IPC_LOCK"] });
    });
    it("start Vault's container as root, which alone may read the token file (Vault 2 images start as vault)", () => {
        assert.strictEqual(vault().user, "root");
    });
    it("give Vault's entrypoint the configured port and the uploaded token file, readable by root only", () => {
        const [port, tokenFile] = vault().command;
        const token = vault().uploads.find((u: any) => u.file === tokenFile);
        assert.deepStrictEqual([port, token?.permissions], ["8200", "0400"]);
    });
    it("start Nomad as a dev agent with the uploaded configuration", () => {
        const configFile = nomad().uploads[0].file;
        assert.deepStrictEqual(nomad().command, ["agent", "-dev", `-config=${configFile}`]);
    });
    it("give Nomad's docker driver the host's engine, privileges and cgroups", () => {
        assert.deepStrictEqual(
            [nomad().privileged, nomad().cgroupnsMode, nomad().volumes[0]],
            [true, "host", { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
        );
    });
    it("mount Nomad's data folder at the same path on both sides", () => {
        const data = nomad().volumes[1];
        assert.strictEqual(data.hostPath, data.containerPath);
    });
    it("replace containers delete-first, since their names and ports are fixed", () => {
        for (const c of run.ofType(CONTAINER)) {
            assert.strictEqual((c.opts as pulumi.CustomResourceOptions).deleteBeforeReplace, true, c.name);
        }
    });
    it("keep images on destroy, since other stacks share them", () => {
        for (const image of run.ofType("docker:index/remoteImage:RemoteImage")) {
            assert.strictEqual(image.inputs!.keepLocally, true, image.name);
        }
    });
});

// The entrypoint as the container runs it, with stubs for the image's vault and su-exec.
describe("the Vault dev server's entrypoint", () => {
    const script = path.join(PROJECT_ROOT, "components/assets/vault-dev-entrypoint.sh");
    let dir: string;
    let tokenFile: string;

    /** A PATH with `cat`, a `vault` that prints how it was started, and optionally `su-exec`. */
    function stubPath(withSuExec: boolean): string {
        const bin = fs.mkdtempSync(path.join(dir, "bin-"));
        fs.symlinkSync(execFileSync("/bin/sh", ["-c", "command -v cat"], { encoding: "utf8" }).trim(), path.join(bin, "cat"));
        fs.writeFileSync(path.join(bin, "vault"), '#!/bin/sh\necho "vault $* token=$VAULT_DEV_ROOT_TOKEN_ID"\n', { mode: 0o755 });
        if (withSuExec) {
            fs.writeFileSync(path.join(bin, "su-exec"), '#!/bin/sh\necho "as $1"\nshift\nexec "$@"\n', { mode: 0o755 });
        }
        return bin;
    }
    const start = (bin: string, file = tokenFile) =>
        execFileSync("/bin/sh", [script, "8200", file], { env: { PATH: bin }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-entrypoint-"));
        tokenFile = path.join(dir, "root-token");
        fs.writeFileSync(tokenFile, "s3cr3t-root", { mode: 0o400 });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("starts a dev server on 127.0.0.1 and the port, as the vault user, with the token from the file", () => {
        assert.strictEqual(start(stubPath(true)), "as vault\nvault server -dev -dev-listen-address=127.0.0.1:8200 token=s3cr3t-root\n");
    });
    it("starts the dev server as the container's user where the image has no su-exec", () => {
        assert.strictEqual(start(stubPath(false)), "vault server -dev -dev-listen-address=127.0.0.1:8200 token=s3cr3t-root\n");
    });
    it("stops before starting Vault when it cannot read the token file", () => {
        const bin = stubPath(true);
        assert.throws(
            () => start(bin, path.join(dir, "missing")),
            (err: any) => err.status !== 0 && !String(err.stdout).includes("vault server"),
        );
    });
});
