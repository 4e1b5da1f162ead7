// adopt's decisions on jobs, and on the adoption as a whole, on facts built by hand: which job it
// takes and how, which it leaves out and why, word for word; what it refuses first; what stays outside.
import * as assert from "assert";
import { planAdoption } from "../adopt/adoption";
import { identityKeys } from "../adopt/identity";
import { adoptJobs } from "../adopt/jobs";
import { renderGrants } from "../components/jobVaultRole";
import { clusterFacts, clusterJob, clusterSettings, sourceOf } from "./adoptFacts";
import { NOMAD_SETUP_VAULT } from "./fakeCluster";

const SETTINGS = clusterSettings(identityKeys(clusterFacts(), {}));
const SECRET = "secret/data/team/reporter/config";
const REPORTER = clusterJob(
    "reporter",
    sourceOf("reporter", { namespace: '"team"', vault: '\n        role = "reporter-db"\n      ', secret: SECRET }),
    {
        namespace: "team",
        vaultTasks: [{ task: "reporter", role: "reporter-db", cluster: "default" }],
        secretPaths: [SECRET],
    },
);
const REPORTER_ROLE = {
    data: {
        ...NOMAD_SETUP_VAULT.roleData,
        bound_claims: { nomad_job_id: "reporter", nomad_namespace: "team" },
        token_policies: ["reporter-db"],
    },
    policies: { "reporter-db": renderGrants([{ path: SECRET, capabilities: ["read"] }]) },
};
const TEAM = { Name: "team", Description: "Team A's jobs", Quota: "", Meta: null, Capabilities: null };

/** The reason adopt leaves `job` out of a cluster that also has what `changes` say. */
async function reasonFor(
    job: ReturnType<typeof clusterJob>,
    changes: Parameters<typeof clusterFacts>[0] = {},
): Promise<string | undefined> {
    const { leftOut } = await adoptJobs(
        clusterFacts({ jobs: [job], namespaces: { team: TEAM }, jobRoles: { "reporter-db": REPORTER_ROLE }, ...changes }),
        SETTINGS,
    );
    return leftOut.find((l) => l.job === `${job.namespace}/${job.id}`)?.reason;
}

