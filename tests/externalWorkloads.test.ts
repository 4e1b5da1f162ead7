// Workloads on existing clusters (mode external): their jobs through the Nomad provider of the
// operator's token, their secrets in a KV mount that exists or that the stack creates, their
// namespaces as described; and the identity keys (algorithms, description, claim mappings) reaching
// the resources.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT, ProgramRun, runProgram } from "../tools/programRecorder";
import { API_SOURCE, EXTERNAL_STACK } from "./externalStack";

const EXTERNAL = EXTERNAL_STACK;
const WORKER_SOURCE = fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/workloads/worker.nomad.hcl"), "utf8");
/** A job in namespace team, from its source, with no variables the program sets. */
const TEAM_JOB = 'job "reporter" {\n  namespace = "team"\n  group "r" {\n    task "r" {\n      driver = "docker"\n    }\n  }\n}\n';
const API = {
    jobspec: "jobs/api.nomad.hcl",
    secrets: { config: { api_key: "k" } },
    role: {
        name: "api-db",
        grants: [{ path: "kv/data/default/api/config", capabilities: ["read"] }],
    },
};

const inputsOf = (run: ProgramRun, type: string, name?: string) => run.one(type, name).inputs!;
const providerOf = (run: ProgramRun, name: string) => run.resources.find((r) => r.name === name)!.providerRef?.split("::")[3];

