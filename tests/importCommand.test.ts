// `npm run stack -- import`: what adopt wrote, brought into the new stack through the Automation API.
// The real Automation API Stack builds each command line; tests/fakePulumiCli.ts answers it as the
// CLI would, so the arguments asserted here are the ones `pulumi` receives.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { providerUrns, remainingImports } from "../adopt/importFile";
import { EXIT } from "../automation/exitCodes";
import { USAGE } from "../automation/commands";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { Adopted, adoptCluster, importAdopted } from "./adoptHarness";
import { drive, healthyProbes, tempProject } from "./driverHarness";
import { FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster } from "./fakeCluster";
import { automationError, FakeStacks } from "./fakeStackStore";
import { TLS } from "./fakeStack";

const URNS = providerUrns("prod");
const ALL_PROVIDERS = [URNS.clusters, URNS.vault, URNS.nomad];

/** The stack's resources after a targeted up of its providers. */
const withProviders = (project: string, urns = ALL_PROVIDERS) =>
    new FakeStacks(project).add("prod", { resources: urns.map((urn) => ({ urn, type: urn.split("::")[2].split("$").pop()! })) });

const readJson = (adopted: Adopted, file: string) => JSON.parse(fs.readFileSync(path.join(adopted.project, file), "utf8"));