describe("adopt's decisions: the jobs", function () {
    this.timeout(30_000);

    it("take a job on the default role as an entry with its source alone", async () => {
        const api = clusterJob("api", sourceOf("api"));
        const adopted = await adoptJobs(clusterFacts({ jobs: [api] }), SETTINGS);
        assert.deepStrictEqual(adopted, {
            entries: [{ source: api.submission!.Source, namespace: "default" }],
            taken: ["default/api"],
            namespaces: {},
            leftOut: [],
            changes: [],
            secretsRead: [],
        });
    });
    it("take a job with its own role, its namespace with its description, and name the secrets it reads", async () => {
        const adopted = await adoptJobs(
            clusterFacts({ jobs: [REPORTER], namespaces: { team: TEAM }, jobRoles: { "reporter-db": REPORTER_ROLE } }),
            SETTINGS,
        );
        assert.deepStrictEqual(adopted, {
            entries: [
                {
                    source: REPORTER.submission!.Source,
                    namespace: "team",
                    role: { name: "reporter-db", grants: [{ path: SECRET, capabilities: ["read"] }] },
                },
            ],
            taken: ["team/reporter"],
            namespaces: { team: { description: "Team A's jobs" } },
            leftOut: [],
            changes: [],
            secretsRead: [{ job: "team/reporter", path: SECRET }],
        });
    });
    it("give a namespace without a description an empty one", async () => {
        const adopted = await adoptJobs(
            clusterFacts({
                jobs: [REPORTER],
                namespaces: { team: { ...TEAM, Description: undefined as unknown as string } },
                jobRoles: { "reporter-db": REPORTER_ROLE },
            }),
            SETTINGS,
        );
        assert.deepStrictEqual(adopted.namespaces, { team: { description: "" } });
    });
    it("say a job's role policy in other words is rewritten by the first up", async () => {
        const role = { ...REPORTER_ROLE, policies: { "reporter-db": `path "${SECRET}" { capabilities = ["read"] }\n` } };
        const adopted = await adoptJobs(
            clusterFacts({ jobs: [REPORTER], namespaces: { team: TEAM }, jobRoles: { "reporter-db": role } }),
            SETTINGS,
        );
        assert.deepStrictEqual(
            [adopted.entries.length, adopted.changes],
            [
                1,
                [
                    "the policy reporter-db: the same grants in other words; the first `up` writes the program's text (preview shows it as an update)",
                ],
            ],
        );
    });
    it("keep the variables a job was submitted with, but those the program sets, which it sets alike", async () => {
        const source = sourceOf("api", {
            namespace: "var.namespace",
            variables: 'variable "namespace" {\n  type = string\n}\n\nvariable "image" {\n  type = string\n}\n\n',
        });
        const api = clusterJob("api", source, {
            submission: { Source: source, Format: "hcl2", VariableFlags: { image: "busybox:1.36", namespace: "default" }, Variables: "" },
        });
        const adopted = await adoptJobs(clusterFacts({ jobs: [api] }), SETTINGS);
        assert.deepStrictEqual([adopted.entries[0].vars, adopted.leftOut], [{ image: "busybox:1.36" }, []]);
    });

    it("compare each job's variables with its own submission, not another's", async () => {
        const withVars = sourceOf("first", { variables: 'variable "image" {\n  type = string\n}\n\n' });
        const first = clusterJob("first", withVars, {
            submission: { Source: withVars, Format: "hcl2", VariableFlags: { image: "busybox" }, Variables: "" },
        });
        const adopted = await adoptJobs(clusterFacts({ jobs: [first, clusterJob("second", sourceOf("second"))] }), SETTINGS);
        assert.deepStrictEqual([adopted.taken, adopted.leftOut], [["default/first", "default/second"], []]);
    });
    it("compare variables whatever their order: Nomad sorts its map's keys, the program adds its own last", async () => {
        const source = sourceOf("ordered", {
            variables: 'variable "kv_mount" {\n  type = string\n}\n\nvariable "zone" {\n  type = string\n}\n\n',
        });
        const job = clusterJob("ordered", source, {
            submission: { Source: source, Format: "hcl2", VariableFlags: { kv_mount: "secret", zone: "a" }, Variables: "" },
        });
        const adopted = await adoptJobs(clusterFacts({ jobs: [job] }), SETTINGS);
        assert.deepStrictEqual([adopted.entries[0]?.vars, adopted.leftOut], [{ zone: "a" }, []]);
    });
    describe("leave out, with the reason", () => {
        it("a periodic or dispatched child", async () => {
            assert.strictEqual(
                await reasonFor(clusterJob("nightly/periodic-1", sourceOf("nightly"), { parentId: "nightly" })),
                "a periodic or dispatched child of nightly: Nomad runs it from its parent.",
            );
        });
        it("a job whose source Nomad does not keep", async () => {
            assert.strictEqual(
                await reasonFor(
                    clusterJob("web", "", { version: 4, submission: undefined, sourceMissing: "HTTP 404 job source not found" }),
                ),
                "Nomad keeps no source of its version 4 (HTTP 404 job source not found): it was registered without one (through the API, or before Nomad 1.6), or its source was larger than the servers' job_max_source_size. Resubmit it with `nomad job run`, then adopt again.",
            );
        });
        it("a job submitted as JSON, or in no format Nomad names", async () => {
            const submitted = (Format: string) =>
                clusterJob("legacy", "", { submission: { Source: "{}", Format, VariableFlags: null, Variables: "" } });
            assert.deepStrictEqual(
                [await reasonFor(submitted("json")), await reasonFor(submitted(""))],
                [
                    "submitted as json; the program registers HCL2 jobspecs. Resubmit its HCL2 jobspec with `nomad job run`, then adopt again.",
                    "submitted as an unknown format; the program registers HCL2 jobspecs. Resubmit its HCL2 jobspec with `nomad job run`, then adopt again.",
                ],
            );
        });
        it("a job submitted with a variables file", async () => {
            const job = clusterJob("filed", sourceOf("filed"));
            assert.strictEqual(
                await reasonFor({ ...job, submission: { ...job.submission!, Variables: 'image = "busybox"' } }),
                "submitted with a variables file (-var-file), which Nomad's provider does not read back: resubmit it with -var flags, then adopt again.",
            );
        });
        it("a task on another Vault cluster", async () => {
            assert.strictEqual(
                await reasonFor(clusterJob("edge", sourceOf("edge"), { vaultTasks: [{ task: "edge", role: "", cluster: "secondary" }] })),
                "task edge uses the Vault cluster secondary; the program configures one Vault, Nomad's default.",
            );
        });
        it("a job in a namespace adopt did not find", async () => {
            assert.strictEqual(await reasonFor({ ...REPORTER }, { namespaces: {} }), "its namespace team was not found.");
        });
        it("a job in a namespace with a quota, metadata or capabilities", async () => {
            const namespace = { ...TEAM, Quota: "small", Meta: { owner: "a" }, Capabilities: { EnabledTaskDrivers: ["docker"] } };
            assert.strictEqual(
                await reasonFor(REPORTER, { namespaces: { team: namespace } }),
                "its namespace team has Quota, Meta, Capabilities, which the program cannot express (it writes a namespace's description).",
            );
        });
        it("not a job in a namespace whose metadata and capabilities are empty", async () => {
            assert.strictEqual(await reasonFor(REPORTER, { namespaces: { team: { ...TEAM, Meta: {}, Capabilities: {} } } }), undefined);
        });
        it("tasks that log in with different roles", async () => {
            const tasks = [
                { task: "a", role: "", cluster: "default" },
                { task: "b", role: "reporter-db", cluster: "default" },
            ];
            assert.strictEqual(
                await reasonFor(clusterJob("mixed", sourceOf("mixed"), { vaultTasks: tasks })),
                "its tasks log in with different roles [nomad-workloads, reporter-db]; a workload has one role.",
            );
        });
        it("a job whose role does not exist", async () => {
            assert.strictEqual(
                await reasonFor(REPORTER, { jobRoles: {} }),
                "its role reporter-db does not exist (auth/jwt-nomad/role/reporter-db).",
            );
        });
        it("a job whose role has other token policies than its own", async () => {
            const reason = (token_policies: unknown) =>
                reasonFor(REPORTER, { jobRoles: { "reporter-db": { ...REPORTER_ROLE, data: { ...REPORTER_ROLE.data, token_policies } } } });
            assert.deepStrictEqual(
                [await reason(["shared"]), await reason(["reporter-db", "shared"]), await reason(null)],
                [
                    "its role reporter-db has the token policies [shared]; the program gives a job's role one policy of the role's name.",
                    "its role reporter-db has the token policies [reporter-db, shared]; the program gives a job's role one policy of the role's name.",
                    "its role reporter-db has the token policies []; the program gives a job's role one policy of the role's name.",
                ],
            );
        });
        it("a job whose role's policy does not exist", async () => {
            assert.strictEqual(
                await reasonFor(REPORTER, { jobRoles: { "reporter-db": { ...REPORTER_ROLE, policies: {} } } }),
                "the policy reporter-db of its role does not exist.",
            );
        });
        it("a job whose role binds other claims than the program binds for it, naming each field", async () => {
            const data = { ...REPORTER_ROLE.data, bound_claims: { nomad_job_id: "reporter" }, token_num_uses: 1 };
            assert.strictEqual(
                await reasonFor(REPORTER, { jobRoles: { "reporter-db": { ...REPORTER_ROLE, data } } }),
                'its role reporter-db differs from what the program writes for a job\'s role: bound_claims is {"nomad_job_id":"reporter"}, where the program writes {"nomad_namespace":"team","nomad_job_id":"reporter"}; token_num_uses is 1, where the program leaves it unset (null).',
            );
        });
        it("a job the program would submit with other variables than Nomad holds", async () => {
            const source = sourceOf("api", {
                namespace: "var.namespace",
                variables: 'variable "namespace" {\n  type    = string\n  default = "default"\n}\n\n',
            });
            assert.strictEqual(
                await reasonFor(clusterJob("api", source)),
                'the program would submit it with the variables {"namespace":"default"}, Nomad holds {}: resubmit it with -var for each variable the program sets (namespace, kv_mount, vault_role), then adopt again.',
            );
        });
        it("a job the guardrail refuses, in the guardrail's words and without its entry's name", async () => {
            assert.strictEqual(
                await reasonFor(clusterJob("reader", sourceOf("reader", { secret: "secret/data/elsewhere" }))),
                'jobspec: task reader reads secret/data/elsewhere, which the templated policy of nomad-workloads does not let job reader read (no rule of policy nomad-workloads matches "secret/data/elsewhere"): read under secret/data/default/reader/, or declare a role that grants it.',
            );
        });
        it("the second of two jobs that conflict, not the first", async () => {
            const first = clusterJob("api", sourceOf("api"));
            const second = clusterJob("api", sourceOf("api", { namespace: '"team"' }), { namespace: "team" });
            const adopted = await adoptJobs(clusterFacts({ jobs: [first, second], namespaces: { team: TEAM } }), SETTINGS);
            assert.deepStrictEqual([adopted.entries.length, adopted.leftOut.map((l) => l.job), adopted.namespaces], [1, ["team/api"], {}]);
        });
    });
});

