// What a task asks Vault: its templates' calls and its secret blocks, with the path Vault receives and the
// capability its ACL checks, from Nomad's API answer (tests/fixtures/api/nomad.job-secrets.json) and from jobspecs.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseHcl, resolveJobspec } from "../policy/hcl";
import { jobspecTasks } from "../policy/jobspecTasks";
import { KvMountOf, NomadSecret, PathRequest, vaultRequests } from "../policy/vaultRequests";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { readFixture } from "./apiFixtures";
import { consulTemplateFixture } from "./consulTemplateFixtures";

/** secret/ and kv/ are KV v2 mounts, kv1/ a KV v1 mount, as sys/mounts names them. */
const MOUNTS: Record<string, 1 | 2> = { "secret/": 2, "kv/": 2, "kv1/": 1 };
const kvMountOf: KvMountOf = (p) =>
    Object.entries(MOUNTS)
        .filter(([mount]) => `${p}/`.startsWith(mount))
        .map(([mount, version]) => ({ mount, version }))[0];

const ofTemplate = (EmbeddedTmpl: string, mounts: KvMountOf = kvMountOf) => vaultRequests({ Templates: [{ EmbeddedTmpl }] }, mounts);
const ofSecret = (secret: Partial<NomadSecret>) =>
    <PathRequest[]>vaultRequests({ Secrets: [{ Name: "db", Provider: "vault", Path: "", ...secret }] }, kvMountOf);
const QUERY_PATHS = consulTemplateFixture("query-paths");

