// What vaultnomad-verify expects of a cluster, read from the cluster itself (verify/discover.ts), and
// where it says each expectation came from.
import * as assert from "assert";
import { discoverTarget } from "../verify/discover";
import { FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster } from "./fakeCluster";
import { closedAddresses } from "./fakeHttp";

describe("what verify expects of a cluster", function () {
    this.timeout(20_000);
    let cluster: FakeCluster;
    beforeEach(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
    });
    afterEach(() => cluster.close());
    const discover = (narrowing = {}, connection = {}) => discoverTarget({ ...cluster.connection, ...connection }, narrowing);
    const expectations = async (narrowing = {}) => (await discover(narrowing)).expectations;

    describe("the namespace of the jobs it checks", () => {
        it("is default unless told otherwise", async () => {
            assert.strictEqual((await discover()).target.nomadNamespace, "default");
        });
        it("is NOMAD_NAMESPACE's", async () => {
            assert.strictEqual((await discover({}, { nomadNamespace: "team" })).target.nomadNamespace, "team");
        });
        it("is --job's, over NOMAD_NAMESPACE's, and the job is named among the expectations", async () => {
            const found = await discover({ job: { namespace: "ops", id: "api" } }, { nomadNamespace: "team" });
            assert.deepStrictEqual([found.target.nomadNamespace, found.expectations.includes("job ops/api (--job)")], ["ops", true]);
        });
    });

    describe("the JWT mount", () => {
        it("lists a nested JWT mount by its whole path", async () => {
            cluster.world.otherMounts = { "team/jwt": { defaultRole: "team", roles: [] } };
            assert.match((await expectations())[0], /; JWT mounts in Vault: \[jwt-nomad, team\/jwt\]$/);
        });
        it("is the agents' jwt_auth_backend_path without its trailing slashes", async () => {
            cluster.world.otherMounts = { "team/jwt": { defaultRole: "team", roles: [] } };
            cluster.world.agentJwtPath = "team/jwt//";
            assert.strictEqual((await discover()).target.jwtPath, "team/jwt");
        });
        it("is the only JWT mount Vault has when the agents name none", async () => {
            cluster.world.agentJwtPath = "";
            assert.strictEqual(
                (await expectations())[0],
                "JWT mount jwt-nomad/ (the only JWT mount in sys/auth); JWT mounts in Vault: [jwt-nomad]",
            );
        });
        it("is Nomad's default when the agents name none and Vault has several", async () => {
            cluster.world.agentJwtPath = "";
            cluster.world.mount = "jwt";
            cluster.world.otherMounts = { other: { defaultRole: "other", roles: [] } };
            assert.strictEqual(
                (await expectations())[0],
                "JWT mount jwt-nomad/ (Nomad's default jwt_auth_backend_path); JWT mounts in Vault: [jwt, other]",
            );
        });
    });

    describe("the role", () => {
        it("is none when the mount has no default_role, saying what that means", async () => {
            cluster.world.defaultRole = "";
            assert.strictEqual(
                (await expectations())[1],
                "role (none) (none: auth/jwt-nomad/config has no default_role, so jobs without vault.role cannot log in; pass --role); bound_audiences []",
            );
        });
        it("reads no policy Vault gives every token (default)", async () => {
            cluster.world.role = { ...cluster.world.role, token_policies: ["default", NOMAD_SETUP_VAULT.policy] };
            const found = await discover();
            assert.deepStrictEqual(
                [found.target.policyName, cluster.stack.vault.requests.some((r) => r.url === "/v1/sys/policies/acl/default")],
                [NOMAD_SETUP_VAULT.policy, false],
            );
        });
        it("grants no templated policy when none of its readable policies names an accessor", async () => {
            cluster.world.policyText = () => 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n';
            assert.strictEqual(
                (await expectations())[2],
                `policy (none) (no token policy of role ${NOMAD_SETUP_VAULT.role} names an auth_jwt_ accessor)`,
            );
        });
    });

    describe("the audience", () => {
        it("is --audience's when given", async () => {
            assert.strictEqual((await expectations({ audience: "nomad.io" }))[3], "audience nomad.io (--audience)");
        });
        it("is the role's bound audience when the agents sign for none", async () => {
            cluster.world.agentAudience = [];
            assert.strictEqual((await expectations())[3], `audience vault.io (bound_audiences of role ${NOMAD_SETUP_VAULT.role})`);
        });
        it("is the tutorial's when neither the agents nor a role say", async () => {
            cluster.world.agentAudience = [];
            assert.strictEqual((await expectations({ role: "nope" }))[3], "audience vault.io (the tutorial's)");
        });
        it("is the one the probe's identity is made for", async () => {
            assert.deepStrictEqual((await discover({ probe: true, audience: "nomad.io" })).target.probe, { audience: "nomad.io" });
        });
    });

    describe("what it says of itself", () => {
        it("says drift is checked against --expect when given, and how to have it checked otherwise", async () => {
            const [withExpect, without] = [await expectations({ expect: { token_period: 1800 } }), await expectations()];
            assert.deepStrictEqual(
                [
                    withExpect.includes("declared role: --expect"),
                    without.includes("declared role: none (drift is not checked; --expect role.json)"),
                ],
                [true, true],
            );
        });
        it("says what it could not read when Vault does not answer", async () => {
            const [gone] = await closedAddresses(1);
            const found = await discoverTarget({ ...cluster.connection, vaultAddress: gone }, { role: "nomad-workloads" });
            assert.deepStrictEqual(found.expectations.slice(0, 2), [
                "JWT mount jwt-nomad/ (the agents' jwt_auth_backend_path); JWT mounts in Vault: not read",
                "role nomad-workloads (--role); bound_audiences not read",
            ]);
        });
    });
});