describe("workloads on existing clusters", function () {
    this.timeout(60_000);
    // Each test runs the program itself, so that mutation testing knows which tests read which lines.

    describe("a job from its source, a job with a role and a secret, a job in a described namespace", () => {
        let run: ProgramRun;
        beforeEach(async () => {
            const workloads = [
                { source: WORKER_SOURCE },
                { ...API, jobspec: undefined, source: API_SOURCE },
                { source: TEAM_JOB, namespace: "team" },
                { source: TEAM_JOB.replace(/reporter/g, "auditor").replace('"team"', '"ops"'), namespace: "ops" },
            ];
            run = await runProgram({
                stack: "prod",
                config: {
                    ...EXTERNAL,
                    workloads: JSON.stringify(workloads),
                    namespaces: JSON.stringify({ team: { description: "Team A's jobs" } }),
                    jwtSupportedAlgs: "EdDSA,RS256",
                    jwtAuthDescription: "JWT auth backend for Nomad",
                    claimMappings: "nomad_namespace,nomad_job_id,nomad_task,nomad_group",
                },
                secretKeys: ["workloads"],
            });
        });

        it("registers each job from the text of its source, through the Nomad provider of the stack's token", () => {
            assert.deepStrictEqual(
                [inputsOf(run, "nomad:index/job:Job", "worker-job").jobspec, providerOf(run, "worker-job")],
                [WORKER_SOURCE, "clusters-nomad"],
            );
        });
        it("gives a job without variables no hcl2 block, as the provider reads such a job back", () => {
            assert.deepStrictEqual(
                [inputsOf(run, "nomad:index/job:Job", "reporter-job").hcl2, inputsOf(run, "nomad:index/job:Job", "worker-job").hcl2],
                [undefined, { vars: { namespace: "default" } }],
            );
        });
        it("writes the secret into the existing KV mount, by its path, creating no mount", () => {
            const secret = inputsOf(run, "vault:kv/secretV2:SecretV2", "kv-api-config");
            assert.deepStrictEqual([secret.mount, secret.name, run.ofType("vault:index/mount:Mount")], ["kv", "default/api/config", []]);
        });
        it("creates the job's role and policy with the Vault provider of the stack", () => {
            assert.deepStrictEqual(
                [providerOf(run, "api-db-role"), providerOf(run, "api-db-policy")],
                ["clusters-vault", "clusters-vault"],
            );
        });
        it("describes a namespace the key does not name as the stack's", () => {
            assert.strictEqual(
                inputsOf(run, "nomad:index/namespace:Namespace", "jobs-namespace-ops").description,
                "Workloads of this stack",
            );
        });
        it("creates the namespace a workload runs in, described as the namespaces key says", () => {
            const namespace = inputsOf(run, "nomad:index/namespace:Namespace", "jobs-namespace-team");
            assert.deepStrictEqual(
                [namespace.name, namespace.description, providerOf(run, "jobs-namespace-team")],
                ["team", "Team A's jobs", "clusters-nomad"],
            );
        });
        it("gives the auth method the configured algorithms, in their order, and description", () => {
            const auth = inputsOf(run, "vault:jwt/authBackend:AuthBackend");
            assert.deepStrictEqual([auth.jwtSupportedAlgs, auth.description], [["EdDSA", "RS256"], "JWT auth backend for Nomad"]);
        });
        it("maps the configured claims on the default role and on a job's own role", () => {
            const mappings = run.ofType("vault:jwt/authBackendRole:AuthBackendRole").map((r) => r.inputs!.claimMappings);
            const expected = {
                nomad_namespace: "nomad_namespace",
                nomad_job_id: "nomad_job_id",
                nomad_task: "nomad_task",
                nomad_group: "nomad_group",
            };
            assert.deepStrictEqual(mappings, [expected, expected]);
        });
    });

    describe("createKvMount", () => {
        it("creates the KV v2 mount and writes the secrets into it once it exists", async () => {
            const run = await runProgram({
                stack: "prod",
                config: {
                    ...EXTERNAL,
                    createKvMount: "true",
                    workloads: JSON.stringify([{ ...API, jobspec: undefined, source: API_SOURCE }]),
                },
                secretKeys: ["workloads"],
            });
            const [mount, secret] = [
                run.one("vault:index/mount:Mount", "kv-mount"),
                run.one("vault:kv/secretV2:SecretV2", "kv-api-config"),
            ];
            assert.deepStrictEqual([mount.inputs!.path, secret.inputs!.mount, run.waitsFor(secret, mount)], ["kv", "kv", true]);
        });
        it("creates the mount with no workload at all", async () => {
            const run = await runProgram({ stack: "prod", config: { ...EXTERNAL, createKvMount: "true" } });
            const mount = inputsOf(run, "vault:index/mount:Mount", "kv-mount");
            assert.deepStrictEqual([mount.path, mount.type, mount.options], ["kv", "kv", { version: "2" }]);
        });
    });

    describe("without workloads", () => {
        let run: ProgramRun;
        beforeEach(async () => {
            run = await runProgram({ stack: "prod", config: EXTERNAL });
        });
        it("registers no KV component, job or namespace", () => {
            const found = run.resources.filter((r) => /KvSecrets|NomadJob|namespace:Namespace|job:Job/.test(r.type)).map((r) => r.name);
            assert.deepStrictEqual(found, []);
        });
        it("keeps the tutorial's algorithms and no description on the auth method", () => {
            const auth = inputsOf(run, "vault:jwt/authBackend:AuthBackend");
            assert.deepStrictEqual([auth.jwtSupportedAlgs, auth.description], [["RS256", "EdDSA"], undefined]);
        });
    });

    describe("with Vault's Nomad secrets engine", () => {
        let run: ProgramRun;
        beforeEach(async () => {
            run = await runProgram({ stack: "prod", config: { ...EXTERNAL, nomadSecretsEngine: "true", nomadSecretsRole: "ops" } });
        });
        it("configures it with the cluster's address, through the stack's providers", () => {
            const backend = run.one("vault:index/nomadSecretBackend:NomadSecretBackend");
            assert.deepStrictEqual(
                [backend.inputs!.address, providerOf(run, "nomad-secrets-backend"), providerOf(run, "nomad-secrets-token")],
                [EXTERNAL.nomadAddress, "clusters-vault", "clusters-nomad"],
            );
        });
        it("outputs the command that fetches a token", async () => {
            assert.strictEqual(await (run.exports.nomadTokenCommand as any).promise(), "vault read nomad/creds/ops");
        });
    });
});
