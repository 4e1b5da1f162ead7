// Workloads (vaultnomad:workloads): Pulumi.workloads.example.yaml's third job, run through the
// program as the CLI would hand it over, and each rejection, before anything is registered.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { graphOfRun, missingOrderings, needlessEdges } from "../bench/graph";
import { requiredGraph } from "../bench/requiredGraph";
import { jwtRolesBindClaims } from "../policy/jwtRoles";
import { POLICIES } from "../policy/policies";
import { kvPolicyPathsMatch } from "../policy/vaultPolicies";
import { namespaceResourceName } from "../program/workloads";
import { ConfigError, loadSettings } from "../settings";
import { readWorkloads } from "../settings/workloads";
import { PROJECT_ROOT, ProgramError, ProgramRun, runProgram } from "../tools/programRecorder";
import { changed, violations } from "./policyHarness";
import { plaintextPathsOf } from "./secretWalker";

const EXAMPLE_STACK = "workloads.example";
const API_KEY = "api-key-decrypted-by-pulumi";

/** The example's workloads as Pulumi hands them to the program: JSON, encrypted leaves decrypted. */
function exampleWorkloads(): unknown[] {
    const example = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${EXAMPLE_STACK}.yaml`), "utf8")) as any;
    const decrypt = (value: unknown): unknown =>
        Array.isArray(value)
            ? value.map(decrypt)
            : value && typeof value === "object"
              ? "secure" in value
                  ? API_KEY
                  : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decrypt(v)]))
              : value;
    return decrypt(example.config["vaultnomad:workloads"]) as unknown[];
}

const API = { jobspec: "jobs/api.nomad.hcl", secrets: { config: { api_key: "k" } }, after: ["mongo"] };
const API_ROLE = {
    name: "api-db",
    grants: [
        { path: "kv/data/default/api/config", capabilities: ["read"] },
        { path: "database/creds/mongo", capabilities: ["read"] },
    ],
};
const WORKER = { jobspec: "tests/fixtures/workloads/worker.nomad.hcl" };

describe("workloads", function () {
    this.timeout(60_000);

    describe("Pulumi.workloads.example.yaml, and a job of the test's own after it", () => {
        // The test's job has no role and no secrets, runs in a namespace of its own, and waits for api
        // only through `after`.
        const workloads = () => JSON.stringify([...exampleWorkloads(), { ...WORKER, namespace: "team", after: ["api"] }]);
        let run: ProgramRun;
        const resources = () => run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: r.inputs ?? {} }));
        const byName = (name: string) => {
            const found = run.resources.find((r) => r.name === name);
            assert.ok(found, `no resource named ${name}`);
            return found;
        };

        // Each test runs the program itself, so that mutation testing knows which tests read which lines.
        beforeEach(async () => {
            run = await runProgram({
                stack: EXAMPLE_STACK,
                config: { workloads: workloads() },
                secretKeys: ["workloads"],
            });
        });

        it("writes the job's secret at kv/data/<namespace>/<job ID>/<name>", () => {
            const secret = run.one("vault:kv/secretV2:SecretV2", "kv-api-config").inputs!;
            assert.deepStrictEqual(
                [secret.mount, secret.name, JSON.parse(secret.dataJson)],
                ["kv", "default/api/config", { api_key: API_KEY }],
            );
        });
        it("keeps the secret value a Pulumi secret in every input that carries it", async () => {
            const leaks = (await Promise.all(run.resources.map((r) => plaintextPathsOf([API_KEY], r.props, r.name)))).flat();
            assert.deepStrictEqual(leaks, []);
        });
        it("creates the job's role, bound to its namespace and job ID, with the default role's settings", () => {
            const roles = run.ofType("vault:jwt/authBackendRole:AuthBackendRole").map((r) => r.inputs!);
            const api = roles.find((r) => r.roleName === "api-db")!;
            const tutorial = roles.find((r) => r.roleName === "mongo-dynamic-secret")!;
            const shared = (r: Record<string, any>) => {
                const { roleName: _n, boundClaims: _c, tokenPolicies: _p, ...rest } = r;
                return rest;
            };
            assert.deepStrictEqual(
                [api.boundClaims, api.tokenPolicies, shared(api)],
                [{ nomad_namespace: "default", nomad_job_id: "api" }, ["api-db"], shared(tutorial)],
            );
        });
        it("gives the role a policy of exactly its grants", () => {
            assert.strictEqual(
                run.one("vault:index/policy:Policy", "api-db-policy").inputs!.policy,
                'path "kv/data/default/api/config" {\n  capabilities = ["read"]\n}\n\npath "database/creds/mongo" {\n  capabilities = ["read"]\n}\n',
            );
        });
        it("registers the job with its variables and the ones the program sets", () => {
            assert.deepStrictEqual(run.one("nomad:index/job:Job", "api-job").inputs!.hcl2.vars, {
                image: "busybox:1.36",
                namespace: "default",
                kv_mount: "kv",
                vault_role: "api-db",
            });
        });
        it("starts the job after its secret, its role and policy, mongo, and the database role it reads", () => {
            const missing = ["kv-api-config", "api-db-role", "api-db-policy", "mongo-job", "database-role"].filter(
                (earlier) => !run.waitsFor(byName("api-job"), byName(earlier)),
            );
            assert.deepStrictEqual(missing, []);
        });
        it("makes nothing wait for the job but the job naming it in after", () => {
            const waiting = run.resources.filter((r) => r.custom && r.name !== "api-job" && run.waitsFor(r, byName("api-job")));
            assert.deepStrictEqual(
                waiting.map((r) => r.name),
                ["worker-job"],
            );
        });
        it("creates the namespace a workload runs in, before its job", () => {
            const namespace = run.one("nomad:index/namespace:Namespace", "jobs-namespace-team");
            assert.deepStrictEqual([namespace.inputs!.name, run.waitsFor(byName("worker-job"), namespace)], ["team", true]);
        });
        it("starts a job without a role right after the default role and policy, and of api's only after its job", () => {
            const direct = new Set(run.effectiveDependencies(byName("worker-job")).map((d) => d.resource.name));
            const names = ["workload-identity-role", "workload-identity-policy", "api-job", "api-db-role", "kv-api-config"];
            assert.deepStrictEqual(
                names.map((name) => direct.has(name)),
                [true, true, true, false, false],
            );
        });
        it("has the graph the configuration requires: nothing missing, nothing needless", async () => {
            const required = await requiredGraph({ workloads: workloads() }, EXAMPLE_STACK);
            const program = graphOfRun(run);
            assert.deepStrictEqual([missingOrderings(program, required), needlessEdges(program, required)], [[], []]);
        });
        it("passes every policy rule", async () => {
            const found = (await Promise.all(POLICIES.map((p) => violations(p, resources())))).flat();
            assert.deepStrictEqual(found, []);
        });
        it("is held by the policy pack: a role policy that stops granting the job's KV secret", async () => {
            const narrow = changed(
                resources(),
                "api-db-policy",
                (p) => (p.policy = 'path "database/creds/mongo" {\n  capabilities = ["read"]\n}\n'),
            );
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, narrow), [
                `Role api-db's policies do not let job api in namespace default read kv/data/default/api/config (no rule of policy api-db matches "kv/data/default/api/config"): grant it read.`,
                `Job api in namespace default: task api asks read kv/data/default/api/config, which role api-db's policies do not grant (no rule of policy api-db matches "kv/data/default/api/config").`,
            ]);
        });
        it("is held by the policy pack: a role that binds no claims", async () => {
            const open = changed(resources(), "api-db-role", (p) => delete p.boundClaims);
            assert.match(
                (await violations(jwtRolesBindClaims, open))[0],
                /^Role api-db is not the default role of jwt-nomad but binds no claims/,
            );
        });
    });

    describe("rejects a bad entry before creating anything, naming the entry and the field", () => {
        /** The program's rejection of these workloads, and what it had registered by then. */
        const rejection = (workloads: unknown[], secretKeys = ["workloads"]) =>
            runProgram({ config: { workloads: JSON.stringify(workloads) }, secretKeys }).then(
                () => assert.fail(`the program ran with ${JSON.stringify(workloads)}`),
                (err: ProgramError) => err,
            );
        const problemsOf = (error: ProgramError) => (error.cause as ConfigError).problems;

        // Faults of single entries, in one run (the program reports every problem at once, and each
        // run costs the suite a program load). `at` is the faulty one of the case's entries.
        const faults: Array<{ what: string; entries: Array<Record<string, unknown>>; at?: number; message: RegExp }> = [
            {
                what: "a missing jobspec",
                entries: [{ jobspec: "jobs/nope.nomad.hcl" }],
                message: /^jobspec: no file jobs\/nope\.nomad\.hcl/,
            },
            {
                what: "an unparsable jobspec",
                entries: [{ jobspec: "tests/fixtures/workloads/broken.nomad.hcl" }],
                message: /^jobspec: \S+ is not a valid HCL2 jobspec/,
            },
            {
                what: "a job ID already declared",
                entries: [WORKER, WORKER],
                message: /^jobspec: job ID worker is already declared by vaultnomad:workloads\[\d+\]/,
            },
            {
                what: "a job ID the tutorial's jobs use",
                entries: [{ jobspec: "jobs/mongo.nomad.hcl", vars: { mongo_image: "mongo:7" } }],
                message: /^jobspec: job ID mongo is already declared by built-in workload mongo\./,
            },
            {
                what: "one job ID in two namespaces",
                entries: [
                    { ...API, role: API_ROLE },
                    { ...API, namespace: "team", secrets: {}, role: { ...API_ROLE, name: "api-team", grants: [API_ROLE.grants[1]] } },
                ],
                message: /^jobspec: job api also runs in namespace default .*user_claim=\/nomad_job_id/,
            },
            {
                what: "a role name the tutorial's job uses",
                entries: [{ ...API, role: { ...API_ROLE, name: "mongo-dynamic-secret" } }],
                message: /^role\.name: "mongo-dynamic-secret" is already the name of built-in workload mongo-query/,
            },
            {
                what: "the default role's name",
                entries: [{ ...API, role: { ...API_ROLE, name: "nomad-workloads" } }],
                message: /^role\.name: "nomad-workloads" is already the name of the default role/,
            },
            {
                what: "a vault block naming a role the workload does not declare",
                entries: [API],
                message: /^jobspec: task api's vault block names role "api-db", which this workload does not declare/,
            },
            {
                what: "vault.policies in the jobspec",
                entries: [{ jobspec: "tests/fixtures/workloads/policies.nomad.hcl" }],
                message: /^jobspec: task legacy's vault block sets policies, which workload identity ignores/,
            },
            {
                what: "a template reading a KV path the role does not grant",
                entries: [{ ...API, role: { ...API_ROLE, grants: [API_ROLE.grants[1]] } }],
                message: /^jobspec: task api reads kv\/data\/default\/api\/config, which role api-db's grants do not let job api read/,
            },
            {
                what: "a grant with a wildcard",
                entries: [{ ...API, role: { ...API_ROLE, grants: [...API_ROLE.grants, { path: "kv/data/*", capabilities: ["read"] }] } }],
                message: /^role\.grants\[2\]\.path: "kv\/data\/\*" has a wildcard/,
            },
            {
                what: "a grant with sudo",
                entries: [
                    {
                        ...API,
                        role: { ...API_ROLE, grants: [{ ...API_ROLE.grants[0], capabilities: ["read", "sudo"] }, API_ROLE.grants[1]] },
                    },
                ],
                message: /^role\.grants\[0\]\.capabilities: sudo is for operators/,
            },
        ];
        const starts = faults.map((_, i) => faults.slice(0, i).reduce((n, f) => n + f.entries.length, 0));
        let faulty: ProgramError;

        beforeEach(async () => {
            faulty = await rejection(faults.flatMap((f) => f.entries));
        });

        it("registers nothing when entries are at fault", () => {
            assert.deepStrictEqual(faulty.registered, []);
        });
        faults.forEach((fault, i) => {
            it(fault.what, () => {
                const index = starts[i] + (fault.at ?? fault.entries.length - 1);
                const prefix = `vaultnomad:workloads[${index}] (${fault.entries[fault.at ?? fault.entries.length - 1].jobspec}): `;
                const mine = problemsOf(faulty)
                    .filter((p) => p.startsWith(prefix))
                    .map((p) => p.slice(prefix.length));
                assert.ok(
                    mine.some((p) => fault.message.test(p)),
                    `no problem of ${prefix}matches ${fault.message}:\n${problemsOf(faulty).join("\n")}`,
                );
            });
        });

        it("an unknown job in after", async () => {
            const error = await rejection([{ ...WORKER, after: ["nope"] }]);
            assert.deepStrictEqual(
                [problemsOf(error), error.registered],
                [["vaultnomad:workloads[0] (tests/fixtures/workloads/worker.nomad.hcl): after: no workload runs job nope."], []],
            );
        });
        it("a cycle in after", async () => {
            const error = await rejection([
                { ...API, role: API_ROLE, after: ["worker"] },
                { ...WORKER, after: ["api"] },
            ]);
            assert.deepStrictEqual(
                [problemsOf(error), error.registered],
                [["vaultnomad:workloads[0] (jobs/api.nomad.hcl): after: the jobs wait for each other in a cycle: api → worker → api."], []],
            );
        });
        it("two secrets whose resources would share a name", async () => {
            const jobA = { jobspec: "tests/fixtures/workloads/worker-a.nomad.hcl", secrets: { "b-c": { key: "v" } } };
            const error = await rejection([
                { ...jobA, jobspec: "tests/fixtures/workloads/worker-a-b.nomad.hcl", secrets: { c: { key: "v" } } },
                jobA,
            ]);
            assert.deepStrictEqual(
                [problemsOf(error), error.registered],
                [
                    [
                        "vaultnomad:workloads[1] (tests/fixtures/workloads/worker-a.nomad.hcl): secrets.b-c: its resource name kv-worker-a-b-c is already taken by a secret of vaultnomad:workloads[0] (tests/fixtures/workloads/worker-a-b.nomad.hcl); rename the secret.",
                    ],
                    [],
                ],
            );
        });
        it("workloads in external mode without a Nomad token, which registers their jobs", () => {
            const raw = { "vaultnomad:mode": "external", "vaultnomad:workloads": JSON.stringify([WORKER]) };
            assert.throws(
                () => loadSettings(raw, "prod", { VAULT_ADDR: "https://v:8200", VAULT_TOKEN: "t", NOMAD_ADDR: "https://n:4646" }),
                /vaultnomad:nomadToken: workloads need a Nomad token that may register jobs and namespaces\. Fix: pulumi config set --secret nomadToken …, or export NOMAD_TOKEN\./,
            );
        });
        it("a secret in plain text, with the command that encrypts it", async () => {
            const error = await rejection([{ ...API, role: API_ROLE }], []);
            assert.ok(
                error.message.includes(
                    "vaultnomad:workloads[0] (jobs/api.nomad.hcl): secrets.config.api_key: given in plain text. Fix: pulumi config set --secret --path 'workloads[0].secrets.config.api_key' <value>",
                ),
                error.message,
            );
            assert.deepStrictEqual(error.registered, []);
        });
        it("a plain-text leaf beside an encrypted one, as the stack file shows them", () => {
            const problems: string[] = [];
            const entry = { jobspec: "jobs/api.nomad.hcl", secrets: { "db-config": { api_key: "a", token: "b" } } };
            const stored = [{ jobspec: "jobs/api.nomad.hcl", secrets: { "db-config": { api_key: { secure: "v1:x" }, token: "b" } } }];
            readWorkloads({ json: JSON.stringify([entry]), secrecy: { isSecret: true, stored } }, "default", problems);
            assert.deepStrictEqual(problems, [
                `vaultnomad:workloads[0] (jobs/api.nomad.hcl): secrets.db-config.token: given in plain text. Fix: pulumi config set --secret --path 'workloads[0].secrets["db-config"].token' <value>`,
            ]);
        });
        it("never shows a secret value in a message", () => {
            const problems: string[] = [];
            const entry = { jobspec: "jobs/api.nomad.hcl", secrets: { config: { api_key: "hunter2-value" } }, bogus: 1 };
            readWorkloads({ json: JSON.stringify([entry]), secrecy: { isSecret: false } }, "default", problems);
            assert.deepStrictEqual([problems.length > 0, problems.some((p) => p.includes("hunter2-value"))], [true, false]);
        });
    });
});

describe("the stack's job namespace", function () {
    this.timeout(60_000);

    it("keeps the resource name it had before workloads could choose their namespace", () => {
        assert.deepStrictEqual(
            [namespaceResourceName("apps", "apps"), namespaceResourceName("team", "apps")],
            ["jobs-namespace", "jobs-namespace-team"],
        );
    });
    it("is described as the tutorial's sample jobs", async () => {
        const run = await runProgram({ config: { jobNamespace: "apps" } });
        assert.strictEqual(run.one("nomad:index/namespace:Namespace", "jobs-namespace").inputs!.description, "The tutorial's sample jobs");
    });
});
