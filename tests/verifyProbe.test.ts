// The probe in the layout this project ships: the Nomad agent runs as root in a container, with its
// data dir bound from the host without shared propagation. Nomad mounts a tmpfs on each task's
// secrets/ inside its own mount namespace, which the host's Docker engine does not see (nomad issue
// 3481), so the probe takes its identity from its environment, never from a file under secrets/.
import * as assert from "assert";
import { PROBE_IDENTITY_ENV, probeJob } from "../verify/probe";
import { ProgramRun, runProgram } from "../tools/programRecorder";

describe("verify's probe in the demo's container layout", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    const nomad = () => run.one("docker:index/container:Container", "nomad-container").inputs!;
    const task = (probeJob("default", { audience: "vault.io" }) as any).TaskGroups[0].Tasks[0];

    before(async () => {
        run = await runProgram();
    });

    it("runs the Nomad agent as root: it mounts a tmpfs on each task's secrets/", () => {
        assert.strictEqual(nomad().user, undefined);
    });
    it("binds the data dir without shared propagation: the host's engine cannot see that tmpfs", () => {
        const data = nomad().volumes.find((v: any) => v.containerPath !== "/var/run/docker.sock");
        assert.deepStrictEqual([data.hostPath === data.containerPath, data.propagation], [true, undefined]);
    });
    it("so the probe asks for its identity in the environment, not as a file", () => {
        assert.deepStrictEqual([task.Identities[0].Env, task.Identities[0].File], [true, false]);
    });
    it("and prints the variable Nomad sets for it, reading nothing under secrets/", () => {
        assert.deepStrictEqual([PROBE_IDENTITY_ENV, task.Config.args.join(" ").includes("secrets/")], ["NOMAD_TOKEN_vault_default", false]);
    });
});