describe("Vault requests of a task", () => {
    describe("template secret without parameters: a read", () => {
        it("reads secret/data/… for a KV v2 path written without data/", () => {
            assert.deepStrictEqual(ofTemplate('{{ with secret "secret/default/web/config" }}{{ .Data.data.key }}{{ end }}'), [
                { path: "secret/data/default/web/config", capability: "read", via: 'template secret "secret/default/web/config"' },
            ]);
        });
        it("reads a KV v2 path written with data/ as it is", () => {
            assert.strictEqual(ofTemplate('{{ secret "kv/data/default/web/config" }}')[0].path, "kv/data/default/web/config");
        });
        it("reads a KV v1 path as it is", () => {
            assert.strictEqual(ofTemplate('{{ secret "kv1/default/web/config" }}')[0].path, "kv1/default/web/config");
        });
        it("reads a path outside any KV mount as it is", () => {
            assert.strictEqual(ofTemplate('{{ secret "database/creds/mongo" }}')[0].path, "database/creds/mongo");
        });
        it("takes a mount named without its trailing slash", () => {
            const mounts: KvMountOf = () => ({ mount: "secret", version: 2 });
            assert.strictEqual(
                ofTemplate('{{ secret "secret/data/default/web/config" }}', mounts)[0].path,
                "secret/data/default/web/config",
            );
        });
        it("trims spaces and every leading and trailing slash", () => {
            assert.strictEqual(ofTemplate('{{ secret " //kv1/default/web/config// " }}')[0].path, "kv1/default/web/config");
        });
        it("reads a versioned KV v2 secret at its path, ?version=N being a parameter", () => {
            assert.strictEqual(ofTemplate('{{ secret "secret/default/web/config?version=2" }}')[0].path, "secret/data/default/web/config");
        });
        for (const row of QUERY_PATHS.read) {
            it(`keeps the path NewVaultReadQuery keeps (${row.name})`, () => {
                assert.deepStrictEqual(
                    ofTemplate(`{{ secret "${row.i}" }}`).map((r) => r.path),
                    row.rawPath === null ? [] : [row.rawPath],
                );
            });
        }
    });

    describe("template secret with parameters: a write", () => {
        it("needs update on pki/issue/<role>", () => {
            assert.deepStrictEqual(
                ofTemplate('{{ with secret "pki/issue/nomad" "common_name=web.example" }}{{ .Data.certificate }}{{ end }}'),
                [{ path: "pki/issue/nomad", capability: "update", via: 'template secret "pki/issue/nomad" "common_name=…"' }],
            );
        });
        it("writes a KV v2 secret at data/, where a missing secret needs create", () => {
            assert.deepStrictEqual(ofTemplate('{{ secret "secret/default/web/state" "counter=1" }}'), [
                {
                    path: "secret/data/default/web/state",
                    capability: "update",
                    via: 'template secret "secret/default/web/state" "counter=…"',
                    createWhenMissing: true,
                },
            ]);
        });
        it("writes a KV v1 secret at its path, where a missing secret needs create", () => {
            assert.deepStrictEqual(
                ofTemplate('{{ secret "kv1/default/web/state" "counter=1" }}').map((r) => [r.path, "createWhenMissing" in r]),
                [["kv1/default/web/state", true]],
            );
        });
        it("is a write with one empty parameter too", () => {
            assert.strictEqual(ofTemplate('{{ secret "transit/encrypt/web" "" }}')[0].capability, "update");
        });
        it("keeps a ? in a written path: writes do not parse it as a URL", () => {
            assert.strictEqual(ofTemplate('{{ secret "transit/encrypt/web?x" "plaintext=aGk=" }}')[0].path, "transit/encrypt/web?x");
        });
        it("shows a parameter without = as it is written (consul-template refuses it)", () => {
            assert.strictEqual(ofTemplate('{{ secret "pki/issue/nomad" "plain" }}')[0].via, 'template secret "pki/issue/nomad" "plain"');
        });
        it("shows a computed parameter as it is written", () => {
            assert.strictEqual(
                ofTemplate('{{ secret "pki/issue/nomad" (printf "common_name=%s" .host) }}')[0].via,
                'template secret "pki/issue/nomad" (printf "common_name=%s" .host)',
            );
        });
    });

    describe("template secrets: a list", () => {
        it("needs list on the KV v2 metadata path it lists, with the slash Vault adds", () => {
            assert.deepStrictEqual(ofTemplate('{{ range secrets "secret/metadata/default/web/" }}{{ . }}{{ end }}'), [
                { path: "secret/metadata/default/web/", capability: "list", via: 'template secrets "secret/metadata/default/web/"' },
            ]);
        });
        it("lists metadata/ for a KV v2 path written without it", () => {
            assert.strictEqual(ofTemplate('{{ range secrets "secret/default/web" }}{{ end }}')[0].path, "secret/metadata/default/web/");
        });
        it("lists a KV v1 path as it is", () => {
            assert.strictEqual(ofTemplate('{{ range secrets "kv1/default/web/" }}{{ end }}')[0].path, "kv1/default/web/");
        });
        for (const row of QUERY_PATHS.list) {
            it(`lists the path NewVaultListQuery keeps (${row.name})`, () => {
                assert.deepStrictEqual(
                    ofTemplate(`{{ secrets "${row.i}" }}`).map((r) => r.path),
                    row.path === null ? [] : [`${row.path}/`],
                );
            });
        }
    });

    describe("template pkiCert: a write", () => {
        it("needs update on its path, which no KV shim touches", () => {
            const everythingKv: KvMountOf = () => ({ mount: "pki/", version: 2 });
            assert.deepStrictEqual(
                ofTemplate('{{ with pkiCert "pki/issue/web?x=1" "common_name=web.example" }}{{ .Cert }}{{ end }}', everythingKv),
                [{ path: "pki/issue/web", capability: "update", via: 'template pkiCert "pki/issue/web?x=1" "common_name=…"' }],
            );
        });
    });

    describe("template paths computed when the task runs", () => {
        it("are dynamic, with their text", () => {
            assert.deepStrictEqual(ofTemplate('{{ with secret (printf "kv/data/%s" (env "NOMAD_JOB_ID")) }}{{ end }}'), [
                {
                    dynamic: true,
                    expression: '(printf "kv/data/%s" (env "NOMAD_JOB_ID"))',
                    capability: "read",
                    via: 'template secret (printf "kv/data/%s" (env "NOMAD_JOB_ID"))',
                },
            ]);
        });
        it("keep the capability of their call", () => {
            assert.strictEqual(ofTemplate('{{ secret (env "PKI_PATH") "common_name=web.example" }}')[0].capability, "update");
        });
    });

    describe("templates", () => {
        it("ask nothing with a secret that has no argument", () => {
            assert.deepStrictEqual(ofTemplate("{{ secret }}"), []);
        });
        it("are read with the task's delimiters", () => {
            const requests = vaultRequests(
                { Templates: [{ EmbeddedTmpl: '{{ secret "kv/a" }}[[ secret "kv/b" ]]', LeftDelim: "[[", RightDelim: "]]" }] },
                kvMountOf,
            );
            assert.deepStrictEqual(
                requests.map((r) => r.via),
                ['template secret "kv/b"'],
            );
        });
        it("ask nothing when the task has neither templates nor secret blocks (Nomad sends null)", () => {
            assert.deepStrictEqual(vaultRequests({ Templates: null, Secrets: null }, kvMountOf), []);
        });
        it("with no text ask nothing", () => {
            assert.deepStrictEqual(vaultRequests({ Templates: [{}] }, kvMountOf), []);
        });
    });

    describe("secret blocks of the vault provider: a read, as Nomad renders them into a template", () => {
        it("reads a kv_v2 path written with data/ as it is", () => {
            assert.deepStrictEqual(ofSecret({ Path: "secret/data/default/web/db", Config: { engine: "kv_v2" } }), [
                { path: "secret/data/default/web/db", capability: "read", via: 'secret block "db"' },
            ]);
        });
        it("reads a kv_v2 path written without data/ at data/ (consul-template's shim)", () => {
            assert.strictEqual(
                ofSecret({ Path: "secret/default/web/db", Config: { engine: "kv_v2" } })[0].path,
                "secret/data/default/web/db",
            );
        });
        it("reads a KV v1 path with the default engine as it is", () => {
            assert.deepStrictEqual(ofSecret({ Path: "kv1/default/web/db" }), [
                { path: "kv1/default/web/db", capability: "read", via: 'secret block "db"' },
            ]);
        });
        it("reads a versioned path at its path, ?version=N being a parameter", () => {
            assert.strictEqual(
                ofSecret({ Path: "secret/data/default/web/db?version=2", Config: { engine: "kv_v2" } })[0].path,
                "secret/data/default/web/db",
            );
        });
        it("ask nothing with an empty path (Nomad refuses the job)", () => {
            assert.deepStrictEqual(ofSecret({ Path: "" }), []);
        });
        it("trims the leading slash, as Nomad's own provider test writes it", () => {
            assert.strictEqual(ofSecret({ Path: "/kv1/test/path" })[0].path, "kv1/test/path");
        });
        it("warn when the kv engine reads a KV v2 mount", () => {
            assert.strictEqual(
                ofSecret({ Path: "secret/data/default/web/db" })[0].warning,
                'secret block "db" has engine "kv" on the KV v2 mount secret/: the task\'s secret.db.<key> values stay unset; set config { engine = "kv_v2" }.',
            );
        });
        it("warn when the kv_v2 engine reads a KV v1 mount", () => {
            assert.strictEqual(
                ofSecret({ Path: "kv1/default/web/db", Config: { engine: "kv_v2" } })[0].warning,
                'secret block "db" has engine "kv_v2" on the KV v1 mount kv1/: the task\'s secret.db.<key> values stay unset; set config { engine = "kv" }.',
            );
        });
        it("do not warn outside a KV mount", () => {
            assert.ok(!("warning" in ofSecret({ Path: "database/creds/web" })[0]));
        });
        it("ask nothing with a path Nomad refuses (template delimiters or parentheses)", () => {
            assert.deepStrictEqual(ofSecret({ Path: "secret/data/{{ .x }}" }), []);
        });
        it("of the nomad provider ask Vault nothing", () => {
            assert.deepStrictEqual(ofSecret({ Provider: "nomad", Path: "nomad/jobs/web" }), []);
        });
        it("of a custom plugin ask Vault nothing", () => {
            assert.deepStrictEqual(ofSecret({ Provider: "test_secret_plugin", Path: "some/path" }), []);
        });
    });

    describe("a Nomad 2.0 job as its API returns it", () => {
        const task = readFixture("nomad.job-secrets").body.TaskGroups[0].Tasks[0];
        it("lists the templates' requests, then the vault secret blocks'", () => {
            assert.deepStrictEqual(vaultRequests(task, kvMountOf), [
                { path: "secret/data/default/web/config", capability: "read", via: 'template secret "secret/default/web/config"' },
                { path: "pki/issue/nomad", capability: "update", via: 'template secret "pki/issue/nomad" "common_name=…"' },
                { path: "secret/metadata/default/web/", capability: "list", via: 'template secrets "secret/metadata/default/web/"' },
                { path: "secret/data/default/web/db", capability: "read", via: 'secret block "db"' },
                { path: "kv1/default/web/legacy", capability: "read", via: 'secret block "legacy"' },
            ]);
        });
        it("reads a Nomad 1.10 job, whose tasks have no Secrets", () => {
            const old = readFixture("nomad.job").body.TaskGroups[0].Tasks[0];
            assert.deepStrictEqual(
                vaultRequests(
                    { ...old, Templates: [{ ...old.Templates[0], EmbeddedTmpl: '{{ secret "kv/data/default/mongo/config" }}' }] },
                    kvMountOf,
                ),
                [{ path: "kv/data/default/mongo/config", capability: "read", via: 'template secret "kv/data/default/mongo/config"' }],
            );
        });
    });
});

