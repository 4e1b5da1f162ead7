// checkWorkloads called directly: the order it plans and the faults it finds, without running the
// program (workloads.test.ts runs it for the resources and "nothing registered").
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { renderWorkloadsPolicy } from "../components";
import { ConfigError } from "../settings";
import { checkWorkloads, WorkloadContext } from "../settings/workloadsCheck";
import { WorkloadSpec } from "../settings/workloads";

const CONTEXT: WorkloadContext = {
    kvMount: "kv",
    defaultRole: "nomad-workloads",
    defaultPolicyName: "nomad-workloads-policy",
    defaultPolicy: renderWorkloadsPolicy("auth_jwt_any", "kv"),
    engines: [{ mount: "database", after: ["mongo"] }],
};

const workload = (fields: Partial<WorkloadSpec> & { jobspec: string }): WorkloadSpec & { jobspec: string } => ({
    origin: fields.jobspec,
    namespace: "default",
    vars: {},
    secrets: {},
    after: [],
    ...fields,
});
const MONGO = workload({ jobspec: "jobs/mongo.nomad.hcl", vars: { mongo_image: "mongo:7" } });
const API_ROLE = {
    name: "api-db",
    grants: [
        { path: "kv/data/default/api/config", capabilities: ["read"] },
        { path: "database/creds/mongo", capabilities: ["read"] },
    ],
};
const API = workload({ jobspec: "jobs/api.nomad.hcl", role: API_ROLE, after: ["mongo"] });
const WORKER = workload({ jobspec: "tests/fixtures/workloads/worker.nomad.hcl" });
const CERTS = "tests/fixtures/workloads/pki.nomad.hcl";
/** The job certs, its role granting `pki` on pki/issue/nomad and read on its secret block's path. */
const certs = (pki: string[]) =>
    workload({
        jobspec: CERTS,
        role: {
            name: "certs-pki",
            grants: [
                { path: "pki/issue/nomad", capabilities: pki },
                { path: "kv/data/default/certs/db", capabilities: ["read"] },
            ],
        },
    });

/** The problems checkWorkloads reports; none when it accepts the workloads. */
async function problemsOf(workloads: WorkloadSpec[], context = CONTEXT): Promise<string[]> {
    try {
        await checkWorkloads(workloads, context);
        return [];
    } catch (err) {
        assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
        return err.problems;
    }
}

