// `npm run stack -- adopt` as a command of the driver: its flags and variables (vaultnomad-verify's),
// its exit codes, its JSON document, the files it will not overwrite, and TLS material it names or
// leaves to the operator.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../automation/exitCodes";
import { USAGE } from "../automation/commands";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { adoptCluster } from "./adoptHarness";
import { drive, tempProject } from "./driverHarness";
import { closedAddresses } from "./fakeHttp";
import { FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster } from "./fakeCluster";
import { documentedPolicy, nomadGate, vaultGate, VERIFY_NOMAD_TOKEN, VERIFY_VAULT_TOKEN } from "./fakePolicies";
import { TLS } from "./fakeStack";

const tlsFile = (name: string) => path.join(PROJECT_ROOT, "tests/fixtures/tls", name);

describe("adopt, the command", function () {
    this.timeout(60_000);
    let cluster: FakeCluster;
    before(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
    });
    after(() => cluster.close());

    it("is listed in the usage, with its flags", () => {
        assert.deepStrictEqual(
            [/^ {2}adopt {2,}/m.test(USAGE), /--auth-path <path>/.test(USAGE), /--vault-addr <url>/.test(USAGE)],
            [true, true, true],
        );
    });
    it("needs --stack, the new stack's name, with exit code 2", async () => {
        const { code, err } = await drive(["adopt"], { env: cluster.env, projectDir: tempProject() });
        assert.deepStrictEqual(
            [code, err.split("\n")[0]],
            [EXIT.usage, "adopt needs --stack <name>, the new stack's name (letters, digits, _, . and -)."],
        );
    });
    it("refuses a stack name that is no file name", async () => {
        const { code, err } = await drive(["adopt", "--stack", "../prod"], { env: cluster.env, projectDir: tempProject() });
        assert.deepStrictEqual(
            [code, err.split("\n")[0]],
            [EXIT.usage, 'adopt needs --stack <name>, the new stack\'s name (letters, digits, _, . and -), not "../prod".'],
        );
    });
    it("needs Vault's address, as vaultnomad-verify does", async () => {
        const { code, err } = await drive(["adopt", "--stack", "prod"], {
            env: { NOMAD_ADDR: cluster.env.NOMAD_ADDR },
            projectDir: tempProject(),
        });
        assert.deepStrictEqual(
            [code, err.split("\n")[0]],
            [EXIT.usage, "VAULT_ADDR and VAULT_TOKEN are not set: export them, or pass --vault-addr <address> and --vault-token <token>."],
        );
    });
    it("takes flags over the variables they stand for", async () => {
        const [nowhere] = await closedAddresses(1);
        const env = { ...cluster.env, VAULT_ADDR: nowhere, VAULT_TOKEN: "" };
        const adopted = await adoptCluster(cluster, ["--vault-addr", cluster.env.VAULT_ADDR, "--vault-token", cluster.env.VAULT_TOKEN], {
            env,
        });
        assert.deepStrictEqual([adopted.result.code, adopted.config["vaultnomad:vaultAddress"]], [EXIT.ok, cluster.env.VAULT_ADDR]);
    });
    it("refuses its flags on other commands", async () => {
        const { code, err } = await drive(["up", "--vault-addr", "https://v:8200"]);
        assert.deepStrictEqual([code, err.split("\n")[0]], [EXIT.usage, "--vault-addr is an option of adopt only."]);
    });
    it("overwrites nothing: a stack file that exists stops it before it reads the cluster (exit 3)", async () => {
        const project = tempProject();
        fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), "config: {}\n");
        const asked = cluster.stack.vault.requests.length;
        const { code, err } = await drive(["adopt", "--stack", "prod"], { env: cluster.env, projectDir: project });
        assert.deepStrictEqual(
            [code, err, fs.readdirSync(project), cluster.stack.vault.requests.length - asked],
            [
                EXIT.preflight,
                "Preflight: Pulumi.prod.yaml already exists: adopt writes a new stack's files. Choose another --stack, or remove them.",
                ["Pulumi.prod.yaml"],
                0,
            ],
        );
    });
    it("says, atop the stack file, where it comes from and that it holds no secret", async () => {
        const adopted = await adoptCluster(cluster);
        const header = fs.readFileSync(path.join(adopted.project, "Pulumi.prod.yaml"), "utf8").split("\n").slice(0, 5);
        assert.deepStrictEqual(header, [
            "# The stack prod, written by `npm run stack -- adopt --stack prod` from the clusters at",
            `# ${cluster.env.VAULT_ADDR} and ${cluster.env.NOMAD_ADDR}: what they hold, in this program's keys (docs/external.md).`,
            "# No token, key or secret value is stored here: the stack reads VAULT_TOKEN and NOMAD_TOKEN from the",
            "# environment, and the secrets its jobs read stay in Vault.",
            "config:",
        ]);
    });
    it("writes the import file as pulumi import --file reads it", async () => {
        const adopted = await adoptCluster(cluster);
        const text = fs.readFileSync(path.join(adopted.project, "import-prod.json"), "utf8");
        assert.deepStrictEqual(
            [text.endsWith("}\n"), Object.keys(JSON.parse(text)), text.split("\n")[1]],
            [true, ["nameTable", "resources"], '    "nameTable": {'],
        );
    });
    it("takes --auth-path with slashes around it", async () => {
        cluster.world.otherMounts = { "jwt-legacy": { defaultRole: "", roles: [] } };
        try {
            const adopted = await adoptCluster(cluster, ["--auth-path", "/jwt-nomad/"]);
            assert.deepStrictEqual([adopted.result.code, adopted.config["vaultnomad:jwtAuthPath"]], [EXIT.ok, "jwt-nomad"]);
        } finally {
            cluster.world.otherMounts = {};
        }
    });
    it("names both files that exist", async () => {
        const project = tempProject();
        fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), "");
        fs.writeFileSync(path.join(project, "import-prod.json"), "");
        const { err } = await drive(["adopt", "--stack", "prod"], { env: cluster.env, projectDir: project });
        assert.strictEqual(
            err,
            "Preflight: Pulumi.prod.yaml and import-prod.json already exist: adopt writes a new stack's files. Choose another --stack, or remove them.",
        );
    });
    it("gives, with each next command, why", async () => {
        const document = JSON.parse((await adoptCluster(cluster, ["--json"])).result.out);
        assert.deepStrictEqual(
            document.next.map((n: { why: string }) => n.why),
            ["the new stack, its providers, then the cluster's objects under the names and parents the program gives them", "no change"],
        );
    });
    it("reports, without --json, what it adopted, left out, would change, leaves outside and wrote", async () => {
        const jobs = cluster.world.jobs;
        cluster.world.jobs = [...jobs, { ID: "web", Namespace: "default" }];
        cluster.world.policyText = (accessor) => NOMAD_SETUP_VAULT.policyText(accessor).replace(/\n {2}/g, "\n");
        try {
            const lines = (await adoptCluster(cluster)).result.out
                .split("\n")
                .filter((line) => !line.startsWith("found: ") && !line.startsWith("    ") && !line.startsWith("      #"));
            assert.deepStrictEqual(lines.slice(0, 6), [
                "Adopted as the stack prod: 1 job(s) as workloads (default/api).",
                lines[1],
                "What the first up writes otherwise than the cluster holds it:",
                "  - the policy nomad-workloads: the same grants in other words; the first `up` writes the program's text (preview shows it as an update)",
                "Stays outside the program:",
                lines[5],
            ]);
            assert.match(lines[1], /^left out: default\/web: Nomad keeps no source/);
            assert.match(lines[lines.length - 3], /^Wrote Pulumi\.prod\.yaml and import-prod\.json \(6 resources to import\)\. Next:$/);
        } finally {
            cluster.world.jobs = jobs;
            cluster.world.policyText = NOMAD_SETUP_VAULT.policyText;
        }
    });
    it("reports its workloads one by one, and no change to come when there is none", async () => {
        const jobs = cluster.world.jobs;
        cluster.world.jobs = [
            ...jobs,
            {
                ...jobs[0],
                ID: "web",
                Submission: { Source: jobs[0].Submission!.Source.replace('job "api"', 'job "web"').replace("/api/", "/web/") },
                Templates: [jobs[0].Templates![0].replace("/api/", "/web/")],
            },
        ];
        try {
            const { out } = (await adoptCluster(cluster)).result;
            assert.deepStrictEqual(
                [
                    /^Adopted as the stack prod: 2 job\(s\) as workloads \(default\/api, default\/web\)\.$/m.test(out),
                    out.includes("What the first up writes"),
                ],
                [true, false],
            );
        } finally {
            cluster.world.jobs = jobs;
        }
    });
    it("reports no workloads when it takes none", async () => {
        const jobs = cluster.world.jobs;
        cluster.world.jobs = [];
        try {
            assert.match((await adoptCluster(cluster)).result.out, /^Adopted as the stack prod: 0 job\(s\) as workloads\.$/m);
        } finally {
            cluster.world.jobs = jobs;
        }
    });
    it("prints, under --json, one document: what it wrote, the workloads, what stays outside, the next commands", async () => {
        const adopted = await adoptCluster(cluster, ["--json"]);
        const document = JSON.parse(adopted.result.out);
        assert.deepStrictEqual(
            [
                document.adopted,
                document.written,
                document.imports,
                document.workloads,
                document.leftOut,
                document.outside.length,
                document.next.map((n: { command: string }) => n.command),
            ],
            [
                true,
                ["Pulumi.prod.yaml", "import-prod.json"],
                6,
                ["default/api"],
                [],
                4,
                ["npm run stack -- import --stack prod", "npm run stack -- preview --stack prod"],
            ],
        );
    });
    it("lists, when it refuses the cluster, nothing of an adoption: no workload, change, job left out or next command", async () => {
        const role = cluster.world.role;
        cluster.world.role = { ...role!, token_max_ttl: 86400 };
        try {
            const document = JSON.parse((await adoptCluster(cluster, ["--json"])).result.out);
            assert.deepStrictEqual(
                [document.adopted, document.workloads, document.changes, document.leftOut, document.next],
                [false, [], [], [], []],
            );
        } finally {
            cluster.world.role = role;
        }
    });
    it("keeps the report off stdout under --json", async () => {
        const adopted = await adoptCluster(cluster, ["--json"]);
        assert.deepStrictEqual([/^found: JWT mount/m.test(adopted.result.err), adopted.result.out.trim().startsWith("{")], [true, true]);
    });
});

