// What adopt reads of a cluster, against the fakes: what discovery finds, and beyond it the mount's
// entry, the policy's text, the KV mounts, the jobs that use Vault with their source, the roles of
// their own, the namespaces; and what it could not read, and why.
import * as assert from "assert";
import { readCluster } from "../adopt/cluster";
import { renderGrants } from "../components/jobVaultRole";
import { FakeCluster, NOMAD_SETUP_VAULT, apiJobspec, startFakeCluster } from "./fakeCluster";
import { documentedPolicy, nomadGate, vaultGate, VERIFY_NOMAD_TOKEN, VERIFY_VAULT_TOKEN } from "./fakePolicies";
import { ACCESSOR } from "./fakeStack";

describe("adopt reads", function () {
    this.timeout(30_000);
    let cluster: FakeCluster;
    beforeEach(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
    });
    afterEach(() => cluster.close());
    const read = (authPath?: string) => readCluster(cluster.connection, authPath);

    it("the mount discovery chose, its entry, its default role and templated policy", async () => {
        const facts = await read();
        assert.deepStrictEqual(
            [facts.jwtPath, facts.jwtMounts, facts.mount, facts.roleName, facts.role?.token_period, facts.policyName, facts.policyText],
            [
                "jwt-nomad",
                ["jwt-nomad"],
                { ...facts.mount, accessor: ACCESSOR, description: "", local: false },
                "nomad-workloads",
                1800,
                "nomad-workloads",
                NOMAD_SETUP_VAULT.policyText(ACCESSOR),
            ],
        );
    });
    it("what discovery found, without what verify alone needs", async () => {
        const facts = await read();
        assert.deepStrictEqual(
            [facts.found.length, facts.found.some((line) => line.startsWith("declared role")), facts.unread, facts.agentsUnread],
            [4, false, [], undefined],
        );
    });
    it("the agents' vault block and the mount's config", async () => {
        const facts = await read();
        assert.deepStrictEqual(
            [facts.agentVault?.DefaultIdentity?.Audience, facts.authConfig?.jwt_supported_algs],
            [["vault.io"], ["EdDSA", "RS256"]],
        );
    });
    it("the mount the agents name with a trailing slash, as nomad setup vault's sample writes it", async () => {
        cluster.world.agentJwtPath = "jwt-nomad/";
        const facts = await read();
        assert.deepStrictEqual([facts.jwtPath, facts.role?.token_period], ["jwt-nomad", 1800]);
    });
    it("the KV mounts and their version: 1 where the mount names none", async () => {
        cluster.world.kvMounts = { secret: "2", legacy: null, old: "1", "team/kv": "2" };
        assert.deepStrictEqual((await read()).kvMounts, { secret: "2", legacy: "1", old: "1", "team/kv": "2" });
    });
    it("the mount --auth-path names, among several", async () => {
        cluster.world.otherMounts = { "jwt-legacy": { defaultRole: "", roles: [] } };
        const facts = await read("jwt-legacy");
        assert.deepStrictEqual([facts.jwtPath, facts.mount?.accessor], ["jwt-legacy", "auth_jwt_0e0"]);
    });
    it("the Vault cluster each task's vault block names", async () => {
        cluster.world.jobs = [{ ID: "edge", Namespace: "default", Cluster: "secondary", Submission: { Source: "" } }];
        assert.deepStrictEqual((await read()).jobs![0].vaultTasks, [{ task: "edge", role: "", cluster: "secondary" }]);
    });
    it("each job that uses Vault, with its tasks' vault blocks, the secrets it reads and its source", async () => {
        const [api] = (await read()).jobs!;
        assert.deepStrictEqual(api, {
            id: "api",
            namespace: "default",
            parentId: "",
            version: 0,
            vaultTasks: [{ task: "api", role: "", cluster: "default" }],
            secretPaths: ["secret/data/default/api/config"],
            submission: { ...api.submission!, Source: apiJobspec("secret"), Format: "hcl2", VariableFlags: null, Variables: "" },
            sourceMissing: undefined,
        });
    });
    it("only the secrets a job reads: not what it writes or lists, nor a path it builds when it runs", async () => {
        cluster.world.jobs[0].Templates = [
            '{{with secret "secret/data/default/api/config"}}{{end}}',
            '{{with secret "pki/issue/api" "common_name=api.service"}}{{end}}',
            '{{range secrets "secret/metadata/default/"}}{{end}}',
            '{{with secret (printf "secret/data/%s" (env "NOMAD_JOB_NAME"))}}{{end}}',
        ];
        assert.deepStrictEqual((await read()).jobs![0].secretPaths, ["secret/data/default/api/config"]);
    });
    it("the source of the job's current version, and what Nomad answered when it keeps none", async () => {
        cluster.world.jobs = [
            { ID: "versioned", Namespace: "default", Version: 3, Submission: { Source: 'job "versioned" {}' } },
            { ID: "lost", Namespace: "default", ParentID: "nightly" },
        ];
        const jobs = (await read()).jobs!;
        assert.deepStrictEqual(
            jobs.map((j) => [j.id, j.version, j.parentId, j.submission?.Source, j.sourceMissing]),
            [
                ["versioned", 3, "", 'job "versioned" {}', undefined],
                ["lost", 0, "nightly", undefined, "HTTP 404 job source not found"],
            ],
        );
    });
    it("no job without a vault block, nor one gone since the list", async () => {
        cluster.world.jobs = [
            { ID: "plain", Namespace: "default", NoVault: true },
            { ID: "gone", Namespace: "default", Gone: true },
        ];
        assert.deepStrictEqual((await read()).jobs, []);
    });
    it("the roles jobs name besides the default one, with the text of each token policy but default", async () => {
        cluster.world.jobs = [
            { ID: "reporter", Namespace: "default", Role: "reporter-db" },
            { ID: "other", Namespace: "default", Role: "nomad-workloads" },
        ];
        cluster.world.jobRoles = {
            "reporter-db": {
                policy: renderGrants([{ path: "secret/data/x", capabilities: ["read"] }]),
                tokenPolicies: ["default", "reporter-db"],
            },
        };
        const { jobRoles } = await read();
        assert.deepStrictEqual(
            [Object.keys(jobRoles), jobRoles["reporter-db"].data?.token_policies, jobRoles["reporter-db"].policies],
            [
                ["reporter-db"],
                ["default", "reporter-db"],
                { "reporter-db": renderGrants([{ path: "secret/data/x", capabilities: ["read"] }]) },
            ],
        );
    });
    it("a role jobs name that does not exist, as none, which is no failed read", async () => {
        cluster.world.jobs = [{ ID: "reporter", Namespace: "default", Role: "missing" }];
        const facts = await read();
        assert.deepStrictEqual([facts.jobRoles, facts.unread], [{ missing: { data: undefined, policies: {} } }, []]);
    });
    it("a token policy of a job's role that does not exist, as none, which is no failed read", async () => {
        cluster.world.jobs = [{ ID: "reporter", Namespace: "default", Role: "reporter-db" }];
        cluster.world.jobRoles = { "reporter-db": { policy: "", tokenPolicies: ["reporter-gone"] } };
        const facts = await read();
        assert.deepStrictEqual([facts.jobRoles["reporter-db"].policies, facts.unread], [{ "reporter-gone": undefined }, []]);
    });
    it("a job of another namespace than default, in its namespace", async () => {
        cluster.world.jobs = [{ ID: "web", Namespace: "team", Submission: { Source: 'job "web" {}' } }];
        const jobs = (await read()).jobs!;
        assert.deepStrictEqual(
            jobs.map((j) => [j.namespace, j.id, j.submission?.Source]),
            [["team", "web", 'job "web" {}']],
        );
    });
    it("the namespaces, by name", async () => {
        cluster.world.namespaces = [{ Name: "team", Description: "Team A's jobs" }];
        const { namespaces } = await read();
        assert.deepStrictEqual([Object.keys(namespaces!), namespaces!.team.Description], [["default", "team"], "Team A's jobs"]);
    });
    it("no policy text when the role has no templated policy", async () => {
        cluster.world.policyText = () => 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n';
        const facts = await read();
        assert.deepStrictEqual([facts.policyName, facts.policyText], ["", undefined]);
    });
    it("what it could not read, with the capability its token lacks; the agents' block apart", async () => {
        cluster.world.nomadGate = await nomadGate("");
        const facts = await readCluster({ ...cluster.connection, nomadToken: VERIFY_NOMAD_TOKEN });
        assert.deepStrictEqual(
            [facts.agentsUnread, facts.unread],
            [
                "the agents' vault block (agent/self): not read (the token lacks agent:read on /v1/agent/self)",
                [
                    "the jobs (jobs?namespace=*): not read (the token lacks namespace list-jobs on /v1/jobs)",
                    "the namespaces (namespaces): not read (HTTP 403 Permission denied)",
                ],
            ],
        );
    });
    describe("what its Vault token may not read", () => {
        const readWith = async (policy: string) => {
            cluster.world.vaultGate = await vaultGate(policy);
            cluster.world.jobs = [{ ID: "reporter", Namespace: "default", Role: "reporter-db" }];
            cluster.world.jobRoles = { "reporter-db": { policy: renderGrants([{ path: "secret/data/x", capabilities: ["read"] }]) } };
            return (await readCluster({ ...cluster.connection, vaultToken: VERIFY_VAULT_TOKEN })).unread;
        };
        const adoptPolicy = documentedPolicy("vault", "adopt");

        it("the mounts", async () => {
            assert.deepStrictEqual(await readWith(adoptPolicy.replace(/path "sys\/auth" \{[^}]*\}/, "")), [
                "JWT mounts (sys/auth): not read (the token lacks read on sys/auth)",
                "the JWT mount (sys/auth): not read (the token lacks read on sys/auth)",
            ]);
        });
        it("the secrets engines", async () => {
            assert.deepStrictEqual(await readWith(adoptPolicy.replace(/path "sys\/mounts" \{[^}]*\}/, "")), [
                "the secrets engines (sys/mounts): not read (the token lacks read on sys/mounts)",
            ]);
        });
        it("a job's role", async () => {
            const policy = adoptPolicy.replace('path "auth/+/role/+"', 'path "auth/+/role/nomad-workloads"');
            assert.deepStrictEqual(await readWith(policy), [
                "auth/jwt-nomad/role/reporter-db: not read (the token lacks read on auth/jwt-nomad/role/reporter-db)",
            ]);
        });
        it("the policy of a job's role", async () => {
            const policy = adoptPolicy.replace('path "sys/policies/acl/+"', 'path "sys/policies/acl/nomad-workloads"');
            assert.deepStrictEqual(await readWith(policy), [
                "sys/policies/acl/reporter-db: not read (the token lacks read on sys/policies/acl/reporter-db)",
            ]);
        });
    });
});
