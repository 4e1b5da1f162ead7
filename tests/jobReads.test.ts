// The pieces verify judges a read with, as Vault and Nomad give them: a role's token policies
// (sdk/helper/policyutil SanitizePolicies), the KV mounts of sys/mounts (tests/fixtures/api/vault.sys-mounts.json),
// the identity a job's login gets, and the job's path as the probe asks it.
import * as assert from "assert";
import { jobIdentity, kvMountOf, tokenPolicies } from "../verify/jobReads";
import { forProbe } from "../verify/taskReads";
import { readFixture } from "./apiFixtures";

const MOUNTS = readFixture("vault.sys-mounts").body.data;

describe("verify's reads: what Vault and Nomad give", () => {
    describe("a role's token policies", () => {
        it("adds default to token_policies, sorted", () => {
            assert.deepStrictEqual(tokenPolicies({ token_policies: ["web", "freeze"] }), ["default", "freeze", "web"]);
        });
        it("leaves default out with token_no_default_policy", () => {
            assert.deepStrictEqual(tokenPolicies({ token_policies: ["web"], token_no_default_policy: true }), ["web"]);
        });
        it("holds default alone for a role without policies (token_policies null)", () => {
            assert.deepStrictEqual(tokenPolicies({ token_policies: null }), ["default"]);
        });
        it("trims and lower-cases the names, and drops repeats and empty ones", () => {
            assert.deepStrictEqual(tokenPolicies({ token_policies: [" Web", "web", "", "default"] }), ["default", "web"]);
        });
        it("holds root alone when root is among them", () => {
            assert.deepStrictEqual(tokenPolicies({ token_policies: ["web", "Root"] }), ["root"]);
        });
    });

    describe("the KV mount of a path, from sys/mounts", () => {
        it("reads the version of a KV v2 mount from options.version", () => {
            assert.deepStrictEqual(kvMountOf(MOUNTS)("kv/default/web/config"), { mount: "kv/", version: 2 });
        });
        it("takes a KV mount without options as version 1", () => {
            assert.deepStrictEqual(kvMountOf({ "kv1/": { type: "kv", options: null } })("kv1/a"), { mount: "kv1/", version: 1 });
        });
        it("knows the mount itself, without a path under it", () => {
            assert.deepStrictEqual(kvMountOf(MOUNTS)("kv"), { mount: "kv/", version: 2 });
        });
        it("takes the longest mount a path lies under", () => {
            const mounts = { "kv/": { type: "kv", options: null }, "kv/team/": { type: "kv", options: { version: "2" } } };
            assert.deepStrictEqual(kvMountOf(mounts)("kv/team/x"), { mount: "kv/team/", version: 2 });
        });
        it("finds no KV mount for another engine's path, nor for a name that only begins like a mount", () => {
            assert.deepStrictEqual([kvMountOf(MOUNTS)("sys/health"), kvMountOf(MOUNTS)("kvx/a")], [undefined, undefined]);
        });
    });

    describe("the identity of a job's login", () => {
        const role = {
            role: "web",
            policies: [],
            token: { acl: () => ({ decide: () => assert.fail("not judged") }) },
            data: { user_claim: "/nomad_job_id", user_claim_json_pointer: true, claim_mappings: { nomad_job_id: "job" } },
        };
        const claims = { nomad_namespace: "default", nomad_job_id: "web" };
        it("is an alias on the JWT mount named by user_claim, with the mapped claims and the role as metadata", () => {
            assert.deepStrictEqual(jobIdentity({ kvMountOf: () => undefined, accessor: "auth_jwt_1" }, role, claims), {
                entity: { aliases: [{ mountAccessor: "auth_jwt_1", name: "web", metadata: { job: "web", role: "web" } }] },
            });
        });
        it("has no name where the user claim is missing", () => {
            const unnamed = { ...role, data: { ...role.data, user_claim: "/nomad_task" } };
            assert.strictEqual(
                "name" in jobIdentity({ kvMountOf: () => undefined, accessor: "auth_jwt_1" }, unnamed, claims).entity!.aliases![0],
                false,
            );
        });
        it("is none without the JWT mount: templated rules render nothing", () => {
            assert.deepStrictEqual(jobIdentity({ kvMountOf: () => undefined }, role, claims), {});
        });
    });

    describe("the job's path as the probe asks it", () => {
        const probe = { nomad_namespace: "default", nomad_job_id: "vaultnomad-verify-probe" };
        const job = { namespace: "default", id: "web" };
        it("puts the probe's namespace and job ID in place of the job's", () => {
            assert.strictEqual(
                forProbe("secret/data/default/web/config", job, probe),
                "secret/data/default/vaultnomad-verify-probe/config",
            );
        });
        it("replaces them at the end of the path too", () => {
            assert.strictEqual(forProbe("secret/data/default/web", job, probe), "secret/data/default/vaultnomad-verify-probe");
        });
        it("leaves a path of another job whose ID begins like this one's", () => {
            assert.strictEqual(forProbe("secret/data/default/webapp/config", job, probe), "secret/data/default/webapp/config");
        });
        it("leaves a path without the job's namespace and ID", () => {
            assert.strictEqual(forProbe("secret/data/shared/config", job, probe), "secret/data/shared/config");
        });
    });
});