describe("adopt, with TLS", function () {
    this.timeout(60_000);
    let cluster: FakeCluster;
    let env: Record<string, string>;
    beforeEach(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT, { tls: true });
        env = {
            ...cluster.env,
            NOMAD_CACERT: tlsFile("ca.pem"),
            NOMAD_CLIENT_CERT: tlsFile("client.pem"),
            NOMAD_CLIENT_KEY: tlsFile("client.key"),
        };
    });
    afterEach(() => cluster.close());

    it("writes Nomad's CA and client certificate, never its key, and says that import takes the key as adopt did", async () => {
        cluster.world.jwksCaPem = TLS.ca;
        const adopted = await adoptCluster(cluster, [], { env });
        const written = fs.readFileSync(path.join(adopted.project, "Pulumi.prod.yaml"), "utf8");
        assert.deepStrictEqual(
            [
                adopted.result.code,
                adopted.config["vaultnomad:nomadCaPem"],
                adopted.config["vaultnomad:nomadClientCertPem"],
                written.includes(TLS.clientKey.trim().split("\n")[1]),
                adopted.result.out.includes(
                    "# the new stack, its providers, then the cluster's objects under the names and parents the program gives them, with NOMAD_CLIENT_KEY as for adopt (the key of Nomad's client certificate, which adopt does not write)",
                ),
            ],
            [EXIT.ok, TLS.ca, TLS.clientCert, false, true],
        );
    });
    it("names Vault's client certificate and key files, which the Vault provider reads, by their paths", async () => {
        cluster.world.jwksCaPem = TLS.ca;
        const adopted = await adoptCluster(cluster, [], {
            env: { ...env, VAULT_CLIENT_CERT: tlsFile("client.pem"), VAULT_CLIENT_KEY: tlsFile("client.key") },
        });
        assert.deepStrictEqual(
            [adopted.config["vaultnomad:vaultClientCertFile"], adopted.config["vaultnomad:vaultClientKeyFile"]],
            [tlsFile("client.pem"), tlsFile("client.key")],
        );
    });
    it("names Vault's CA file by its absolute path, which the Vault provider reads", async () => {
        cluster.world.jwksCaPem = TLS.ca;
        const relative = path.relative(process.cwd(), tlsFile("ca.pem"));
        const adopted = await adoptCluster(cluster, [], { env: { ...env, VAULT_CACERT: relative } });
        assert.strictEqual(adopted.config["vaultnomad:vaultCaCertFile"], tlsFile("ca.pem"));
    });
    it("refuses a Vault that does not trust the CA it is reached with for Nomad (no jwks_ca_pem), saying so on stdout", async () => {
        const adopted = await adoptCluster(cluster, [], { env });
        assert.deepStrictEqual(
            [
                adopted.result.code,
                adopted.result.out.includes("{"),
                /^Refused: the cluster cannot be adopted as it is; nothing was written\.$/m.test(adopted.result.out),
            ],
            [EXIT.failed, false, true],
        );
        assert.match(
            adopted.result.out,
            /- auth\/jwt-nomad\/config: jwks_ca_pem is empty, but Nomad is reached with NOMAD_CACERT: the program gives Vault the CA it reaches Nomad with \(nomadCaPem\)\./,
        );
    });
});