describe("import, the command", function () {
    this.timeout(60_000);
    let cluster: FakeCluster;
    before(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
    });
    after(() => cluster.close());

    describe("refuses, before it creates any stack", () => {
        it("is listed in the usage", () => {
            assert.match(USAGE, /^ {2}import {2,}bring the objects adopt found into its new stack/m);
        });
        it("without --stack, with exit code 2", async () => {
            const { code, err } = await drive(["import"]);
            assert.deepStrictEqual(
                [code, err.split("\n")[0]],
                [EXIT.usage, "import needs --stack <name>, the new stack's name (letters, digits, _, . and -)."],
            );
        });
        it("a stack name that is no file name", async () => {
            const { code, err } = await drive(["import", "--stack", "prod/x"]);
            assert.deepStrictEqual(
                [code, err.split("\n")[0]],
                [EXIT.usage, 'import needs --stack <name>, the new stack\'s name (letters, digits, _, . and -), not "prod/x".'],
            );
        });
        it("a project without the import file, naming it and the command that writes it (exit 3)", async () => {
            const adopted = await adoptCluster(cluster);
            fs.rmSync(path.join(adopted.project, "import-prod.json"));
            const { result, stacks } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(
                [result.code, result.err, stacks.calls],
                [
                    EXIT.preflight,
                    `Preflight: import-prod.json is missing from ${adopted.project}: import brings in what adopt wrote. ` +
                        "Fix: `npm run stack -- adopt --stack prod` writes both (remove the other first).",
                    [],
                ],
            );
        });
        it("a project without the stack file, naming it", async () => {
            const adopted = await adoptCluster(cluster);
            fs.rmSync(path.join(adopted.project, "Pulumi.prod.yaml"));
            const { result } = await importAdopted(adopted, cluster);
            assert.match(result.err, /^Preflight: Pulumi\.prod\.yaml is missing from /);
        });
        it("a project with neither, naming both", async () => {
            const { code, err } = await drive(["import", "--stack", "prod"], { projectDir: tempProject() });
            assert.deepStrictEqual(
                [code, /^Preflight: Pulumi\.prod\.yaml and import-prod\.json are missing from /.test(err)],
                [EXIT.preflight, true],
            );
        });
        it("an import file that is not JSON", async () => {
            const adopted = await adoptCluster(cluster);
            fs.writeFileSync(path.join(adopted.project, "import-prod.json"), "{");
            const { result, stacks } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(
                [
                    result.code,
                    /^Preflight: import-prod\.json is not JSON \(.+\)\. Fix: remove it and the stack file, then adopt again\.$/.test(
                        result.err,
                    ),
                    stacks.calls,
                ],
                [EXIT.preflight, true, []],
            );
        });
        for (const [what, text] of [
            ["no resources", '{"nameTable": {}}'],
            ["no nameTable", '{"resources": []}'],
            ["a null nameTable", '{"nameTable": null, "resources": []}'],
            ["null", "null"],
        ]) {
            it(`an import file with ${what}`, async () => {
                const adopted = await adoptCluster(cluster);
                fs.writeFileSync(path.join(adopted.project, "import-prod.json"), text);
                const { result } = await importAdopted(adopted, cluster);
                assert.strictEqual(
                    result.err,
                    'Preflight: import-prod.json is not a pulumi import file: it needs "nameTable" and "resources". Fix: remove it and the stack file, then adopt again.',
                );
            });
        }
        it("a stack file of another mode than external", async () => {
            const adopted = await adoptCluster(cluster);
            fs.writeFileSync(path.join(adopted.project, "Pulumi.prod.yaml"), "config:\n  vaultnomad:mode: demo\n");
            const { result, stacks } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(
                [result.code, result.err, stacks.calls],
                [
                    EXIT.preflight,
                    "Preflight: Pulumi.prod.yaml is not of an external stack (vaultnomad:mode: external): import takes the stack adopt wrote. " +
                        "Fix: `npm run stack -- adopt --stack <another name>`.",
                    [],
                ],
            );
        });
        it("an empty stack file", async () => {
            const adopted = await adoptCluster(cluster);
            fs.writeFileSync(path.join(adopted.project, "Pulumi.prod.yaml"), "");
            const { result } = await importAdopted(adopted, cluster);
            assert.match(result.err, /^Preflight: Pulumi\.prod\.yaml is not of an external stack/);
        });
        it("a stack file that is not YAML", async () => {
            const adopted = await adoptCluster(cluster);
            fs.writeFileSync(path.join(adopted.project, "Pulumi.prod.yaml"), "config: [\n");
            const { result } = await importAdopted(adopted, cluster);
            assert.strictEqual(
                result.err,
                "Preflight: Pulumi.prod.yaml is not YAML (unexpected end of the stream within a flow collection (2:1)). Fix: remove it and the import file, then adopt again.",
            );
        });
        it("without a Pulumi CLI", async () => {
            const adopted = await adoptCluster(cluster);
            const { result, stacks } = await importAdopted(adopted, cluster, [], {
                probes: { ...healthyProbes, pulumiVersion: async () => undefined },
            });
            assert.deepStrictEqual([result.code, stacks.calls], [EXIT.preflight, []]);
        });
    });

    describe("on the stack adopt wrote", () => {
        it("creates the stack with the configuration adopt wrote", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster);
            const config = stacks.stacks.get("prod")!.config;
            assert.deepStrictEqual(
                [stacks.calls[0], config["vaultnomad:mode"].value, config["vaultnomad:jwtAuthPath"].value],
                ["create prod", "external", "jwt-nomad"],
            );
        });
        it("runs up on the stack's component and providers, as the Automation API sends it to the CLI", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(stacks.cliRuns("prod")[0].argv, [
                "up",
                "--yes",
                "--skip-preview",
                ...ALL_PROVIDERS.flatMap((urn) => ["--target", urn]),
                "--exec-kind",
                "auto.local",
                "--stack",
                "prod",
                "--non-interactive",
            ]);
        });
        it("enforces the policy pack on that up", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster, [], { policyPack: "/p/policy" });
            const up = stacks.cliRuns("prod")[0].argv;
            assert.deepStrictEqual(up.slice(up.indexOf("--policy-pack"), up.indexOf("--policy-pack") + 2), ["--policy-pack", "/p/policy"]);
        });
        it("then imports, unprotected and without generated code, as the Automation API sends it to the CLI", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster);
            const { argv } = stacks.cliRuns("prod")[1];
            assert.deepStrictEqual(
                [argv.slice(0, 4), path.basename(argv[4]), argv.slice(5)],
                [
                    ["import", "--yes", "--skip-preview", "--file"],
                    "import.json",
                    ["--generate-code=false", "--protect=false", "--stack", "prod", "--non-interactive"],
                ],
            );
        });
        it("gives the CLI the import file adopt wrote", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(stacks.cliRuns("prod")[1].importFile, readJson(adopted, "import-prod.json"));
        });
        it("runs nothing else: the stack, the up, the import", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(stacks.calls, ["create prod", "up prod", "import prod"]);
        });
        it("reports each step, and the command that comes next", async () => {
            const adopted = await adoptCluster(cluster);
            const { result } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(result.out.split("\n"), [
                "The import names the stack's providers, which must be in the state first: up of 3 resources, nothing in Vault or Nomad.",
                "==> up prod",
                "engine: up of prod",
                "==> up prod done in 0s: 3 created, 2 updated, 2 deleted, 9 unchanged",
                "==> import prod: 6 resources from import-prod.json",
                "Importing (prod)",
                " =  workload-identity",
                " =  workload-identity-jwt",
                " =  workload-identity-policy",
                " =  workload-identity-role",
                " =  api",
                " =  api-job",
                "==> import prod done in 0s",
                "Next: `npm run stack -- preview --stack prod`, which should show no change.",
            ]);
        });
        it("targets no Nomad provider when nothing of the import is Nomad's", async () => {
            const jobs = cluster.world.jobs;
            cluster.world.jobs = [];
            try {
                const adopted = await adoptCluster(cluster);
                const { stacks } = await importAdopted(adopted, cluster);
                const up = stacks.cliRuns("prod")[0].argv;
                assert.deepStrictEqual(
                    up.filter((_, i) => up[i - 1] === "--target"),
                    [URNS.clusters, URNS.vault],
                );
            } finally {
                cluster.world.jobs = jobs;
            }
        });
        it("runs no up for an import file that names no provider", async () => {
            const adopted = await adoptCluster(cluster);
            const components = { nameTable: {}, resources: [{ type: "vaultnomad:index:NomadJob", name: "api", component: true }] };
            fs.writeFileSync(path.join(adopted.project, "import-prod.json"), JSON.stringify(components));
            const { stacks } = await importAdopted(adopted, cluster);
            assert.deepStrictEqual(stacks.calls, ["create prod", "import prod"]);
        });
        it("says how long the import took, in seconds", async () => {
            const adopted = await adoptCluster(cluster);
            let clock = 0;
            const now = () => new Date((clock += 1500));
            const { result } = await importAdopted(adopted, cluster, [], { stacks: withProviders(adopted.project), now });
            assert.match(result.out, /^==> import prod done in 2s$/m);
        });
        it("runs no up when the state holds the providers already", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster, [], { stacks: withProviders(adopted.project) });
            assert.deepStrictEqual(stacks.calls, ["import prod"]);
        });
        it("targets only the providers the state lacks, without their component when it holds it", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster, [], {
                stacks: withProviders(adopted.project, [URNS.clusters, URNS.vault]),
            });
            const up = stacks.cliRuns("prod")[0].argv;
            assert.deepStrictEqual(
                up.filter((_, i) => up[i - 1] === "--target"),
                [URNS.nomad],
            );
        });
        it("imports nothing, and says so, when run again", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster);
            const again = await importAdopted(adopted, cluster, [], { stacks });
            assert.deepStrictEqual(
                [again.result.code, stacks.calls, again.result.out.split("\n")[0]],
                [
                    EXIT.ok,
                    ["create prod", "up prod", "import prod"],
                    "The stack prod holds every resource of import-prod.json already: nothing to import.",
                ],
            );
        });
        it("imports, after an import that stopped half way, only the rest, naming their parent by URN", async () => {
            const adopted = await adoptCluster(cluster);
            const { stacks } = await importAdopted(adopted, cluster);
            const state = stacks.stacks.get("prod")!;
            state.resources = state.resources.filter((r) => !r.urn.endsWith("::api-job"));
            const again = await importAdopted(adopted, cluster, [], { stacks });
            assert.deepStrictEqual(
                [again.result.out.split("\n")[0], stacks.cliRuns("prod")[2].importFile],
                [
                    "==> import prod: 1 resources from import-prod.json (5 in the stack already)",
                    {
                        nameTable: {
                            ...readJson(adopted, "import-prod.json").nameTable,
                            api: "urn:pulumi:prod::vaultnomad::vaultnomad:index:NomadJob::api",
                        },
                        resources: [readJson(adopted, "import-prod.json").resources[5]],
                    },
                ],
            );
        });
        it("prints, under --json, one document: the stack, the file, the providers it created, what it imported", async () => {
            const adopted = await adoptCluster(cluster);
            const { result } = await importAdopted(adopted, cluster, ["--json"]);
            assert.deepStrictEqual(JSON.parse(result.out), {
                stack: "prod",
                file: "import-prod.json",
                providers: ALL_PROVIDERS,
                imported: 6,
                alreadyInStack: 0,
            });
        });
        it("keeps its progress off stdout under --json", async () => {
            const adopted = await adoptCluster(cluster);
            const { result } = await importAdopted(adopted, cluster, ["--json"]);
            assert.match(result.err, /^==> import prod: 6 resources from import-prod\.json$/m);
        });
        it("checks that Vault and Nomad answer before it changes anything", async () => {
            const adopted = await adoptCluster(cluster);
            const { result, stacks } = await importAdopted(adopted, cluster, [], {
                probes: { ...healthyProbes, httpAnswers: async () => Promise.reject(new Error("ECONNREFUSED")) },
            });
            assert.deepStrictEqual([result.code, stacks.calls], [EXIT.preflight, ["create prod"]]);
        });
        it("says so when another update holds the stack during the import (exit 4)", async () => {
            const adopted = await adoptCluster(cluster);
            const stacks = withProviders(adopted.project);
            stacks.stacks.get("prod")!.failWith = automationError(ConcurrentUpdateError, "[409] Conflict");
            const { result } = await importAdopted(adopted, cluster, [], { stacks });
            assert.deepStrictEqual(
                [result.code, result.err.split("\n")[0]],
                [
                    EXIT.locked,
                    "The stack prod is locked by another update. If none is running (a crash left the lock), `pulumi cancel --stack prod` clears it.",
                ],
            );
        });
        it("fails with the CLI's error when the import fails otherwise", async () => {
            const adopted = await adoptCluster(cluster);
            const stacks = withProviders(adopted.project);
            stacks.stacks.get("prod")!.failWith = new Error("error: Preview failed: resource 'api@default' does not exist");
            const { result } = await importAdopted(adopted, cluster, [], { stacks });
            assert.deepStrictEqual(
                [result.code, result.err],
                [EXIT.failed, "Failed: error: Preview failed: resource 'api@default' does not exist"],
            );
        });
    });

    describe("the key of Nomad's client certificate", () => {
        const tlsFile = (name: string) => path.join(PROJECT_ROOT, "tests/fixtures/tls", name);
        /** An adopted project whose stack file holds Nomad's client certificate, as adopt writes it for mutual TLS. */
        const withClientCert = async () => {
            const adopted = await adoptCluster(cluster);
            const file = path.join(adopted.project, "Pulumi.prod.yaml");
            fs.appendFileSync(file, `  vaultnomad:nomadClientCertPem: ${JSON.stringify(TLS.clientCert)}\n`);
            return adopted;
        };
        it("is refused when neither NOMAD_CLIENT_KEY nor --nomad-client-key gives it, before anything runs", async () => {
            const { result, stacks } = await importAdopted(await withClientCert(), cluster);
            assert.deepStrictEqual(
                [result.code, result.err, stacks.calls],
                [
                    EXIT.preflight,
                    "Preflight: The stack prod has Nomad's client certificate (nomadClientCertPem) but not its key. " +
                        "Fix: export NOMAD_CLIENT_KEY=<key file> (or pass --nomad-client-key <file>), as for adopt.",
                    [],
                ],
            );
        });
        it("is refused, naming the file, when there is none at the path given", async () => {
            const { result } = await importAdopted(await withClientCert(), cluster, ["--nomad-client-key", "/nowhere/client.key"]);
            assert.match(result.err, /but not its key, and there is no file \/nowhere\/client\.key\. Fix: /);
        });
        it("is set from NOMAD_CLIENT_KEY as a secret of the stack", async () => {
            const { stacks } = await importAdopted(await withClientCert(), cluster, [], {
                env: { ...cluster.env, NOMAD_CLIENT_KEY: tlsFile("client.key") },
            });
            assert.deepStrictEqual(stacks.stacks.get("prod")!.config["vaultnomad:nomadClientKeyPem"], {
                value: TLS.clientKey,
                secret: true,
            });
        });
        it("is taken from --nomad-client-key over NOMAD_CLIENT_KEY", async () => {
            const { stacks } = await importAdopted(await withClientCert(), cluster, ["--nomad-client-key", tlsFile("client.key")], {
                env: { ...cluster.env, NOMAD_CLIENT_KEY: "/nowhere/client.key" },
            });
            assert.strictEqual(stacks.stacks.get("prod")!.config["vaultnomad:nomadClientKeyPem"].value, TLS.clientKey);
        });
        it("is left as the stack file holds it, encrypted", async () => {
            const adopted = await withClientCert();
            fs.appendFileSync(
                path.join(adopted.project, "Pulumi.prod.yaml"),
                "  vaultnomad:nomadClientKeyPem:\n    secure: v1:GhmrNb6QYXU=\n",
            );
            const { stacks } = await importAdopted(adopted, cluster, [], {
                env: { ...cluster.env, NOMAD_CLIENT_KEY: tlsFile("client.key") },
            });
            assert.deepStrictEqual(stacks.calls, ["create prod", "up prod", "import prod"]);
        });
        it("is not asked for without a client certificate", async () => {
            const { stacks } = await importAdopted(await adoptCluster(cluster), cluster, [], {
                env: { ...cluster.env, NOMAD_CLIENT_KEY: tlsFile("client.key") },
            });
            assert.strictEqual(stacks.stacks.get("prod")!.config["vaultnomad:nomadClientKeyPem"], undefined);
        });
        it("is the one flag of adopt's that import takes", async () => {
            const { code, err } = await drive(["import", "--stack", "prod", "--nomad-addr", "https://n:4646"]);
            assert.deepStrictEqual([code, err.split("\n")[0]], [EXIT.usage, "--nomad-addr is an option of adopt only."]);
        });
        it("is refused as a flag of other commands, naming adopt and import", async () => {
            const { err } = await drive(["up", "--nomad-client-key", "k.pem"]);
            assert.strictEqual(err.split("\n")[0], "--nomad-client-key is an option of adopt and import only.");
        });
    });
});