describe("adopt's decisions: the adoption", function () {
    this.timeout(30_000);

    it("refuses what it could not read, and nothing else of a mount it cannot choose", async () => {
        const plan = await planAdoption(
            "prod",
            clusterFacts({ unread: ["the jobs (jobs?namespace=*): not read (HTTP 500)"], jwtMounts: ["a", "b"], agentVault: undefined }),
            {},
        );
        assert.deepStrictEqual(
            plan.refusals.map((r) => [r.subject, r.reason, r.fix]),
            [
                [
                    "reading the cluster",
                    "the jobs (jobs?namespace=*): not read (HTTP 500)",
                    "Give adopt's tokens read on what it reads (docs/external.md lists the policies), then adopt again.",
                ],
                [
                    "sys/auth",
                    "JWT mounts in Vault: [a, b], and no agent's vault block names jwt_auth_backend_path to choose between them.",
                    "Pass --auth-path <mount>, or run adopt with a NOMAD_TOKEN that may read agent/self (agent:read).",
                ],
            ],
        );
    });
    it("refuses the identity before loading what it cannot say", async () => {
        const plan = await planAdoption("prod", clusterFacts({ role: undefined }), {});
        assert.deepStrictEqual(
            [plan.refusals.length, plan.config, plan.importFile, plan.workloads, plan.outside],
            [1, {}, undefined, [], []],
        );
    });
    it("refuses what the program's checks refuse, as the program would say it", async () => {
        const plan = await planAdoption(
            "prod",
            clusterFacts({ roleName: "nomad workloads", authConfig: { ...clusterFacts().authConfig, default_role: "nomad workloads" } }),
            {},
        );
        assert.deepStrictEqual(plan.refusals, [
            {
                subject: "the configuration that says what the cluster holds",
                reason: 'vaultnomad:roleName: "nomad workloads" must be a name of letters, digits, _, . and -.',
                fix: "The program cannot take this value; change it in the cluster, then adopt again.",
            },
        ]);
    });
    it("refuses what differs from what the program writes, before it looks at jobs", async () => {
        const plan = await planAdoption(
            "prod",
            clusterFacts({ role: { ...clusterFacts().role, token_num_uses: 1 }, jobs: [clusterJob("api", sourceOf("api"))] }),
            {},
        );
        assert.deepStrictEqual([plan.refusals.length, plan.workloads], [1, []]);
    });
    it("writes the configuration, workloads and namespaces by fully qualified key, and the import file", async () => {
        const plan = await planAdoption(
            "prod",
            clusterFacts({ jobs: [REPORTER], namespaces: { team: TEAM }, jobRoles: { "reporter-db": REPORTER_ROLE } }),
            {},
        );
        assert.deepStrictEqual(
            [
                plan.refusals,
                plan.config["vaultnomad:mode"],
                (plan.config["vaultnomad:workloads"] as unknown[]).length,
                plan.config["vaultnomad:namespaces"],
                plan.workloads,
                plan.importFile!.resources.length,
            ],
            [[], "external", 1, { team: { description: "Team A's jobs" } }, ["team/reporter"], 10],
        );
    });
    it("writes no workloads or namespaces key when no job is taken", async () => {
        const plan = await planAdoption("prod", clusterFacts(), {});
        assert.deepStrictEqual(
            ["vaultnomad:workloads", "vaultnomad:namespaces"].filter((key) => key in plan.config),
            [],
        );
    });
    it("loads the configuration with Nomad's client key, which it never writes", async () => {
        const pem = (kind: string) => `-----BEGIN ${kind}-----\nMIIB\n-----END ${kind}-----\n`;
        const connection = { ...clusterFacts().connection, nomadClientCertPem: pem("CERTIFICATE"), nomadClientKeyPem: pem("PRIVATE KEY") };
        const plan = await planAdoption("prod", clusterFacts({ connection }), {});
        assert.deepStrictEqual(
            [plan.refusals, "vaultnomad:nomadClientKeyPem" in plan.config, plan.config["vaultnomad:nomadClientCertPem"]],
            [[], false, pem("CERTIFICATE")],
        );
    });
    it("lists what stays outside: the other mounts, the KV mount, the secrets read, the agents, the tokens", async () => {
        const plan = await planAdoption(
            "prod",
            clusterFacts({
                jwtMounts: ["jwt-nomad", "jwt-old"],
                jobs: [REPORTER],
                namespaces: { team: TEAM },
                jobRoles: { "reporter-db": REPORTER_ROLE },
            }),
            {},
        );
        assert.deepStrictEqual(plan.outside, [
            "the other JWT mounts [jwt-old]",
            "the KV mount secret/: the program writes into it only the secrets its configuration gives (createKvMount: false), and never deletes it",
            `the secret ${SECRET}, read by team/reporter: its value stays in Vault, never copied`,
            "the agents' vault blocks, in their configuration files (the stack's outputs nomadServerVaultConfig and nomadClientVaultConfig show what they hold)",
            "the tokens: the stack reads VAULT_TOKEN and NOMAD_TOKEN from the environment (or pulumi config set --secret vaultToken / nomadToken)",
        ]);
    });
    it("says when the KV mount the policy grants does not exist", async () => {
        const plan = await planAdoption("prod", clusterFacts({ kvMounts: {} }), {});
        assert.strictEqual(
            plan.outside[0],
            "no KV mount secret/ exists, though the templated policy grants it: set createKvMount: true for the program to create it",
        );
    });
});
