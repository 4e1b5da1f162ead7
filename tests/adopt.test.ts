// `npm run stack -- adopt` on the two kinds of cluster this program did not set up, served by the
// fakes as Vault and Nomad answer: as `nomad setup vault` leaves one, as the Terraform module
// terraform-vault-nomad-setup leaves one. What it writes is then run through the program under
// mocks, as tests/external.test.ts runs an external stack, and held against what the cluster holds.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../automation/exitCodes";
import { loadSettings } from "../settings";
import { request } from "../verify/http";
import { roleDrift } from "../verify/roleMeaning";
import { ProgramRun, RecordedResource } from "../tools/programRecorder";
import { Adopted, adoptCluster, importAdopted, runAdopted, shortConfig, unsetButHeld, vaultData, vaultFields } from "./adoptHarness";
import { API_PASSWORD, ClusterSetup, FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster, TERRAFORM_VAULT_NOMAD_SETUP } from "./fakeCluster";
import { FakeStacks } from "./fakeStackStore";

const parentName = (run: ProgramRun, r: RecordedResource) =>
    r.opts.parent ? run.resources.find((p) => p.resource === r.opts.parent)?.name : undefined;

/** The resources the program registers but the stack, its ExternalClusters and providers (a targeted up creates them before the import). */
const importable = (run: ProgramRun) =>
    run.resources.filter((r) => r.type !== "vaultnomad:index:ExternalClusters" && !r.type.startsWith("pulumi:providers:"));

const CLUSTERS: ClusterSetup[] = [NOMAD_SETUP_VAULT, TERRAFORM_VAULT_NOMAD_SETUP];