describe("what remains to import", () => {
    const file = {
        nameTable: { "clusters-vault": URNS.vault },
        resources: [
            { type: "vaultnomad:index:NomadWorkloadIdentity", name: "workload-identity", component: true },
            {
                type: "vault:index/policy:Policy",
                name: "workload-identity-policy",
                id: "p",
                parent: "workload-identity",
                provider: "clusters-vault",
            },
            {
                type: "vault:jwt/authBackendRole:AuthBackendRole",
                name: "role-x",
                logicalName: "r",
                id: "auth/jwt/role/r",
                provider: "clusters-vault",
            },
        ],
    };
    const identity = "urn:pulumi:prod::vaultnomad::vaultnomad:index:NomadWorkloadIdentity::workload-identity";

    it("is the whole file for a state that holds none of it", () => {
        assert.deepStrictEqual(remainingImports("prod", file, new Set([URNS.vault])), file);
    });
    it("leaves out an entry the state holds, by its Pulumi name (logicalName)", () => {
        const held = new Set(["urn:pulumi:prod::vaultnomad::vault:jwt/authBackendRole:AuthBackendRole::r"]);
        assert.deepStrictEqual(remainingImports("prod", file, held).resources, file.resources.slice(0, 2));
    });
    it("names a parent the state holds by its URN", () => {
        assert.deepStrictEqual(remainingImports("prod", file, new Set([identity])), {
            nameTable: { ...file.nameTable, "workload-identity": identity },
            resources: file.resources.slice(1),
        });
    });
    it("names no held entry whose children are held too", () => {
        const policy =
            "urn:pulumi:prod::vaultnomad::vaultnomad:index:NomadWorkloadIdentity$vault:index/policy:Policy::workload-identity-policy";
        assert.deepStrictEqual(remainingImports("prod", file, new Set([identity, policy])).nameTable, file.nameTable);
    });
    it("is the URN of a child under a parent of the name table, by that parent's type chain", () => {
        const child = { type: "vault:index/policy:Policy", name: "p", parent: "workload-identity" };
        const held = new Set(["urn:pulumi:prod::vaultnomad::vaultnomad:index:NomadWorkloadIdentity$vault:index/policy:Policy::p"]);
        assert.deepStrictEqual(
            remainingImports("prod", { nameTable: { "workload-identity": identity }, resources: [child] }, held).resources,
            [],
        );
    });
});
