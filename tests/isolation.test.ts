// Two stacks side by side on one host: every host-level name derives from the stack.
import * as assert from "assert";
import { ProgramRun, runProgram } from "../tools/programRecorder";

const REVIEW_PORTS = { vaultPort: "18200", nomadHttpPort: "14646", nomadRpcPort: "14647", nomadSerfPort: "14648", mongoPort: "37017" };

/** What another stack on the same host could collide with. */
function hostFootprint(run: ProgramRun): string[] {
    const containers = run.ofType("docker:index/container:Container").map((c) => c.inputs!);
    const names = containers.map((c) => `container ${c.name}`);
    const mounts = containers.flatMap((c) => (c.volumes ?? []).map((v: any) => `host path ${v.hostPath}`));
    const mongoPort = run.one("nomad:index/job:Job", "mongo-job").inputs!.hcl2.vars.mongo_port;
    return [...names, ...mounts.filter((m) => !m.endsWith("docker.sock")), `mongo port ${mongoPort}`];
}

describe("two stacks on one host", function () {
    this.timeout(60_000);
    let dev: ProgramRun;
    let review: ProgramRun;

    before(async () => {
        dev = await runProgram({ stack: "dev" });
        review = await runProgram({ stack: "review-feat-jwt", config: REVIEW_PORTS });
    });

    it("name their containers after the stack", () => {
        assert.deepStrictEqual(
            review.ofType("docker:index/container:Container").map((c) => c.inputs!.name),
            ["vaultnomad-review-feat-jwt-vault", "vaultnomad-review-feat-jwt-nomad"],
        );
    });
    it("keep Nomad's data in a folder of their own", () => {
        const dataDir = review.one("docker:index/container:Container", "nomad-container").inputs!.volumes[1].hostPath;
        assert.strictEqual(dataDir, "/tmp/vaultnomad/vaultnomad-review-feat-jwt/nomad");
    });
    it("share no container name, host folder or job port", () => {
        const shared = hostFootprint(dev).filter((item) => hostFootprint(review).includes(item));
        assert.deepStrictEqual(shared, []);
    });
    it("point Nomad, Vault and the JWKS URL at the stack's own ports", () => {
        const auth = review.one("vault:jwt/authBackend:AuthBackend").inputs!;
        const vaultProvider = review.one("pulumi:providers:vault").inputs!;
        assert.deepStrictEqual(
            [auth.jwksUrl, vaultProvider.address],
            ["http://127.0.0.1:14646/.well-known/jwks.json", "http://127.0.0.1:18200"],
        );
    });
    it("connect Vault to the stack's own mongo port", () => {
        const connection = review.one("vault:database/secretBackendConnection:SecretBackendConnection").inputs!;
        assert.strictEqual(connection.mongodb.connectionUrl, "mongodb://{{username}}:{{password}}@127.0.0.1:37017/admin");
    });
});
