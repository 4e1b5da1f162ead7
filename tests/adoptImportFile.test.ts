// The import file of an external stack, for configurations adopt does not write too (secrets, a KV
// mount the stack creates, a job named as a role): entry for entry, the resources the program
// registers, with their parents and providers, and IDs in each provider's import format.
import * as assert from "assert";
import { importFile, providerUrns } from "../adopt/importFile";
import { checkedWorkloads } from "../program/workloads";
import { loadSettings } from "../settings";
import { ProgramRun, RecordedResource, runProgram } from "../tools/programRecorder";
import { API_SOURCE, EXTERNAL_STACK } from "./externalStack";

const EXTERNAL = {
    ...EXTERNAL_STACK,
    jwtAuthPath: "jwt",
    roleName: "nomad",
    policyName: "nomad-workload",
};
/** A job whose ID is also the name of api's role: the file must tell the two apart. */
const ROLE_NAMED_JOB = 'job "api-db" {\n  namespace = "team"\n  group "g" {\n    task "t" {\n      driver = "docker"\n    }\n  }\n}\n';
const WORKLOADS = [
    {
        source: API_SOURCE,
        secrets: { config: { api_key: "k" } },
        role: { name: "api-db", grants: [{ path: "kv/data/default/api/config", capabilities: ["read"] }] },
    },
    { source: ROLE_NAMED_JOB, namespace: "team" },
];

/** The file for `config`, and the program run with it. */
async function both(config: Record<string, string>) {
    const settings = loadSettings(Object.fromEntries(Object.entries(config).map(([k, v]) => [`vaultnomad:${k}`, v])), "prod", {});
    const file = importFile("prod", settings, await checkedWorkloads(settings));
    const run = await runProgram({ stack: "prod", config, secretKeys: ["workloads"] });
    return { file, run };
}

const parentOf = (run: ProgramRun, r: RecordedResource) => run.resources.find((p) => p.resource === r.opts.parent);
const providerOf = (r: RecordedResource) => r.providerRef?.split("::")[3];

/** Each resource as `type name < parent @ provider`, as the program registers it, but the providers and ExternalClusters. */
const registered = (run: ProgramRun) =>
    run.resources
        .filter((r) => r.type !== "vaultnomad:index:ExternalClusters" && !r.type.startsWith("pulumi:providers:"))
        .map((r) => `${r.type} ${r.name} < ${parentOf(run, r)?.name ?? ""} @ ${r.custom ? providerOf(r) : ""}`)
        .sort();

/** The same of the file's entries. */
const imported = (file: ReturnType<typeof importFile>) =>
    file.resources
        .map((r) => {
            const parent = file.resources.find((p) => p.name === r.parent);
            return `${r.type} ${r.logicalName ?? r.name} < ${parent ? (parent.logicalName ?? parent.name) : ""} @ ${r.provider ?? ""}`;
        })
        .sort();

describe("the import file of an external stack", function () {
    this.timeout(60_000);

    // Each test runs the program itself (not in a before hook), so that a mutation of the file's code is judged by it.
    describe("with secrets, a job's own role, a namespace, and a job named as a role", () => {
        const full = () => both({ ...EXTERNAL, workloads: JSON.stringify(WORKLOADS) });

        it("lists every resource the program registers, under its name, parent and provider", async () => {
            const { file, run } = await full();
            assert.deepStrictEqual(imported(file), registered(run));
        });
        it("gives each object its ID in its provider's import format", async () => {
            const { file } = await full();
            const ids = Object.fromEntries(
                file.resources.filter((r) => r.id).map((r) => [`${r.type.split(":").pop()} ${r.logicalName ?? r.name}`, r.id]),
            );
            assert.deepStrictEqual(ids, {
                "AuthBackend workload-identity-jwt": "jwt",
                "Policy workload-identity-policy": "nomad-workload",
                "AuthBackendRole workload-identity-role": "auth/jwt/role/nomad",
                "SecretV2 kv-api-config": "kv/data/default/api/config",
                "Namespace jobs-namespace-team": "team",
                "Policy api-db-policy": "api-db",
                "AuthBackendRole api-db-role": "auth/jwt/role/api-db",
                "Job api-job": "api@default",
                "Job api-db-job": "api-db@team",
            });
        });
        it("keeps each name unique, giving the second holder of a name its Pulumi name apart", async () => {
            const { file } = await full();
            const names = file.resources.map((r) => r.name);
            assert.deepStrictEqual(
                [new Set(names).size === names.length, file.resources.filter((r) => r.logicalName).map((r) => [r.name, r.logicalName])],
                [true, [["api-db-NomadJob", "api-db"]]],
            );
        });
        it("names both providers by the URNs the program gives them, as a targeted up creates them", async () => {
            const { file } = await full();
            const urns = providerUrns("prod");
            assert.deepStrictEqual(file.nameTable, { "clusters-vault": urns.vault, "clusters-nomad": urns.nomad });
        });
        it("creates no existing object's parent twice: each component once, without an ID", async () => {
            const { file } = await full();
            const components = file.resources.filter((r) => r.component);
            assert.deepStrictEqual(
                [components.map((r) => r.logicalName ?? r.name).sort(), components.filter((r) => r.id || r.provider)],
                [["api", "api-db", "api-db", "kv", "workload-identity"], []],
            );
        });
    });

    it("imports the KV mount the stack creates, by its path", async () => {
        const { file, run } = await both({ ...EXTERNAL, createKvMount: "true" });
        assert.deepStrictEqual([imported(file), file.resources.find((r) => r.name === "kv-mount")?.id], [registered(run), "kv"]);
    });
    it("names no Nomad provider when nothing is Nomad's", async () => {
        const { file, run } = await both(EXTERNAL);
        assert.deepStrictEqual([imported(file), Object.keys(file.nameTable)], [registered(run), ["clusters-vault"]]);
    });
});