describe("adopt, with no more rights than docs/external.md gives its tokens", function () {
    this.timeout(60_000);
    let cluster: FakeCluster;
    beforeEach(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
    });
    afterEach(() => cluster.close());
    const adoptWith = async (vaultPolicy: string, nomadPolicy: string) => {
        cluster.world.vaultGate = await vaultGate(vaultPolicy);
        cluster.world.nomadGate = await nomadGate(nomadPolicy);
        return adoptCluster(cluster, [], { env: { ...cluster.env, VAULT_TOKEN: VERIFY_VAULT_TOKEN, NOMAD_TOKEN: VERIFY_NOMAD_TOKEN } });
    };

    it("adopts the cluster", async () => {
        const adopted = await adoptWith(documentedPolicy("vault", "adopt"), documentedPolicy("nomad", "adopt"));
        assert.deepStrictEqual([adopted.result.code, adopted.imports.resources.length], [EXIT.ok, 6]);
    });
    it("names the read its Vault token lacks, and writes nothing", async () => {
        const adopted = await adoptWith(
            documentedPolicy("vault", "adopt").replace(/path "sys\/mounts" \{[^}]*\}/, ""),
            documentedPolicy("nomad", "adopt"),
        );
        assert.deepStrictEqual(
            [
                adopted.result.code,
                /- reading the cluster: the secrets engines \(sys\/mounts\): not read \(the token lacks read on sys\/mounts\)/.test(
                    adopted.result.out,
                ),
                fs.readdirSync(adopted.project),
            ],
            [EXIT.failed, true, []],
        );
    });
});
