// verify's checks of the templated policy as jobs meet it: the accessor it names (accessor-drift),
// what each job's role lets it read (capabilities), and job IDs or vault blocks that break the
// scheme (collisions). One fake stack; each test changes one thing of its world.
import * as assert from "assert";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { DENIED_CAUSE } from "../verify/readMessages";
import { CheckResult } from "../verify/run";
import { Target } from "../verify/types";
import { readFixture } from "./apiFixtures";
import { ACCESSOR, checkOnly, FakeStack, KEYS, probeIdentity, sharedFakeStack, World } from "./fakeStack";

const STALE = "auth_jwt_0ld0ld00";
const PROBE_PATH = "kv/data/default/vaultnomad-verify-probe/verify";

describe("verify: the templated policy as jobs meet it", function () {
    this.timeout(20_000);
    const shared = sharedFakeStack();
    let stack: FakeStack;
    let world: World;
    before(() => ({ stack, world } = shared));

    const check = (id: string, target: Partial<Target> = {}): Promise<CheckResult> => checkOnly({ ...stack.target(), ...target }, id);
    /** What a failed or warned check says, in the order a user reads it. */
    const told = (result: CheckResult) => [result.status, result.evidence, result.cause, result.fix];

    describe("accessor-drift", () => {
        it("passes when the policy names the JWT mount's live accessor", async () => {
            const result = await check("accessor-drift");
            assert.deepStrictEqual([result.status, result.evidence], ["pass", `nomad-workloads names ${ACCESSOR}`]);
        });
        it("fails when the policy names a re-created mount's old accessor, naming both", async () => {
            world.policyAccessor = STALE;
            assert.deepStrictEqual(told(await check("accessor-drift")), [
                "fail",
                `policy nomad-workloads names [${STALE}], the mount's accessor is ${ACCESSOR}`,
                "Permission denied after the auth mount was re-created: the policy still templates on the old accessor.",
                "npm run stack -- up renders the policy from the live accessor.",
            ]);
        });
        it("fails when the policy names an old accessor beside the live one", async () => {
            world.policyText = (accessor) => renderWorkloadsPolicy(accessor) + renderWorkloadsPolicy(STALE);
            const result = await check("accessor-drift");
            assert.deepStrictEqual(
                [result.status, result.evidence],
                ["fail", `policy nomad-workloads names [${ACCESSOR}, ${STALE}], the mount's accessor is ${ACCESSOR}`],
            );
        });
        it("fails when the policy names no accessor: it is not templated", async () => {
            world.policyText = () => 'path "kv/data/default/*" {\n  capabilities = ["read"]\n}\n';
            const result = await check("accessor-drift");
            assert.deepStrictEqual(
                [result.status, result.evidence],
                ["fail", `policy nomad-workloads names [], the mount's accessor is ${ACCESSOR}`],
            );
        });
        it("fails when Vault has no such policy", async () => {
            const result = await check("accessor-drift", { policyName: "gone" });
            assert.deepStrictEqual([result.status, result.evidence], ["fail", `policy gone names [], the mount's accessor is ${ACCESSOR}`]);
        });
        it("fails when the JWT auth mount is gone, telling to re-create it", async () => {
            world.mount = "jwt-elsewhere";
            assert.deepStrictEqual(told(await check("accessor-drift")), [
                "fail",
                "no auth mount jwt-nomad/",
                "The JWT auth method is gone.",
                "npm run stack -- up",
            ]);
        });
        it("skips a role that grants no templated policy", async () => {
            const result = await check("accessor-drift", { policyName: "" });
            assert.deepStrictEqual(
                [result.status, result.evidence, result.runWith],
                [
                    "skip",
                    "no templated policy: none of the role's token_policies names an auth_jwt_ accessor",
                    "--role <a role whose policy is templated>",
                ],
            );
        });
    });

    describe("capabilities", () => {
        /** The fix for a path no rule of the job's role matches, naming what the role grants the job. */
        const GRANT = (job: string, path: string, granted: string, role = "nomad-workloads") =>
            `${job}: role ${role}: grant "read" on "${path}" in one of the token's policies, or move the secret under a path role ${role} grants this job (${granted})`;
        /** Denied: no rule of the role's policies matches the path. */
        const NO_RULE = (path: string, policies = "default, nomad-workloads") =>
            `read ${path}: no rule of policies ${policies} matches "${path}"`;

        it("passes when every job's role grants what its templates read, and Vault agrees for the probe", async () => {
            const result = await check("capabilities");
            assert.deepStrictEqual(
                [result.status, result.evidence],
                [
                    "pass",
                    `1 job(s) using the default role and 1 with a role of their own can read what their templates read; Vault grants the probe read on ${PROBE_PATH}`,
                ],
            );
        });
        it("fails a default-role job reading another job's path, naming the job and the path", async () => {
            world.jobs.push({ ID: "web", Namespace: "default", Templates: ['{{with secret "kv/data/default/mongo/config"}}{{end}}'] });
            assert.deepStrictEqual(told(await check("capabilities")), [
                "fail",
                `denied: default/web: ${NO_RULE("kv/data/default/mongo/config")}`,
                DENIED_CAUSE,
                GRANT("default/web", "kv/data/default/mongo/config", "kv/data/default/web, kv/data/default/web/*"),
            ]);
        });
        it("names every path denied", async () => {
            world.jobs[0].Templates = ['{{with secret "kv/data/default/web/a"}}{{end}}', '{{with secret "kv/data/default/web/b"}}{{end}}'];
            assert.strictEqual(
                (await check("capabilities")).evidence,
                `denied: default/mongo: ${NO_RULE("kv/data/default/web/a")}; default/mongo: ${NO_RULE("kv/data/default/web/b")}`,
            );
        });
        it("passes a KV v2 template path without data/: consul-template inserts it", async () => {
            world.jobs[0].Templates = ['{{with secret "kv/default/mongo/config"}}{{end}}'];
            assert.strictEqual((await check("capabilities")).status, "pass");
        });
        it("judges a KV v2 template path without data/ at the path Vault receives, data/ inserted", async () => {
            world.jobs[0].Templates = ['{{with secret "kv/default/web/config"}}{{end}}'];
            assert.strictEqual(
                (await check("capabilities")).evidence,
                `denied: default/mongo: read kv/data/default/web/config (template secret "kv/default/web/config"): no rule of policies default, nomad-workloads matches "kv/data/default/web/config"`,
            );
        });
        it("keeps a KV v1 template path as written", async () => {
            world.kvMounts = { kv: "1" };
            world.jobs[0].Templates = ['{{with secret "kv/default/mongo/config"}}{{end}}'];
            assert.match((await check("capabilities")).evidence, /^denied: default\/mongo: read kv\/default\/mongo\/config: /);
        });
        it("fails when the policy grants the job's path but not read on it", async () => {
            world.policyText = (accessor) => renderWorkloadsPolicy(accessor).replaceAll('["read"]', '["list"]');
            assert.deepStrictEqual(told(await check("capabilities")), [
                "fail",
                'denied: default/mongo: read kv/data/default/mongo/config: the rule "kv/data/default/mongo/*" in policy nomad-workloads grants [list]',
                DENIED_CAUSE,
                'default/mongo: role nomad-workloads: add "read" to "kv/data/default/mongo/*" in policy nomad-workloads: it outranks every other rule on this path',
            ]);
        });
        it("judges a job that names the default role by the templated policy", async () => {
            world.jobs.push({
                ID: "web",
                Namespace: "default",
                Role: "nomad-workloads",
                Templates: ['{{with secret "kv/data/default/web/config"}}{{end}}', '{{with secret "kv/data/default/mongo/config"}}{{end}}'],
            });
            assert.strictEqual((await check("capabilities")).evidence, `denied: default/web: ${NO_RULE("kv/data/default/mongo/config")}`);
        });
        it("counts a job naming the default role among the default role's", async () => {
            world.jobs.push({ ID: "web", Namespace: "default", Role: "nomad-workloads", Templates: [] });
            assert.match((await check("capabilities")).evidence, /^2 job\(s\) using the default role and 1 with a role of their own /);
        });
        it("fails a job whose own role's policies do not grant its secret, naming the role", async () => {
            world.jobRoles["mongo-dynamic-secret"].policy = 'path "database/creds/other" {\n  capabilities = ["read"]\n}\n';
            assert.deepStrictEqual(told(await check("capabilities")), [
                "fail",
                `denied: default/mongo-query (role mongo-dynamic-secret): ${NO_RULE("database/creds/mongo", "default, mongo-dynamic-secret")}`,
                DENIED_CAUSE,
                GRANT("default/mongo-query", "database/creds/mongo", "database/creds/other", "mongo-dynamic-secret"),
            ]);
        });
        it("fails a job whose own role has no policies (Vault reads back token_policies null)", async () => {
            world.jobRoles["mongo-dynamic-secret"].tokenPolicies = null;
            assert.strictEqual(
                (await check("capabilities")).evidence,
                'denied: default/mongo-query (role mongo-dynamic-secret): read database/creds/mongo: no rule of policy default matches "database/creds/mongo"',
            );
        });
        it("fails a job whose own role's policy grants its secret a capability other than read", async () => {
            world.jobRoles["mongo-dynamic-secret"].policy = 'path "database/creds/mongo" {\n  capabilities = ["list"]\n}\n';
            assert.strictEqual(
                (await check("capabilities")).evidence,
                'denied: default/mongo-query (role mongo-dynamic-secret): read database/creds/mongo: the exact rule "database/creds/mongo" in policy mongo-dynamic-secret grants [list]',
            );
        });
        it("does not grant a job of its own role what only the default role's templated policy grants", async () => {
            world.jobs[1].Templates = ['{{with secret "kv/data/default/mongo-query/config"}}{{end}}'];
            assert.strictEqual(
                (await check("capabilities")).evidence,
                `denied: default/mongo-query (role mongo-dynamic-secret): ${NO_RULE("kv/data/default/mongo-query/config", "default, mongo-dynamic-secret")}`,
            );
        });
        it("fails every default-role job when Vault has not the policy the role names", async () => {
            world.role = { ...world.role, token_policies: ["gone"] };
            const result = await check("capabilities");
            assert.deepStrictEqual(
                [result.status, result.evidence],
                ["fail", `denied: default/mongo: ${NO_RULE("kv/data/default/mongo/config", "default, gone")}`],
            );
        });
        it("names, in the fix, what each denied job may read", async () => {
            world.jobs.push(
                { ID: "web", Namespace: "default", Templates: ['{{with secret "kv/data/default/mongo/config"}}{{end}}'] },
                { ID: "api", Namespace: "team", Templates: ['{{with secret "kv/data/team/web/config"}}{{end}}'] },
            );
            assert.strictEqual(
                (await check("capabilities")).fix,
                `${GRANT("default/web", "kv/data/default/mongo/config", "kv/data/default/web, kv/data/default/web/*")}; ${GRANT("team/api", "kv/data/team/web/config", "kv/data/team/api, kv/data/team/api/*")}`,
            );
        });
        it("names, in the fix, a job's own role that Vault does not have", async () => {
            world.jobRoles = {};
            assert.strictEqual(
                (await check("capabilities")).fix,
                'default/mongo-query: role mongo-dynamic-secret is missing at jwt-nomad/ (HTTP 404 {"errors":[]}): create it, or name a role that exists',
            );
        });
        it("leaves the default policy out of a role with token_no_default_policy", async () => {
            world.jobRoles["mongo-dynamic-secret"].policy = 'path "database/creds/other" {\n  capabilities = ["read"]\n}\n';
            world.jobRoles["mongo-dynamic-secret"].role = {
                ...readFixture("vault.jwt-role").body.data,
                token_policies: ["mongo-dynamic-secret"],
                token_no_default_policy: true,
            };
            assert.match(
                (await check("capabilities")).evidence,
                /: no rule of policy mongo-dynamic-secret matches "database\/creds\/mongo"$/,
            );
        });
        it("counts a job one of whose tasks logs in with a role of its own among those with a role of their own", async () => {
            world.jobs.push({
                ID: "web",
                Namespace: "default",
                Templates: ['{{with secret "kv/data/default/web/config"}}{{end}}'],
                Sidecar: { Group: "cache", Role: "mongo-dynamic-secret" },
            });
            assert.match((await check("capabilities")).evidence, /^1 job\(s\) using the default role and 2 with a role of their own /);
        });
        it("fails a job whose own role Vault does not have, with Vault's answer", async () => {
            world.jobRoles = {};
            assert.match(
                (await check("capabilities")).evidence,
                /^denied: default\/mongo-query \(role mongo-dynamic-secret: HTTP 404\b.*\): read database\/creds\/mongo$/,
            );
        });
        it("fails when Vault itself denies the probe read on its own path, naming the path and the answer", async () => {
            world.probeCapabilities = ["deny"];
            assert.deepStrictEqual(told(await check("capabilities")), [
                "fail",
                `Vault's sys/capabilities-self for the probe's ${PROBE_PATH}: [deny], where the policies' text gives [read]`,
                "Vault does not render the templated policy as written for a real login: the alias metadata it keys on is missing (claim_mappings) or the accessor is stale.",
                "Check the role's claim_mappings and the accessor-drift check.",
            ]);
        });
        it("fails when Vault grants the probe its path but not read", async () => {
            world.probeCapabilities = ["create", "update"];
            const result = await check("capabilities");
            assert.deepStrictEqual(
                [result.status, result.evidence],
                [
                    "fail",
                    `Vault's sys/capabilities-self for the probe's ${PROBE_PATH}: [create, update], where the policies' text gives [read]`,
                ],
            );
        });
        it("passes when Vault grants the probe root", async () => {
            world.probeCapabilities = ["root"];
            const result = await check("capabilities");
            assert.deepStrictEqual(
                [result.status, result.evidence.endsWith(`Vault grants the probe read on ${PROBE_PATH}`)],
                ["pass", true],
            );
        });
        it("asks Vault about the path of the probe's own namespace and job, from its identity", async () => {
            world.probe = probeIdentity(KEYS.rsa, { nomad_namespace: "team", nomad_job_id: "other" });
            assert.match((await check("capabilities")).evidence, /; Vault grants the probe read on kv\/data\/team\/other\/verify$/);
        });
        it("asks Vault about the KV mount the policy's read grants are on", async () => {
            world.policyText = (accessor) => renderWorkloadsPolicy(accessor).replaceAll('"kv/', '"secret/');
            world.jobs = [];
            assert.match((await check("capabilities")).evidence, /; Vault grants the probe read on secret\/data\/default\//);
        });
        it("passes on the policy alone when the probe's token may not ask Vault (a role without the default policy)", async () => {
            world.probeCapabilities = null;
            const result = await check("capabilities");
            assert.deepStrictEqual(
                [result.status, result.evidence],
                ["pass", "1 job(s) using the default role and 1 with a role of their own can read what their templates read"],
            );
        });
        it("passes on the policy alone without a probe", async () => {
            const result = await check("capabilities", { probe: undefined });
            assert.deepStrictEqual(
                [result.status, result.evidence],
                ["pass", "1 job(s) using the default role and 1 with a role of their own can read what their templates read"],
            );
        });
        it("leaves Vault's word out when the probe cannot log in (login-and-role reports why)", async () => {
            world.loginError = "error validating token: invalid subject (sub) claim";
            const result = await check("capabilities");
            assert.deepStrictEqual([result.status, result.evidence.includes("Vault grants")], ["pass", false]);
        });
        it("leaves Vault's word out when the policy grants read nowhere and no job reads", async () => {
            world.policyText = (accessor) => renderWorkloadsPolicy(accessor).replaceAll('["read"]', '["list"]');
            world.jobs = [];
            assert.strictEqual(
                (await check("capabilities")).evidence,
                "0 job(s) using the default role and 0 with a role of their own can read what their templates read",
            );
        });
        it("skips a role that grants no templated policy", async () => {
            const result = await check("capabilities", { policyName: "" });
            assert.deepStrictEqual([result.status, result.runWith], ["skip", "--role <a role whose policy is templated>"]);
        });
    });

    describe("collisions", () => {
        it("passes unique job IDs, counting only the jobs that use Vault", async () => {
            world.jobs.push({ ID: "static-site", Namespace: "default", NoVault: true });
            const result = await check("collisions");
            assert.deepStrictEqual([result.status, result.evidence], ["pass", "2 job(s) using Vault, IDs unique across namespaces"]);
        });
        it("leaves out a job deregistered between the list and its read", async () => {
            world.jobs.push({ ID: "api", Namespace: "default", Gone: true });
            assert.strictEqual((await check("collisions")).evidence, "2 job(s) using Vault, IDs unique across namespaces");
        });
        it("fails a job whose task has identities but none for Vault", async () => {
            world.jobs.push({ ID: "api", Namespace: "default", Identities: ["consul-service_api"] });
            assert.deepStrictEqual((await check("collisions")).evidence, "default/api: task(s) api have no vault_default identity");
        });
        it("names the identity of the Vault cluster a task's vault block names", async () => {
            world.jobs.push({ ID: "api", Namespace: "default", Cluster: "eu", Identities: ["vault_default"] });
            assert.deepStrictEqual((await check("collisions")).evidence, "default/api: task(s) api have no vault_eu identity");
        });
        it("passes a task that has other identities beside vault_default", async () => {
            world.jobs.push({ ID: "api", Namespace: "default", Identities: ["consul-service_api", "vault_default"] });
            assert.strictEqual((await check("collisions")).status, "pass");
        });
        it("names every task of a job without a Vault identity", async () => {
            world.jobs.push({
                ID: "api",
                Namespace: "default",
                NoIdentity: true,
                Sidecar: { Group: "cache", Role: "mongo-dynamic-secret" },
            });
            assert.strictEqual((await check("collisions")).evidence, "default/api: task(s) api, sidecar have no vault_default identity");
        });
        it("names every job without a Vault identity", async () => {
            world.jobs.push({ ID: "api", Namespace: "default", NoIdentity: true }, { ID: "web", Namespace: "team", NoIdentity: true });
            assert.strictEqual(
                (await check("collisions")).evidence,
                "default/api: task(s) api have no vault_default identity; team/web: task(s) web have no vault_default identity",
            );
        });
        it("fails a job submitted before the agents had default_identity, naming its task", async () => {
            world.jobs.push({ ID: "api", Namespace: "team", NoIdentity: true });
            assert.deepStrictEqual(told(await check("collisions")), [
                "fail",
                "team/api: task(s) api have no vault_default identity",
                "Those jobs were submitted before the agents had vault.default_identity (or under the token workflow, removed in Nomad 1.10): their allocations cannot log in to Vault.",
                "Resubmit them (nomad job run) now that the servers have default_identity; `nomad setup vault -check` lists them too.",
            ]);
        });
        it("fails a job without identity before warning of a shared job ID", async () => {
            world.jobs.push({ ID: "mongo", Namespace: "team", NoIdentity: true });
            assert.deepStrictEqual((await check("collisions")).evidence, "team/mongo: task(s) mongo have no vault_default identity");
        });
        it("warns of one job ID in several namespaces, naming them and the fix", async () => {
            world.jobs.push({ ID: "mongo", Namespace: "team", Templates: [] });
            assert.deepStrictEqual(told(await check("collisions")), [
                "warn",
                "mongo in default, team",
                "With user_claim /nomad_job_id, those jobs share one entity alias; its nomad_namespace metadata flips between logins and reads get 403 now and then.",
                "Rename the jobs, or give each namespace a role whose bound_claims pin nomad_namespace.",
            ]);
        });
        it("names every job ID shared across namespaces", async () => {
            world.jobs.push({ ID: "mongo", Namespace: "team" }, { ID: "mongo-query", Namespace: "team", Role: "mongo-dynamic-secret" });
            assert.strictEqual((await check("collisions")).evidence, "mongo in default, team; mongo-query in default, team");
        });
        it("warns of vault.policies left over, which workload identity ignores", async () => {
            world.jobs[1].Policies = ["mongo-root", "legacy"];
            assert.deepStrictEqual(told(await check("collisions")), [
                "warn",
                "default/mongo-query: vault.policies [mongo-root, legacy]",
                "vault.policies is ignored under workload identity; those jobs get only their role's policies.",
                "Remove vault.policies; grant through a role (vault { role = … }).",
            ]);
        });
        it("names every job with vault.policies", async () => {
            world.jobs.push({ ID: "api", Namespace: "default", Policies: ["a"] }, { ID: "web", Namespace: "team", Policies: ["b"] });
            assert.strictEqual((await check("collisions")).evidence, "default/api: vault.policies [a]; team/web: vault.policies [b]");
        });
        it("warns of a shared job ID before vault.policies", async () => {
            world.jobs.push({ ID: "mongo", Namespace: "team", Policies: ["legacy"] });
            assert.strictEqual((await check("collisions")).evidence, "mongo in default, team");
        });
    });
});
