// What the two agents' containers need to work, and to be replaced and destroyed cleanly.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, runProgram } from "../tools/programRecorder";

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
    it("let Vault lock memory (IPC_LOCK)", () => {
        assert.deepStrictEqual(vault().capabilities, { adds: ["IPC_LOCK"] });
    });
    it("start Vault in dev mode on 127.0.0.1 and the configured port", () => {
        const script = vault().uploads.find((u: any) => u.file === vault().entrypoints[1]).content;
        assert.deepStrictEqual(
            [vault().command, /vault server -dev -dev-listen-address="127\.0\.0\.1:\$1"/.test(script)],
            [["8200"], true],
        );
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
