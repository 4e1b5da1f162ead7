// Reading the workloads key's entries: each malformed field refused with the entry and the field,
// and what a well-formed entry becomes. (Checks against the jobspecs: workloads.test.ts.)
import * as assert from "assert";
import { readWorkloads, SecretText, WorkloadsSource } from "../settings/workloads";

const JOBSPEC = "jobs/api.nomad.hcl";
const AT = `vaultnomad:workloads[0] (${JOBSPEC})`;
/** A jobspec's text, as Nomad's job submission keeps it. */
const SOURCE = 'job "api" {\n  group "api" {}\n}\n';

/** The problems and workloads read from `entries` (JSON unless a string is given), in namespace "default". */
function read(entries: unknown, secrecy?: WorkloadsSource["secrecy"]) {
    const problems: string[] = [];
    const json = typeof entries === "string" ? entries : JSON.stringify(entries);
    const workloads = readWorkloads({ json, secrecy }, "default", problems);
    return { problems, workloads };
}

/** The problems of one entry with the fields `fields` beside its jobspec. */
const problemsOf = (fields: Record<string, unknown>) => read([{ jobspec: JOBSPEC, ...fields }]).problems;

describe("workloads entries", () => {
    describe("the key", () => {
        it("unset or empty means no workloads", () => {
            assert.deepStrictEqual(
                [read(undefined), read("")],
                [
                    { problems: [], workloads: [] },
                    { problems: [], workloads: [] },
                ],
            );
        });
        it("refuses text that is not JSON, pointing to structured config", () => {
            assert.deepStrictEqual(read("jobs/api.nomad.hcl"), {
                problems: ["vaultnomad:workloads: not a list of workloads. Set it as structured config (see docs/workloads.md)."],
                workloads: [],
            });
        });
        it("refuses JSON that is not a list", () => {
            assert.deepStrictEqual(read({ jobspec: JOBSPEC }), {
                problems: ["vaultnomad:workloads: must be a list of workloads, each with a jobspec."],
                workloads: [],
            });
        });
    });

    describe("an entry", () => {
        it("needs a jobspec or a source", () => {
            const needs = (i: number) =>
                `vaultnomad:workloads[${i}]: jobspec: each workload needs either a jobspec, a path relative to the project such as jobs/api.nomad.hcl, or its source, the jobspec's text.`;
            assert.deepStrictEqual(read([{ namespace: "default" }, { jobspec: " " }, "jobs/api.nomad.hcl", { source: "\n" }]).problems, [
                needs(0),
                needs(1),
                needs(2),
                needs(3),
            ]);
        });
        it("refuses a jobspec and a source together", () => {
            assert.deepStrictEqual(read([{ jobspec: JOBSPEC, source: SOURCE }]).problems, [
                "vaultnomad:workloads[0]: jobspec: each workload needs either a jobspec, a path relative to the project such as jobs/api.nomad.hcl, or its source, the jobspec's text.",
            ]);
        });
        it("takes a source, named in messages by the job it declares", () => {
            const [workload] = read([{ source: SOURCE }]).workloads;
            assert.deepStrictEqual(
                [workload.origin, workload.source, workload.jobspec],
                ["vaultnomad:workloads[0] (source of job api)", SOURCE, undefined],
            );
        });
        it("names a source that declares no job by its place alone", () => {
            assert.deepStrictEqual(read([{ source: 'variable "x" {}', bogus: 1 }]).problems, [
                "vaultnomad:workloads[0] (source of job ?): bogus: unknown field; a workload has jobspec, source, namespace, vars, secrets, role, after, clusters.",
            ]);
        });
        it("refuses an unknown field, listing the known ones", () => {
            assert.deepStrictEqual(problemsOf({ image: "x" }), [
                `${AT}: image: unknown field; a workload has jobspec, source, namespace, vars, secrets, role, after, clusters.`,
            ]);
        });
        it("runs in the stack's job namespace unless it names its own", () => {
            const namespaces = read([{ jobspec: JOBSPEC }, { jobspec: JOBSPEC, namespace: "team" }]).workloads.map((w) => w.namespace);
            assert.deepStrictEqual(namespaces, ["default", "team"]);
        });
        it("refuses a namespace Nomad would refuse", () => {
            assert.deepStrictEqual(
                [problemsOf({ namespace: "team/apps" }), problemsOf({ namespace: 7 })],
                [
                    [`${AT}: namespace: "team/apps" is not a Nomad namespace name (letters, digits and -).`],
                    [`${AT}: namespace: 7 is not a Nomad namespace name (letters, digits and -).`],
                ],
            );
        });
        it("is left out of the workloads when any of its fields is at fault", () => {
            assert.deepStrictEqual(read([{ jobspec: JOBSPEC, after: "mongo" }]).workloads, []);
        });
        it("becomes a workload with its fields, and defaults for those left out", () => {
            assert.deepStrictEqual(read([{ jobspec: JOBSPEC }]).workloads, [
                { origin: AT, jobspec: JOBSPEC, namespace: "default", vars: {}, secrets: {}, role: undefined, after: [] },
            ]);
        });
    });

    describe("vars", () => {
        it("are held as strings, numbers and booleans included", () => {
            assert.deepStrictEqual(
                read([{ jobspec: JOBSPEC, vars: { image: "busybox:1.36", count: 2, debug: false } }]).workloads[0].vars,
                {
                    image: "busybox:1.36",
                    count: "2",
                    debug: "false",
                },
            );
        });
        it("must be a map", () => {
            const message = `${AT}: vars: must map variable names to values.`;
            assert.deepStrictEqual([problemsOf({ vars: ["image"] }), problemsOf({ vars: "image=x" })], [[message], [message]]);
        });
        it("refuse a value that is a list or a map", () => {
            assert.deepStrictEqual(problemsOf({ vars: { ports: [1], env: { a: "b" } } }), [
                `${AT}: vars.ports: must be a string, number or boolean.`,
                `${AT}: vars.env: must be a string, number or boolean.`,
            ]);
        });
        it("refuse the ones the program sets, naming where it takes them from", () => {
            assert.deepStrictEqual(problemsOf({ vars: { namespace: "x", kv_mount: "kv", vault_role: "r" } }), [
                `${AT}: vars.namespace: set by the program from the workload's namespace; remove it.`,
                `${AT}: vars.kv_mount: set by the program from the workload's kv_mount; remove it.`,
                `${AT}: vars.vault_role: set by the program from the workload's role; remove it.`,
            ]);
        });
    });

    describe("secrets", () => {
        it("are held as secret texts that never show their value", () => {
            const { workloads } = read([{ jobspec: JOBSPEC, secrets: { config: { api_key: "k-value" } } }]);
            const text = workloads[0].secrets.config.api_key;
            assert.deepStrictEqual(
                [text instanceof SecretText, text.reveal(), String(text), JSON.stringify(text)],
                [true, "k-value", "[secret]", '"[secret]"'],
            );
        });
        it("must be a map", () => {
            assert.deepStrictEqual(problemsOf({ secrets: ["config"] }), [
                `${AT}: secrets: must map secret names to their keys and values.`,
            ]);
        });
        it("are named by one path segment", () => {
            assert.deepStrictEqual(problemsOf({ secrets: { "a/b": { key: "v" } } }), [
                `${AT}: secrets.a/b: a secret name is one path segment of letters, digits, _, . and -.`,
            ]);
        });
        it("map at least one key to a value", () => {
            const message = "must map keys to values, such as { api_key: … }.";
            assert.deepStrictEqual(problemsOf({ secrets: { empty: {}, text: "v" } }), [
                `${AT}: secrets.empty: ${message}`,
                `${AT}: secrets.text: ${message}`,
            ]);
        });
        it("have keys a template can read, starting with a letter or _", () => {
            assert.deepStrictEqual(problemsOf({ secrets: { config: { "api-key": "v", "1key": "v", _ok: "v" } } }), [
                `${AT}: secrets.config.api-key: a key is letters, digits and _, so that templates can read .Data.data.<key>.`,
                `${AT}: secrets.config.1key: a key is letters, digits and _, so that templates can read .Data.data.<key>.`,
            ]);
        });
        it("hold string values only", () => {
            assert.deepStrictEqual(problemsOf({ secrets: { config: { port: 5432 } } }), [`${AT}: secrets.config.port: must be a string.`]);
        });
    });

    describe("role", () => {
        const GRANT = { path: "kv/data/default/api/config", capabilities: ["read"] };

        it("is held with its name and grants", () => {
            assert.deepStrictEqual(read([{ jobspec: JOBSPEC, role: { name: "api-db", grants: [GRANT] } }]).workloads[0].role, {
                name: "api-db",
                grants: [GRANT],
            });
        });
        it("needs a name Vault accepts", () => {
            const message = `${AT}: role.name: a role needs a name of letters, digits, _, . and -.`;
            assert.deepStrictEqual(
                [
                    problemsOf({ role: "api-db" }),
                    problemsOf({ role: { grants: [GRANT] } }),
                    problemsOf({ role: { name: "-api", grants: [GRANT] } }),
                    problemsOf({ role: { name: "api/db", grants: [GRANT] } }),
                    problemsOf({ role: { name: "api db", grants: [GRANT] } }),
                ],
                [[message], [message], [message], [message], [message]],
            );
        });
        it("needs at least one grant", () => {
            const message = `${AT}: role.grants: a role needs at least one grant { path, capabilities }.`;
            assert.deepStrictEqual(
                [
                    problemsOf({ role: { name: "r" } }),
                    problemsOf({ role: { name: "r", grants: [] } }),
                    problemsOf({ role: { name: "r", grants: GRANT } }),
                ],
                [[message], [message], [message]],
            );
        });
        it("refuses each grant without a path or capabilities of strings", () => {
            const grants = [
                GRANT,
                { capabilities: ["read"] },
                { path: "", capabilities: ["read"] },
                { path: "kv/data/x", capabilities: [] },
                { path: "kv/data/x", capabilities: "read" },
                { path: "kv/data/x", capabilities: ["read", 1] },
                "kv/data/x",
            ];
            const faulty = problemsOf({ role: { name: "r", grants } }).map((p) => /role\.grants\[(\d+)\]/.exec(p)?.[1]);
            assert.deepStrictEqual(faulty, ["1", "2", "3", "4", "5", "6"]);
        });
        it("shows the shape of a grant when one is wrong", () => {
            assert.deepStrictEqual(problemsOf({ role: { name: "r", grants: [{ path: "kv/data/x" }] } }), [
                `${AT}: role.grants[0]: must be { path: "…", capabilities: ["read", …] }.`,
            ]);
        });
    });

    describe("after", () => {
        it("is a list of job IDs", () => {
            assert.deepStrictEqual(read([{ jobspec: JOBSPEC, after: ["mongo"] }]).workloads[0].after, ["mongo"]);
        });
        it("refuses anything else", () => {
            const message = `${AT}: after: must be a list of job IDs.`;
            assert.deepStrictEqual([problemsOf({ after: "mongo" }), problemsOf({ after: ["mongo", 1] })], [[message], [message]]);
        });
    });

    describe("secret values in the stack file", () => {
        const entry = { jobspec: JOBSPEC, secrets: { config: { api_key: "k" } } };
        const plain = `${AT}: secrets.config.api_key: given in plain text. Fix: pulumi config set --secret --path 'workloads[0].secrets.config.api_key' <value>`;

        it("are refused when the key is not secret", () => {
            assert.deepStrictEqual(read([entry], { isSecret: false }).problems, [plain]);
        });
        it("are accepted when the key is secret and the stack file is not known", () => {
            assert.deepStrictEqual(read([entry], { isSecret: true }).problems, []);
        });
        it("are accepted when the stack file shows the leaf encrypted", () => {
            const stored = [{ ...entry, secrets: { config: { api_key: { secure: "v1:abc" } } } }];
            assert.deepStrictEqual(read([entry], { isSecret: true, stored }).problems, []);
        });
        it("are refused when the stack file shows the leaf in plain text beside an encrypted one", () => {
            const stored = [{ ...entry, secrets: { config: { api_key: "k" } }, vars: { token: { secure: "v1:abc" } } }];
            assert.deepStrictEqual(read([entry], { isSecret: true, stored }).problems, [plain]);
        });
        it("are refused when the stored leaf is an object with more than the secure field", () => {
            const stored = [{ ...entry, secrets: { config: { api_key: { secure: "v1:abc", note: "x" } } } }];
            assert.deepStrictEqual(read([entry], { isSecret: true, stored }).problems, [plain]);
        });
        it("are not checked by readers that do not know the key's secrecy", () => {
            assert.deepStrictEqual(read([entry]).problems, []);
        });
    });
});