describe("adopt", function () {
    this.timeout(60_000);

    for (const setup of CLUSTERS) {
        describe(`a cluster as ${setup.name} leaves it (mount ${setup.mount}, role ${setup.role}, policy ${setup.policy})`, () => {
            let cluster: FakeCluster;
            let adopted: Adopted;
            let run: ProgramRun;
            const stacks = new FakeStacks();
            const byName = (name: string) => run.resources.find((r) => r.name === name)!;

            before(async () => {
                cluster = await startFakeCluster(setup);
                adopted = await adoptCluster(cluster, [], { stacks });
                run = await runAdopted(adopted, cluster);
            });
            after(() => cluster.close());

            it("exits 0, without a Pulumi CLI or a stack", () => {
                assert.deepStrictEqual([adopted.result.code, stacks.calls], [EXIT.ok, []]);
            });
            it("writes nothing but Pulumi.prod.yaml and import-prod.json", () => {
                assert.deepStrictEqual(fs.readdirSync(adopted.project, { recursive: true }).sort(), [
                    "Pulumi.prod.yaml",
                    "import-prod.json",
                ]);
            });
            it("writes a configuration that loads without error, in external mode, on the cluster's names", () => {
                const settings = loadSettings(
                    Object.fromEntries(Object.entries(shortConfig(adopted.config)).map(([k, v]) => [`vaultnomad:${k}`, v])),
                    "prod",
                    cluster.env,
                );
                assert.deepStrictEqual(
                    [
                        settings.mode,
                        settings.jwtAuthPath,
                        settings.roleName,
                        settings.policyName,
                        settings.kvMount,
                        settings.workloads.length,
                    ],
                    ["external", setup.mount, setup.role, setup.policy, setup.kv, 1],
                );
            });
            it("imports, for every entry, a resource the program registers with that type, name and parent", () => {
                const missing = adopted.imports.resources.filter((entry) => {
                    const registered = run.resources.find((r) => r.type === entry.type && r.name === (entry.logicalName ?? entry.name));
                    const parent = entry.parent && adopted.imports.resources.find((p) => p.name === entry.parent);
                    return !registered || parentName(run, registered) !== (parent ? (parent.logicalName ?? parent.name) : undefined);
                });
                assert.deepStrictEqual(missing, []);
            });
            it("imports every resource the program registers, so that nothing is created", () => {
                const imported = new Set(adopted.imports.resources.map((r) => `${r.type} ${r.logicalName ?? r.name}`));
                assert.deepStrictEqual(
                    importable(run)
                        .map((r) => `${r.type} ${r.name}`)
                        .filter((r) => !imported.has(r)),
                    [],
                );
            });
            it("names for each resource the provider the program gives it, by its URN", () => {
                const wrong = adopted.imports.resources
                    .filter((entry) => !entry.component)
                    .filter(
                        (entry) =>
                            byName(entry.logicalName ?? entry.name)
                                .providerRef?.split("::")
                                .slice(0, -1)
                                .join("::") !== adopted.imports.nameTable[entry.provider],
                    );
                assert.deepStrictEqual(wrong, []);
            });
            it("gives each object its ID in its provider's import format", () => {
                const ids = Object.fromEntries(adopted.imports.resources.filter((r) => r.id).map((r) => [r.name, r.id]));
                assert.deepStrictEqual(ids, {
                    "workload-identity-jwt": setup.mount,
                    "workload-identity-policy": setup.policy,
                    "workload-identity-role": `auth/${setup.mount}/role/${setup.role}`,
                    "api-job": "api@default",
                });
            });
            it("writes the auth method as the cluster holds its mount and config", async () => {
                const config = await vaultData(cluster, `auth/${setup.mount}/config`);
                const mount = (await vaultData(cluster, "sys/auth"))[`${setup.mount}/`];
                const auth = byName("workload-identity-jwt").inputs!;
                assert.deepStrictEqual(
                    [auth.path, auth.description ?? "", auth.jwksUrl, auth.jwksCaPem ?? "", auth.jwtSupportedAlgs, auth.defaultRole],
                    [setup.mount, mount.description, config.jwks_url, config.jwks_ca_pem, config.jwt_supported_algs, config.default_role],
                );
            });
            it("gives the auth method no input but what the mount and its config hold, field by field", async () => {
                const config = await vaultData(cluster, `auth/${setup.mount}/config`);
                const mount = (await vaultData(cluster, "sys/auth"))[`${setup.mount}/`];
                const inputs = vaultFields(byName("workload-identity-jwt"), []);
                const held = Object.fromEntries(
                    Object.keys(inputs).map((field) => [
                        field,
                        field === "path" ? setup.mount : field in mount && !(field in config) ? mount[field] : config[field],
                    ]),
                );
                assert.deepStrictEqual(inputs, held);
            });
            it("writes the default role as the cluster holds it, field by field", async () => {
                const held = await vaultData(cluster, `auth/${setup.mount}/role/${setup.role}`);
                const program = vaultFields(byName("workload-identity-role"), ["backend", "roleName"]);
                assert.deepStrictEqual(
                    [roleDrift(held, program), unsetButHeld(held, program), byName("workload-identity-role").inputs!.roleName],
                    [[], [], setup.role],
                );
            });
            it("writes the templated policy as the cluster holds it, to the byte", async () => {
                const held = await vaultData(cluster, `sys/policies/acl/${setup.policy}`);
                assert.deepStrictEqual(
                    [byName("workload-identity-policy").inputs!.name, byName("workload-identity-policy").inputs!.policy],
                    [setup.policy, held.policy],
                );
            });
            it("registers the job from the source Nomad keeps, with the variables it was submitted with", async () => {
                const submission = JSON.parse(
                    (
                        await request(`${cluster.env.NOMAD_ADDR}/v1/job/api/submission?version=0&namespace=default`, {
                            headers: { "X-Nomad-Token": cluster.env.NOMAD_TOKEN },
                        })
                    ).body,
                );
                const job = byName("api-job").inputs!;
                assert.deepStrictEqual([job.jobspec, job.hcl2?.vars ?? null], [submission.Source, submission.VariableFlags]);
            });
            it("writes no token and no secret value in either file", () => {
                const text = ["Pulumi.prod.yaml", "import-prod.json"]
                    .map((file) => fs.readFileSync(path.join(adopted.project, file), "utf8"))
                    .join("\n");
                const secrets = [cluster.env.VAULT_TOKEN, cluster.env.NOMAD_TOKEN, API_PASSWORD];
                assert.deepStrictEqual(
                    secrets.filter((secret) => text.includes(secret)),
                    [],
                );
            });
            it("refers to the secret the job reads by its path, as staying in Vault", () => {
                assert.match(
                    adopted.result.out,
                    new RegExp(
                        `the secret ${setup.kv}/data/default/api/config, read by default/api: its value stays in Vault, never copied`,
                    ),
                );
            });
            it("prints the next commands: the import, then a preview", () => {
                const next = adopted.result.out
                    .split("Next:\n")[1]
                    .split("\n")
                    .filter((line) => !line.trim().startsWith("#"))
                    .map((line) => line.trim());
                assert.deepStrictEqual(next, ["npm run stack -- import --stack prod", "npm run stack -- preview --stack prod"]);
            });

            describe("then import", () => {
                let imported: Awaited<ReturnType<typeof importAdopted>>;
                /** The engine leaves the root stack's type out of its children's URNs (resource.NewURN); the mock's SDK does not. */
                const engineUrn = (r: RecordedResource) => r.urn!.replace("::pulumi:pulumi:Stack$", "::");
                before(async () => {
                    imported = await importAdopted(adopted, cluster);
                });

                it("exits 0", () => {
                    assert.strictEqual(imported.result.code, EXIT.ok);
                });
                it("first creates the stack's component and providers, by the URNs the program gives them", () => {
                    const providers = run.resources.filter((r) => !importable(run).includes(r)).map(engineUrn);
                    const up = imported.stacks.cliRuns("prod")[0].argv;
                    const targets = up.filter((_, i) => up[i - 1] === "--target");
                    assert.deepStrictEqual([up[0], targets.sort()], ["up", providers.sort()]);
                });
                it("leaves the stack holding every resource the program registers, under the URN it registers it with", () => {
                    const held = imported.stacks.stacks.get("prod")!.resources.map((r) => r.urn);
                    assert.deepStrictEqual(held.sort(), run.resources.map(engineUrn).sort());
                });
            });
        });
    }
});
