// adopt refuses a cluster the program cannot say as it is, naming what and why, and writes nothing;
// it says what the first `up` would change where only the words differ.
import * as assert from "assert";
import * as fs from "fs";
import { EXIT } from "../automation/exitCodes";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { adoptCluster } from "./adoptHarness";
import { FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster } from "./fakeCluster";
import { nomadGate, VERIFY_NOMAD_TOKEN } from "./fakePolicies";

/** The refusals adopt printed, one line each (without their fix). */
const refusalsOf = (out: string) =>
    out
        .split("\n")
        .filter((line) => line.startsWith("  - "))
        .map((line) => line.slice(4));

describe("adopt refuses", function () {
    this.timeout(60_000);
    let cluster: FakeCluster;
    beforeEach(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
    });
    afterEach(() => cluster.close());

    /** adopt's exit code, refusals, and whether it wrote anything. */
    const refused = async (args: string[] = [], env = cluster.env) => {
        const adopted = await adoptCluster(cluster, args, { env });
        return {
            code: adopted.result.code,
            refusals: refusalsOf(adopted.result.out),
            out: adopted.result.out,
            wrote: fs.readdirSync(adopted.project),
        };
    };

    it("two JWT mounts, and no agent config to choose between them", async () => {
        cluster.world.otherMounts = { "jwt-legacy": { defaultRole: "", roles: [] } };
        cluster.world.nomadGate = await nomadGate('namespace "*" {\n  policy = "read"\n}\n');
        const { code, refusals, wrote } = await refused([], { ...cluster.env, NOMAD_TOKEN: VERIFY_NOMAD_TOKEN });
        assert.deepStrictEqual(
            [code, refusals, wrote],
            [
                EXIT.failed,
                [
                    "sys/auth: JWT mounts in Vault: [jwt-legacy, jwt-nomad], and no agent's vault block names jwt_auth_backend_path to choose between them (the agents' vault block (agent/self): not read (the token lacks agent:read on /v1/agent/self)).",
                ],
                [],
            ],
        );
    });
    it("nothing of the two JWT mounts once --auth-path chooses one", async () => {
        cluster.world.otherMounts = { "jwt-legacy": { defaultRole: "", roles: [] } };
        cluster.world.nomadGate = await nomadGate('namespace "*" {\n  policy = "read"\n}\n');
        const { code, out } = await refused(["--auth-path", "jwt-nomad/"], { ...cluster.env, NOMAD_TOKEN: VERIFY_NOMAD_TOKEN });
        assert.deepStrictEqual([code, /the other JWT mounts \[jwt-legacy\]/.test(out)], [EXIT.ok, true]);
    });
    it("an --auth-path where no JWT method is mounted", async () => {
        const { refusals } = await refused(["--auth-path", "jwt-other"]);
        assert.deepStrictEqual(refusals, [
            "--auth-path jwt-other/: no JWT auth method is mounted there (JWT mounts in Vault: [jwt-nomad]).",
        ]);
    });
    it("a role field the program cannot express, naming the field, its value and why", async () => {
        cluster.world.role = { ...cluster.world.role!, token_max_ttl: 86400 };
        const { code, refusals, wrote } = await refused();
        assert.deepStrictEqual(
            [code, refusals, wrote],
            [
                EXIT.failed,
                [
                    "auth/jwt-nomad/role/nomad-workloads: token_max_ttl is 86400, where the program leaves it unset (null): no configuration key says it.",
                ],
                [],
            ],
        );
    });
    it("a role that binds claims, which the default role does not", async () => {
        cluster.world.role = { ...cluster.world.role!, bound_claims: { nomad_namespace: "prod" } };
        assert.deepStrictEqual((await refused()).refusals, [
            'auth/jwt-nomad/role/nomad-workloads: bound_claims is {"nomad_namespace":"prod"}, where the program leaves it unset (null): no configuration key says it.',
        ]);
    });
    it("a role with more token policies than the templated one", async () => {
        cluster.world.role = { ...cluster.world.role!, token_policies: ["nomad-workloads", "shared-read"] };
        assert.deepStrictEqual((await refused()).refusals, [
            'auth/jwt-nomad/role/nomad-workloads: token_policies is ["nomad-workloads","shared-read"], where the program writes ["nomad-workloads"]: no configuration key says it.',
        ]);
    });
    it("a role whose leeway is not Vault's default", async () => {
        cluster.world.role = { ...cluster.world.role!, clock_skew_leeway: 0 };
        assert.deepStrictEqual((await refused()).refusals, [
            "auth/jwt-nomad/role/nomad-workloads: clock_skew_leeway is 0, where the program leaves it unset (60): no configuration key says it.",
        ]);
    });
    it("a policy that is not the templated one", async () => {
        cluster.world.policyText = (accessor) =>
            `${renderWorkloadsPolicy(accessor, "secret")}\npath "secret/data/shared/*" {\n  capabilities = ["read"]\n}\n`;
        const { code, refusals } = await refused();
        assert.deepStrictEqual(
            [code, refusals],
            [
                EXIT.failed,
                [
                    "sys/policies/acl/nomad-workloads: is not the templated policy the program writes for secret/ and the mount's accessor auth_jwt_d34481ad: it grants other paths or capabilities.",
                ],
            ],
        );
    });
    it("a templated policy on another accessor than the mount's (a re-created mount)", async () => {
        cluster.world.policyAccessor = "auth_jwt_5f1e0c2a";
        assert.match(
            (await refused()).refusals[0],
            /^sys\/policies\/acl\/nomad-workloads: is not the templated policy the program writes for secret\/ and the mount's accessor auth_jwt_d34481ad/,
        );
    });
    it("no templated policy among the role's", async () => {
        cluster.world.policyText = () => 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n';
        assert.deepStrictEqual((await refused()).refusals, [
            "auth/jwt-nomad/role/nomad-workloads: none of its token_policies [nomad-workloads] is a templated policy (naming an auth_jwt_ accessor).",
        ]);
    });
    it("a config field the program cannot express", async () => {
        cluster.world.authConfig = { ...cluster.world.authConfig, bound_issuer: "https://nomad.example.com" };
        assert.deepStrictEqual((await refused()).refusals, [
            'auth/jwt-nomad/config: bound_issuer is "https://nomad.example.com", where the program writes "": no configuration key says it.',
        ]);
    });
    it("a local mount", async () => {
        cluster.world.jwtMount = { local: true };
        assert.match((await refused()).refusals[0], /^the mount jwt-nomad\/: is local to this Vault cluster \(local = true\)/);
    });
    it("agents that sign for another audience than the role binds", async () => {
        cluster.world.agentAudience = ["nomad.io"];
        assert.deepStrictEqual((await refused()).refusals, [
            "the agents' default_identity: signs for [nomad.io], but role nomad-workloads binds [vault.io]: jobs cannot log in today.",
        ]);
    });
    it("a KV mount of version 1 under the templated policy", async () => {
        cluster.world.kvMounts = { secret: "1" };
        assert.deepStrictEqual((await refused()).refusals, [
            "the KV mount secret/: is KV version 1, but the templated policy grants KV v2 paths (data/, metadata/).",
        ]);
    });
    it("a value the program's checks refuse, naming the key", async () => {
        cluster.world.role = { ...cluster.world.role!, claim_mappings: { nomad_job_id: "nomad_job_id", nomad_namespace: "ns" } };
        assert.deepStrictEqual((await refused()).refusals, [
            "the configuration that says what the cluster holds: vaultnomad:claimMappings: the templated policy reads the alias metadata nomad_namespace: map the claim nomad_namespace to it.",
        ]);
    });
    it("a cluster it cannot read, with the capability its token lacks", async () => {
        cluster.world.nomadGate = await nomadGate('agent {\n  policy = "read"\n}\n');
        const { refusals } = await refused([], { ...cluster.env, NOMAD_TOKEN: VERIFY_NOMAD_TOKEN });
        assert.deepStrictEqual(refusals, [
            "reading the cluster: the jobs (jobs?namespace=*): not read (the token lacks namespace list-jobs on /v1/jobs)",
            "reading the cluster: the namespaces (namespaces): not read (HTTP 403 Permission denied)",
        ]);
    });
    it("printing, under --json, one document that says so and lists every refusal", async () => {
        cluster.world.role = { ...cluster.world.role!, token_max_ttl: 86400, token_num_uses: 3 };
        const adopted = await adoptCluster(cluster, ["--json"]);
        const document = JSON.parse(adopted.result.out);
        assert.deepStrictEqual(
            [
                adopted.result.code,
                document.adopted,
                document.written,
                document.refusals.map((r: { reason: string }) => r.reason.split(" is ")[0]),
            ],
            [EXIT.failed, false, [], ["token_max_ttl", "token_num_uses"]],
        );
    });
});

describe("adopt, where only the words differ", function () {
    this.timeout(60_000);
    it("adopts a templated policy written in other words, and says the first up rewrites its text", async () => {
        const cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
        try {
            // The tutorial's file, pasted by hand with the accessor: no indentation.
            cluster.world.policyText = (accessor) => renderWorkloadsPolicy(accessor, "secret").replace(/\n {2}/g, "\n");
            const adopted = await adoptCluster(cluster, ["--json"]);
            const document = JSON.parse(adopted.result.out);
            assert.deepStrictEqual(
                [adopted.result.code, document.changes, document.next[document.next.length - 1].why],
                [
                    EXIT.ok,
                    [
                        "the policy nomad-workloads: the same grants in other words; the first `up` writes the program's text (preview shows it as an update)",
                    ],
                    "no change but those listed above",
                ],
            );
        } finally {
            await cluster.close();
        }
    });
});