describe("workloads, checked against their jobspecs", function () {
    this.timeout(30_000);

    it("plan each job after the jobs it names and the engines it reads, and each engine after its jobs", async () => {
        const steps = await checkWorkloads([API, WORKER, MONGO], CONTEXT);
        assert.deepStrictEqual(
            steps.map((s) => ("engine" in s ? `engine:${s.engine}` : s.workload.jobId)),
            ["mongo", "engine:database", "api", "worker"],
        );
    });
    it("give each job the variables the program sets that its jobspec declares", async () => {
        const [step] = await checkWorkloads([{ ...API, after: [] }], { ...CONTEXT, engines: [] });
        assert.deepStrictEqual("workload" in step && step.workload.hcl2Vars, {
            namespace: "default",
            kv_mount: "kv",
            vault_role: "api-db",
        });
    });
    it("check a source as they check a file, and keep the text they checked for the program to register", async () => {
        const text = fs.readFileSync(path.resolve(__dirname, "../tests/fixtures/workloads/worker.nomad.hcl"), "utf8");
        const [step] = await checkWorkloads([{ ...WORKER, jobspec: undefined, source: text, origin: "its entry" }], CONTEXT);
        assert.deepStrictEqual("workload" in step && [step.workload.jobId, step.workload.jobspecText, step.workload.hcl2Vars], [
            "worker",
            text,
            { namespace: "default" },
        ]);
    });
    it("keep a file's text too", async () => {
        const [step] = await checkWorkloads([WORKER], CONTEXT);
        assert.match(("workload" in step && step.workload.jobspecText) || "", /^# A job without Vault/);
    });
    it("name a source by itself in the faults of its text", async () => {
        const source = {
            origin: "its entry",
            source: 'job "a" {}\njob "b" {}\n',
            namespace: "default",
            vars: { x: "1" },
            secrets: {},
            after: [],
        };
        assert.deepStrictEqual(await problemsOf([source]), [
            'its entry: vars.x: its source declares no variable "x" (Nomad refuses undeclared variables).',
            "its entry: jobspec: its source must declare exactly one job with at least one task; it declares 0.",
        ]);
    });
    it("name a source by itself when it is not HCL2", async () => {
        const source = { origin: "its entry", source: 'job "a" {', namespace: "default", vars: {}, secrets: {}, after: [] };
        assert.match((await problemsOf([source]))[0], /^its entry: jobspec: its source is not a valid HCL2 jobspec: /);
    });
    it("take a vault block that names the default role as one that names none", async () => {
        const source =
            'job "explicit" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      vault {\n        role = "nomad-workloads"\n      }\n    }\n  }\n}\n';
        const explicit = { origin: "explicit", source, namespace: "default", vars: {}, secrets: {}, after: [] };
        assert.deepStrictEqual(
            [await problemsOf([explicit]), await problemsOf([{ ...explicit, source: source.replace("nomad-workloads", "other") }])],
            [
                [],
                [
                    'explicit: jobspec: task t\'s vault block names role "other", which this workload does not declare: add role: { name: other, grants: … }.',
                ],
            ],
        );
    });
    it("refuse a vault block that names the default role in a workload that declares its own", async () => {
        const source =
            'job "explicit" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      vault {\n        role = "nomad-workloads"\n      }\n    }\n  }\n}\n';
        const own = {
            origin: "explicit",
            source,
            namespace: "default",
            vars: {},
            secrets: {},
            after: [],
            role: { name: "own", grants: [{ path: "kv/data/x", capabilities: ["read"] }] },
        };
        assert.match((await problemsOf([own]))[0], /vault block names role "nomad-workloads", which this workload does not declare/);
    });
    it("refuse a jobspec outside the project, by absolute or climbing path, even when the file exists", async () => {
        const climbing = path.relative(path.resolve(__dirname, ".."), "/etc/hosts");
        const problems = await problemsOf([workload({ jobspec: "/etc/hosts" }), workload({ jobspec: climbing })]);
        assert.deepStrictEqual(problems, [
            "/etc/hosts: jobspec: no file /etc/hosts in the project; give a path relative to the project, such as jobs/api.nomad.hcl.",
            `${climbing}: jobspec: no file ${climbing} in the project; give a path relative to the project, such as jobs/api.nomad.hcl.`,
        ]);
    });
    it("refuse a variable the jobspec does not declare", async () => {
        assert.deepStrictEqual(await problemsOf([{ ...WORKER, vars: { image: "x" } }]), [
            'tests/fixtures/workloads/worker.nomad.hcl: vars.image: tests/fixtures/workloads/worker.nomad.hcl declares no variable "image" (Nomad refuses undeclared variables).',
        ]);
    });
    it("refuse a vault block without a role in a workload that declares one", async () => {
        const problems = await problemsOf([
            { ...MONGO, role: { name: "mongo-own", grants: [{ path: "kv/data/default/mongo/config", capabilities: ["read"] }] } },
        ]);
        assert.deepStrictEqual(problems, [
            "jobs/mongo.nomad.hcl: jobspec: task mongo's vault block names no role, so it would log in with the default role, not mongo-own: set role = var.vault_role.",
        ]);
    });
    it("tell a workload on the default role where it may read", async () => {
        const problems = await problemsOf(
            [{ ...API, role: undefined, vars: { vault_role: "nomad-workloads" } }].map((w) => ({ ...w, vars: {} })),
            {
                ...CONTEXT,
                defaultRole: "api-db",
            },
        );
        assert.ok(
            problems.some((p) =>
                p.includes(
                    'reads database/creds/mongo, which the templated policy of api-db does not let job api read (no rule of policy nomad-workloads-policy matches "database/creds/mongo"): read under kv/data/default/api/, or declare a role that grants it.',
                ),
            ),
            problems.join("\n"),
        );
    });
    it("refuse a role named like the templated policy", async () => {
        assert.deepStrictEqual(await problemsOf([MONGO, { ...API, role: { ...API_ROLE, name: "nomad-workloads-policy" } }]), [
            'jobs/api.nomad.hcl: role.name: "nomad-workloads-policy" is already the name of the templated policy; choose another.',
        ]);
    });
    it("refuse a role another workload declares", async () => {
        const other = workload({ jobspec: "tests/fixtures/workloads/worker-a.nomad.hcl", role: API_ROLE });
        assert.ok(
            (await problemsOf([MONGO, API, other])).includes(
                'tests/fixtures/workloads/worker-a.nomad.hcl: role.name: "api-db" is already the name of jobs/api.nomad.hcl; choose another.',
            ),
        );
    });
    it("refuse jobs that wait for each other through an engine", async () => {
        assert.deepStrictEqual(
            await problemsOf([
                { ...MONGO, after: ["api"] },
                { ...API, after: [] },
            ]),
            ["jobs/mongo.nomad.hcl: after: the jobs wait for each other in a cycle: mongo → api → the database/ engine → mongo."],
        );
    });
    it("accept a certificate issued with create and update granted, and a secret block at a granted path", async () => {
        assert.deepStrictEqual(await problemsOf([certs(["create", "update"])]), []);
    });
    describe("refuse, naming the entry and the field", () => {
        /** The problems of these workloads that start with `origin: field: `, without that prefix. */
        const faultsOf = async (workloads: WorkloadSpec[], origin: string, field: string) =>
            (await problemsOf(workloads))
                .filter((p) => p.startsWith(`${origin}: ${field}: `))
                .map((p) => p.slice(`${origin}: ${field}: `.length));

        it("a grant with a wildcard", async () => {
            const role = { ...API_ROLE, grants: [...API_ROLE.grants, { path: "kv/data/+/x", capabilities: ["read"] }] };
            assert.deepStrictEqual(await faultsOf([MONGO, { ...API, role }], "jobs/api.nomad.hcl", "role.grants[2].path"), [
                '"kv/data/+/x" has a wildcard; grant the exact paths the job reads.',
            ]);
        });
        it("a template reading what the role does not grant, with the grant to add", async () => {
            const role = { ...API_ROLE, grants: [API_ROLE.grants[1]] };
            assert.deepStrictEqual(await faultsOf([MONGO, { ...API, role }], "jobs/api.nomad.hcl", "jobspec"), [
                `task api reads kv/data/default/api/config, which role api-db's grants do not let job api read (no rule of policy api-db matches "kv/data/default/api/config"): add a grant { path: kv/data/default/api/config, capabilities: [read] }.`,
            ]);
        });
        it("a certificate issued with only read granted, naming the path and update", async () => {
            assert.deepStrictEqual(await faultsOf([certs(["read"])], CERTS, "jobspec"), [
                'task certs writes pki/issue/nomad (template secret "pki/issue/nomad" "common_name=…"), which role certs-pki\'s grants do not let job certs update (the exact rule "pki/issue/nomad" in policy certs-pki grants [read]): add a grant { path: pki/issue/nomad, capabilities: [read, update] }.',
            ]);
        });
        it("a secret block reading what the role does not grant, naming the path and the block", async () => {
            const role = { name: "certs-pki", grants: [{ path: "pki/issue/nomad", capabilities: ["create", "update"] }] };
            assert.deepStrictEqual(await faultsOf([workload({ jobspec: CERTS, role })], CERTS, "jobspec"), [
                `task certs reads kv/data/default/certs/db (secret block "db"), which role certs-pki's grants do not let job certs read (no rule of policy certs-pki matches "kv/data/default/certs/db"): add a grant { path: kv/data/default/certs/db, capabilities: [read] }.`,
            ]);
        });
        it("a secret block of a job on the default role, outside the job's path", async () => {
            const web = workload({ jobspec: "tests/fixtures/workloads/secret-blocks.nomad.hcl" });
            assert.ok(
                (await faultsOf([web], web.jobspec, "jobspec")).includes(
                    'task web reads kv1/default/web/legacy (secret block "legacy"), which the templated policy of nomad-workloads does not let job web read (no rule of policy nomad-workloads-policy matches "kv1/default/web/legacy"): read under kv/data/default/web/, or declare a role that grants it.',
                ),
            );
        });
        it("a grant with a capability Vault does not know, as Vault would refuse its policy", async () => {
            const role = { ...API_ROLE, grants: [{ ...API_ROLE.grants[0], capabilities: ["reed"] }, API_ROLE.grants[1]] };
            assert.deepStrictEqual(await faultsOf([MONGO, { ...API, role }], "jobs/api.nomad.hcl", "role.grants"), [
                'policy api-db, line 1: path "kv/data/default/api/config": invalid capability "reed"',
            ]);
        });
        it("a read its own grant denies, asking no grant beside the deny", async () => {
            const role = { ...API_ROLE, grants: [{ ...API_ROLE.grants[0], capabilities: ["deny"] }, API_ROLE.grants[1]] };
            assert.deepStrictEqual(await faultsOf([MONGO, { ...API, role }], "jobs/api.nomad.hcl", "jobspec"), [
                `task api reads kv/data/default/api/config, which role api-db's grants do not let job api read (denied by "kv/data/default/api/config" (deny) in policy api-db): a deny wins over every grant on "kv/data/default/api/config": take the deny out of the grants, or read elsewhere.`,
            ]);
        });
        it("a list of secrets the templated policy does not grant, as a list", async () => {
            const source = `job "lister" {\n  group "g" {\n    task "lister" {\n      driver = "docker"\n      vault {}\n      template {\n        data        = "{{ range secrets \\"database/roles/\\" }}{{ . }}{{ end }}"\n        destination = "local/keys"\n      }\n    }\n  }\n}\n`;
            const lister = workload({ jobspec: "lister.nomad.hcl", source });
            assert.deepStrictEqual(await faultsOf([lister], "lister.nomad.hcl", "jobspec"), [
                'task lister lists database/roles/ (template secrets "database/roles/"), which the templated policy of nomad-workloads does not let job lister list (no rule of policy nomad-workloads-policy matches "database/roles/"): read under kv/data/default/lister/, or declare a role that grants it.',
            ]);
        });
        it("a grant with sudo", async () => {
            const role = { ...API_ROLE, grants: [{ ...API_ROLE.grants[0], capabilities: ["read", "sudo"] }, API_ROLE.grants[1]] };
            assert.deepStrictEqual(await faultsOf([MONGO, { ...API, role }], "jobs/api.nomad.hcl", "role.grants[0].capabilities"), [
                "sudo is for operators, not workloads; remove it.",
            ]);
        });
        it("vault.policies in the jobspec", async () => {
            const legacy = workload({ jobspec: "tests/fixtures/workloads/policies.nomad.hcl" });
            assert.deepStrictEqual(await faultsOf([legacy], legacy.jobspec, "jobspec"), [
                "task legacy's vault block sets policies, which workload identity ignores: grant through role.grants instead.",
            ]);
        });
        it("a template reading a secret in a task with no vault block", async () => {
            const reporter = workload({ jobspec: "tests/fixtures/workloads/no-vault.nomad.hcl" });
            assert.deepStrictEqual(await faultsOf([reporter], reporter.jobspec, "jobspec"), [
                "task reporter reads kv/data/default/reporter/config but has no vault block, so it gets no Vault token.",
            ]);
        });
        it("a jobspec with two jobs", async () => {
            const two = workload({ jobspec: "tests/fixtures/workloads/two-jobs.nomad.hcl" });
            assert.deepStrictEqual(await faultsOf([two], two.jobspec, "jobspec"), [
                "tests/fixtures/workloads/two-jobs.nomad.hcl must declare exactly one job with at least one task; it declares 2.",
            ]);
        });
        it("a job that runs in another namespace than its entry's", async () => {
            const fixed = workload({ jobspec: "tests/fixtures/workloads/fixed-namespace.nomad.hcl" });
            assert.deepStrictEqual(await faultsOf([fixed], fixed.jobspec, "namespace"), [
                'job batch-report runs in namespace "batch", not "default": set its namespace = var.namespace.',
            ]);
        });
        it("a vault block naming a role the workload does not declare", async () => {
            const faults = await faultsOf([MONGO, { ...API, role: undefined }], "jobs/api.nomad.hcl", "jobspec");
            assert.ok(
                faults.includes(
                    'task api\'s vault block names role "api-db", which this workload does not declare: add role: { name: api-db, grants: … }.',
                ),
                faults.join("\n"),
            );
        });
        it("a missing jobspec", async () => {
            assert.deepStrictEqual(await faultsOf([workload({ jobspec: "jobs/nope.nomad.hcl" })], "jobs/nope.nomad.hcl", "jobspec"), [
                "no file jobs/nope.nomad.hcl in the project; give a path relative to the project, such as jobs/api.nomad.hcl.",
            ]);
        });
        it("a jobspec that is not HCL2", async () => {
            const broken = workload({ jobspec: "tests/fixtures/workloads/broken.nomad.hcl" });
            assert.match(
                (await faultsOf([broken], broken.jobspec, "jobspec"))[0],
                /^tests\/fixtures\/workloads\/broken\.nomad\.hcl is not a valid HCL2 jobspec: /,
            );
        });
        it("a job ID another entry declares in the same namespace", async () => {
            assert.deepStrictEqual(await faultsOf([WORKER, { ...WORKER, origin: "second" }], "second", "jobspec"), [
                "job ID worker is already declared by tests/fixtures/workloads/worker.nomad.hcl.",
            ]);
        });
        it("a job ID another entry declares in another namespace", async () => {
            assert.match(
                (await faultsOf([WORKER, { ...WORKER, origin: "second", namespace: "team" }], "second", "jobspec"))[0],
                /^job worker also runs in namespace default \(tests\/fixtures\/workloads\/worker\.nomad\.hcl\); Vault keys identities by job ID alone/,
            );
        });
        it("a role named like the default role", async () => {
            assert.deepStrictEqual(
                await faultsOf([MONGO, { ...API, role: { ...API_ROLE, name: "nomad-workloads" } }], "jobs/api.nomad.hcl", "role.name"),
                ['"nomad-workloads" is already the name of the default role; choose another.'],
            );
        });
    });
});