describe("A jobspec's tasks as Nomad's API returns them", () => {
    const jobspec = fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/workloads/secret-blocks.nomad.hcl"), "utf8");
    const tasks = async (text = jobspec) => jobspecTasks(await parseHcl(await resolveJobspec(text)));

    it("names each task with its job, namespace and group", async () => {
        assert.deepStrictEqual(
            (await tasks()).map(({ job, namespace, group, task }) => [job, namespace, group, task.Name]),
            [
                ["web", "default", "web", "web"],
                ["web", "default", "worker", "worker"],
            ],
        );
    });
    it("gives a task its own secret blocks, then the job's", async () => {
        assert.deepStrictEqual((await tasks())[0].task.Secrets, [
            { Name: "db", Provider: "vault", Path: "kv/data/default/web/db", Config: { engine: "kv_v2" } },
            { Name: "legacy", Provider: "vault", Path: "kv1/default/web/legacy", Config: null },
            { Name: "token", Provider: "nomad", Path: "nomad/jobs/web", Config: { namespace: "default" } },
            { Name: "shared", Provider: "vault", Path: "kv/data/default/web/shared", Config: { engine: "kv_v2" } },
        ]);
    });
    it("gives a task without secret blocks its group's, then the job's", async () => {
        assert.deepStrictEqual(
            (await tasks())[1].task.Secrets!.map((s) => s.Name),
            ["queue", "shared"],
        );
    });
    it("does not give a task with its own secret blocks its group's", async () => {
        const text =
            'job "j" {\n group "g" {\n  secret "group" {\n   provider = "vault"\n   path = "kv/g"\n  }\n  task "t" {\n   secret "own" {\n    provider = "vault"\n    path = "kv/t"\n   }\n  }\n }\n}\n';
        assert.deepStrictEqual(
            (await tasks(text))[0].task.Secrets!.map((s) => s.Name),
            ["own"],
        );
    });
    it("reads a secret block without provider or path as empty strings, as Nomad's decoder leaves them", async () => {
        const text = 'job "j" {\n group "g" {\n  task "t" {\n   secret "bare" {}\n  }\n }\n}\n';
        assert.deepStrictEqual((await tasks(text))[0].task.Secrets, [{ Name: "bare", Provider: "", Path: "", Config: null }]);
    });
    it("gives templates their text and Nomad's default delimiters", async () => {
        assert.deepStrictEqual((await tasks())[0].task.Templates![1], {
            EmbeddedTmpl: '{{ with secret "pki/issue/nomad" "common_name=web.example" }}{{ .Data.certificate }}{{ end }}\n',
            LeftDelim: "{{",
            RightDelim: "}}",
        });
    });
    it("gives templates their own delimiters", async () => {
        const template = (await tasks())[1].task.Templates![0];
        assert.deepStrictEqual([template.LeftDelim, template.RightDelim], ["[[", "]]"]);
    });
    it("gives a template without data an empty text", async () => {
        const text =
            'job "j" {\n group "g" {\n  task "t" {\n   template {\n    source = "local/in.tpl"\n    destination = "local/out"\n   }\n  }\n }\n}\n';
        assert.strictEqual((await tasks(text))[0].task.Templates![0].EmbeddedTmpl, "");
    });
    it("puts a job without a namespace in the default one", async () => {
        assert.strictEqual((await tasks('job "j" {\n group "g" {\n  task "t" {}\n }\n}\n'))[0].namespace, "default");
    });
    it("finds no task in a file without a job", async () => {
        assert.deepStrictEqual(await tasks('variable "x" {\n default = 1\n}\n'), []);
    });
    it("asks Vault what the web task's templates and vault secret blocks read", async () => {
        assert.deepStrictEqual(vaultRequests((await tasks())[0].task, kvMountOf), [
            { path: "kv/data/default/web/config", capability: "read", via: 'template secret "kv/default/web/config"' },
            { path: "pki/issue/nomad", capability: "update", via: 'template secret "pki/issue/nomad" "common_name=…"' },
            { path: "kv/data/default/web/db", capability: "read", via: 'secret block "db"' },
            { path: "kv1/default/web/legacy", capability: "read", via: 'secret block "legacy"' },
            { path: "kv/data/default/web/shared", capability: "read", via: 'secret block "shared"' },
        ]);
    });
    it("asks Vault what the worker task lists with its own delimiters, and its inherited secret blocks", async () => {
        assert.deepStrictEqual(
            vaultRequests((await tasks())[1].task, kvMountOf).map((r) => [r.capability, "path" in r ? r.path : undefined]),
            [
                ["list", "kv/metadata/default/web/"],
                ["read", "kv/data/default/web/queue"],
                ["read", "kv/data/default/web/shared"],
            ],
        );
    });
});
