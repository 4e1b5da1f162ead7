// The order the engine must follow, proven from the recorded dependency graph: mocks do not
// see dependsOn, so the harness records options and data dependencies itself.
import * as assert from "assert";
import { ProgramRun, RecordedResource, runProgram } from "../tools/programRecorder";

describe("ordering", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    const byName = (name: string): RecordedResource => {
        const found = run.resources.find((r) => r.name === name);
        assert.ok(found, `no resource named ${name}`);
        return found;
    };
    const assertAfter = (later: string, earlier: string) =>
        assert.ok(run.waitsFor(byName(later), byName(earlier)), `${later} does not wait for ${earlier}`);

    before(async () => {
        run = await runProgram();
    });

    it("can tell independent resources apart (the graph is not everything-after-everything)", () => {
        assert.strictEqual(run.waitsFor(byName("kv-mount"), byName("nomad-container")), false);
    });
    it("starts the Vault and Nomad agents side by side", () => {
        const waits = [
            run.waitsFor(byName("nomad-container"), byName("vault-container")),
            run.waitsFor(byName("vault-container"), byName("nomad-container")),
        ];
        assert.deepStrictEqual(waits, [false, false]);
    });
    it("mounts the database engine without waiting for mongo; only the connection waits", () => {
        assert.strictEqual(run.waitsFor(byName("database-mount"), byName("mongo-job")), false);
    });
    it("talks to Vault only after its container is healthy", () => {
        for (const r of run.resources.filter((r) => r.type.startsWith("vault:"))) {
            assert.ok(run.waitsFor(r, byName("vault-container")), `${r.name} does not wait for the Vault container`);
        }
    });
    it("bootstraps Nomad's ACLs after the Nomad container", () => {
        assertAfter("nomad-acl-bootstrap", "nomad-container");
    });
    it("uses the Nomad provider only after the bootstrap", () => {
        assertAfter("nomad-acl-provider", "nomad-acl-bootstrap");
        for (const job of run.ofType("nomad:index/job:Job")) {
            assert.ok(run.waitsFor(job, byName("nomad-acl-bootstrap")), `${job.name} does not wait for the bootstrap`);
        }
    });
    it("configures the JWT auth method after Nomad serves its JWKS", () => {
        assertAfter("workload-identity-jwt", "nomad-container");
    });
    it("checks the JWKS before it mounts the auth method, so a failure leaves no mount", () => {
        assertAfter("workload-identity-jwt", "workload-identity-jwks-check");
        assertAfter("workload-identity-jwks-check", "nomad-container");
    });
    it("renders the templated policy from the auth method's accessor", () => {
        assertAfter("workload-identity-policy", "workload-identity-jwt");
    });
    it("starts mongo after the KV secret", () => {
        assertAfter("mongo-job", "kv-mongo-config");
    });
    it("starts mongo after the nomad-workloads role and policy", () => {
        assertAfter("mongo-job", "workload-identity-role");
        assertAfter("mongo-job", "workload-identity-policy");
    });
    it("connects Vault to MongoDB after the mongo job is deployed", () => {
        assertAfter("database-connection", "mongo-job");
    });
    it("starts mongo-query after the database role", () => {
        assertAfter("mongo-query-job", "database-role");
    });
    it("starts mongo-query after the mongo-dynamic-secret role and policy", () => {
        assertAfter("mongo-query-job", "mongo-dynamic-secret-role");
        assertAfter("mongo-query-job", "mongo-dynamic-secret-policy");
    });
});
