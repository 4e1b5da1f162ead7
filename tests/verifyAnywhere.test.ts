// vaultnomad-verify against clusters this program did not set up: one as `nomad setup vault` leaves
// it, one as a Terraform module would with other names. It gets only VAULT_* and NOMAD_*; what it
// expects comes from the cluster. In each: the healthy cluster passes, and field failures
// (field-notes part A) are named by cause.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv from "ajv";
import { runCluster } from "../verify/cli";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster, TERRAFORM_MODULE } from "./fakeCluster";
import { documentedPolicy, nomadGate, vaultGate, VERIFY_NOMAD_TOKEN, VERIFY_VAULT_TOKEN } from "./fakePolicies";
import { closedAddresses, fakeServer } from "./fakeHttp";
import { KEYS, probeIdentity, startFakeStack, TLS, vaultApi, World } from "./fakeStack";

interface Check {
    id: string;
    status: string;
    evidence: string;
    cause?: string;
}
interface Run {
    code: number;
    text: string;
    checks: Check[];
}

/** Runs the bin's entry in-process, with `env` for the environment. */
async function cli(env: Record<string, string>, args: string[] = []): Promise<Run> {
    const out: string[] = [];
    const code = await runCluster([...args, "--json"], { env, out: (t) => out.push(t), err: (t) => out.push(t) });
    const text = out.join("\n");
    return { code, text, checks: JSON.parse(text).checks ?? [] };
}
const verdict = (run: Run, id: string) => {
    const check = run.checks.find((c) => c.id === id);
    return check ? `${check.status}: ${check.evidence} | ${check.cause ?? ""}` : `no ${id} check`;
};
const notPassing = (run: Run) => run.checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.status}`);

/** A role file for --expect, as `vault read -format=json` prints it. */
function expectFile(role: Record<string, unknown>): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-expect-")), "role.json");
    fs.writeFileSync(file, JSON.stringify({ data: role }));
    return file;
}

describe("vaultnomad-verify: any cluster, no stack", function () {
    this.timeout(20_000);
    let cluster: FakeCluster;
    let world: World;
    afterEach(() => cluster.close());

    for (const setup of [NOMAD_SETUP_VAULT, TERRAFORM_MODULE]) {
        describe(`set up by ${setup.name} (mount ${setup.mount}, role ${setup.role})`, () => {
            beforeEach(async () => {
                cluster = await startFakeCluster(setup);
                ({ world } = cluster);
            });
            const run = (args: string[] = []) => cli(cluster.env, args);

            it("finds the mount, role, policy and audience in the cluster itself", async () => {
                const { expect } = JSON.parse((await run()).text);
                assert.deepStrictEqual(expect.slice(0, 4), [
                    `JWT mount ${setup.mount}/ (the agents' jwt_auth_backend_path); JWT mounts in Vault: [${setup.mount}]`,
                    `role ${setup.role} (default_role of auth/${setup.mount}/config); bound_audiences [vault.io]`,
                    `policy ${setup.policy} (the templated policy among role ${setup.role}'s token_policies)`,
                    "audience vault.io (the agents' default_identity.aud)",
                ]);
            });
            it("passes the healthy cluster with the probe, saying drift was not checked", async () => {
                const result = await run(["--probe"]);
                assert.deepStrictEqual([result.code, notPassing(result)], [0, ["declared-state: skip"]]);
            });
            it("passes the healthy cluster against its declared role (--expect)", async () => {
                const result = await run(["--probe", "--expect", expectFile(setup.roleData)]);
                assert.deepStrictEqual([result.code, notPassing(result)], [0, []]);
            });
            it("A7: agents signing for an audience the role does not bind", async () => {
                world.agentAudience = ["nomad.io"];
                assert.match(
                    verdict(await run(), "audience"),
                    new RegExp(
                        `^fail: agent default_identity\\.aud \\[nomad\\.io\\], role ${setup.role} bound_audiences \\[vault\\.io\\] \\| .*aud claim does not match`,
                    ),
                );
            });
            it("A10: the policy on a re-created mount's old accessor", async () => {
                world.policyAccessor = "auth_jwt_0ld0ld00";
                assert.match(
                    verdict(await run(), "accessor-drift"),
                    new RegExp(`^fail: policy ${setup.policy} names \\[auth_jwt_0ld0ld00\\], the mount's accessor is auth_jwt_d34481ad`),
                );
            });
            it("A11: agents logging in at a path Vault does not serve", async () => {
                world.agentJwtPath = "jwt-old";
                assert.match(
                    verdict(await run(), "audience"),
                    new RegExp(
                        `jwt_auth_backend_path "jwt-old"; no auth mount jwt-old/; Vault's auth mounts: ${setup.mount}, token \\| .*no handler for route`,
                    ),
                );
            });
            it("A12: Vault not enabled on an agent", async () => {
                world.vaultEnabled = false;
                assert.match(
                    verdict(await run(), "agents"),
                    /^fail: vault disabled on \[http:\/\/127\.0\.0\.1:\d+\].*not enabled but used in the job/,
                );
            });
            it("A13: a job submitted before the agents had default_identity", async () => {
                world.jobs[0].NoIdentity = true;
                assert.match(verdict(await run(), "collisions"), /^fail: default\/api: task\(s\) api have no vault_default identity/);
            });
            it("A9: a KV v2 secret read without data/ passes: consul-template inserts it", async () => {
                world.jobs[0].Templates = [`{{with secret "${setup.kv}/default/api/config"}}{{end}}`];
                assert.match(verdict(await run(), "capabilities"), /^pass: /);
            });
            it("A9: a secret outside the job's path, named with the rule that decides", async () => {
                world.jobs[0].Templates = [`{{with secret "${setup.kv}/default/web/config"}}{{end}}`];
                assert.match(
                    verdict(await run(), "capabilities"),
                    new RegExp(
                        `^fail: denied: default/api: read ${setup.kv}/data/default/web/config \\(template secret "${setup.kv}/default/web/config"\\): no rule of policies default, ${setup.policy} matches`,
                    ),
                );
            });
            it("A1: an identity signed by a key the JWKS does not serve (--probe)", async () => {
                world.probe = probeIdentity(KEYS.rogue);
                assert.match(
                    verdict(await run(["--probe"]), "jwks-from-vault"),
                    new RegExp(`its kid ${KEYS.rogue.kid} is not served there`),
                );
            });
            it("A17: a role update that left bound_subject behind (--expect)", async () => {
                const declared = expectFile(setup.roleData);
                world.role = { ...setup.roleData, bound_subject: "global:default:old:web:web:vault_default" };
                assert.match(
                    verdict(await run(["--probe", "--expect", declared]), "login-and-role"),
                    /^fail: bound_subject: Vault has "global:default:old:web:web:vault_default", --expect declares null \|/,
                );
            });
        });
    }

    describe("--job <namespace>/<job>", () => {
        beforeEach(async () => {
            cluster = await startFakeCluster(TERRAFORM_MODULE);
            ({ world } = cluster);
        });
        const job = (args: string[] = []) => cli(cluster.env, ["--job", "default/api", ...args]).then((r) => verdict(r, "job"));

        it("passes the job's chain: its role, identity and granted secret", async () => {
            assert.strictEqual(await job(), "pass: default/api: task api: role nomad, aud [vault.io], 1 secret path(s) granted | ");
        });
        it("shows no audience for a task whose vault identity has none, where the role binds none", async () => {
            world.jobs[0].Audience = null;
            world.role = { ...world.role, bound_audiences: null };
            assert.strictEqual(await job(), "pass: default/api: task api: role nomad, aud [], 1 secret path(s) granted | ");
        });
        it("shows each audience of a task's vault identity", async () => {
            world.jobs[0].Audience = ["vault.io", "nomad.io"];
            assert.strictEqual(
                await job(),
                "pass: default/api: task api: role nomad, aud [vault.io, nomad.io], 1 secret path(s) granted | ",
            );
        });
        it("has Vault confirm the grant for a token of the job's role under --probe", async () => {
            assert.match(
                await job(["--probe"]),
                /Vault grants a token of role nomad read on kv\/data\/default\/vaultnomad-verify-probe\/config \| $/,
            );
        });
        it("fails when Vault does not grant what the policy text seems to (--probe)", async () => {
            world.probeCapabilities = ["deny"];
            assert.match(
                await job(["--probe"]),
                /^fail: default\/api: task api: Vault answers \[deny\] on kv\/data\/default\/vaultnomad-verify-probe\/config for the probe's token where the policies' text gives \[read\]: Vault's answer holds \|/,
            );
        });
        it("names the secret path the role's policies do not grant the job", async () => {
            world.jobs[0].Templates = ['{{with secret "kv/data/default/web/config"}}{{end}}'];
            assert.match(
                await job(),
                /^fail: default\/api: task api: role nomad's policies \[default, nomad-jobs\]: read kv\/data\/default\/web\/config: no rule of policies default, nomad-jobs matches "kv\/data\/default\/web\/config" \|/,
            );
        });
        it("names a role of the job's own without policies (token_policies null) as granting nothing", async () => {
            world.jobs[0].Role = "api-reader";
            world.jobRoles = { "api-reader": { policy: "", tokenPolicies: null } };
            assert.match(
                await job(),
                /^fail: default\/api: task api: role api-reader's policies \[default\]: read kv\/data\/default\/api\/config: no rule of policy default matches/,
            );
        });
        it("names a role the job asks for that Vault does not have", async () => {
            world.jobs[0].Role = "api";
            assert.match(await job(), /^fail: task api: role api: auth\/jwt\/role\/api HTTP 404/);
        });
        it("warns of vault.policies left over from the token workflow", async () => {
            world.jobs[0].Policies = ["api-read"];
            assert.match(
                await job(),
                /^warn: .*task api: vault\.policies \[api-read\] \| vault\.policies is ignored under workload identity/,
            );
        });
        it("names a task submitted before default_identity, which will get no identity", async () => {
            world.jobs[0].NoIdentity = true;
            assert.match(await job(), /^fail: task api: no vault_default identity \| The job was submitted before/);
        });
        it("fails a job Nomad does not have", async () => {
            assert.match(verdict(await cli(cluster.env, ["--job", "default/nope"]), "job"), /^fail: job default\/nope: HTTP 404/);
        });
    });

    describe("least privilege: the minimal policies of docs/verify.md", () => {
        beforeEach(async () => {
            cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
            ({ world } = cluster);
        });
        const readOnly = async (vaultPolicy: string, nomadPolicy: string, args: string[] = []) => {
            world.vaultGate = await vaultGate(vaultPolicy);
            world.nomadGate = await nomadGate(nomadPolicy);
            return cli({ ...cluster.env, VAULT_TOKEN: VERIFY_VAULT_TOKEN, NOMAD_TOKEN: VERIFY_NOMAD_TOKEN }, args);
        };

        it("runs every check under them, --job included", async () => {
            const result = await readOnly(documentedPolicy("vault"), documentedPolicy("nomad"), ["--job", "default/api"]);
            assert.deepStrictEqual(
                result.checks.filter((c) => c.status === "fail" || c.status === "warn").map((c) => `${c.id}: ${c.evidence}`),
                [],
            );
        });
        it("runs the probe with the probe's addition", async () => {
            const nomadPolicy = documentedPolicy("nomad") + documentedPolicy("nomad-probe");
            const result = await readOnly(documentedPolicy("vault"), nomadPolicy, ["--probe", "--job", "default/api"]);
            assert.deepStrictEqual([result.code, notPassing(result)], [0, ["declared-state: skip"]]);
        });
        it("the fake Vault refuses what the policy does not grant, and verify names the path", async () => {
            const withoutSysAuth = documentedPolicy("vault").replace(/path "sys\/auth" \{[^}]*\}/, "");
            assert.match(
                verdict(await readOnly(withoutSysAuth, documentedPolicy("nomad")), "accessor-drift"),
                /^fail: Vault refuses verify's token: it lacks read on sys\/auth \|/,
            );
        });
        it("says the policy was not found because not every token policy could be read, naming the one refused", async () => {
            const withoutPolicies = documentedPolicy("vault").replace(/path "sys\/policies\/acl\/\+" \{[^}]*\}/, "");
            const { expect } = JSON.parse((await readOnly(withoutPolicies, documentedPolicy("nomad"))).text);
            assert.deepStrictEqual(
                [expect[2], expect[expect.length - 1]],
                [
                    "policy (none) (not every token policy of role nomad-workloads was read)",
                    "sys/policies/acl/nomad-workloads: not read (the token lacks read on sys/policies/acl/nomad-workloads)",
                ],
            );
        });
        it("the fake Nomad refuses what the policy does not grant, and verify names the capability", async () => {
            const withoutAgent = documentedPolicy("nomad").replace(/agent \{[^}]*\}/, "");
            assert.match(
                verdict(await readOnly(documentedPolicy("vault"), withoutAgent), "agents"),
                /^fail: Nomad refuses verify's token: it lacks agent:read on \/v1\/agent\/self \|/,
            );
        });
        it("the probe without submit-job is refused by name", async () => {
            const result = await readOnly(documentedPolicy("vault"), documentedPolicy("nomad"), ["--probe"]);
            assert.match(verdict(result, "jwks-from-vault"), /^fail: registering the probe job: HTTP 403 Permission denied/);
        });
    });

    describe("the command line", () => {
        beforeEach(async () => {
            cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
            ({ world } = cluster);
        });

        it("takes flags over the environment", async () => {
            const result = await cli({ ...cluster.env, VAULT_ADDR: "http://127.0.0.1:9" }, ["--vault-addr", cluster.env.VAULT_ADDR]);
            assert.match(verdict(result, "vault-health"), /^pass: /);
        });
        it("names the variable to set when an address is missing, with exit code 2", async () => {
            const { NOMAD_ADDR: _unset, ...env } = cluster.env;
            const result = await cli(env);
            assert.deepStrictEqual(
                [result.code, JSON.parse(result.text).error],
                [2, "NOMAD_ADDR is not set: export it, or pass --nomad-addr <address>."],
            );
        });
        it("names every missing variable at once, with exit code 2", async () => {
            const result = await cli({ NOMAD_TOKEN: cluster.env.NOMAD_TOKEN });
            assert.deepStrictEqual(
                [result.code, JSON.parse(result.text).error],
                [
                    2,
                    "VAULT_ADDR, VAULT_TOKEN and NOMAD_ADDR are not set: export them, or pass --vault-addr <address>, --vault-token <token> and --nomad-addr <address>.",
                ],
            );
        });
        for (const value of ["0", "1e2", "2.5", "many", "257"]) {
            it(`refuses --concurrency ${value}, saying what it takes, with exit code 2`, async () => {
                const result = await cli(cluster.env, ["--concurrency", value]);
                assert.deepStrictEqual(
                    [result.code, JSON.parse(result.text).error],
                    [2, `--concurrency ${value}: want a whole number of requests at once, from 1 to 256 (default 16).`],
                );
            });
        }
        it("takes --concurrency 1 and 256", async () => {
            const codes = [(await cli(cluster.env, ["--concurrency", "1"])).code, (await cli(cluster.env, ["--concurrency", "256"])).code];
            assert.deepStrictEqual(codes, [0, 0]);
        });
        it("says what it could not read when Vault never answered, not that Vault has none", async () => {
            const { expect } = JSON.parse((await cli({ ...cluster.env, VAULT_ADDR: (await closedAddresses(1))[0] })).text);
            assert.deepStrictEqual(expect, [
                "JWT mount jwt-nomad/ (the agents' jwt_auth_backend_path); JWT mounts in Vault: not read",
                "role (none) (none: auth/jwt-nomad/config was not read; pass --role); bound_audiences []",
                "policy (none) (no token policy of role (none) names an auth_jwt_ accessor)",
                "audience vault.io (the agents' default_identity.aud)",
                "declared role: none (drift is not checked; --expect role.json)",
                "JWT mounts (sys/auth): not read (no answer (ECONNREFUSED))",
                "auth/jwt-nomad/config: not read (no answer (ECONNREFUSED))",
            ]);
        });
        it("takes one unnamed --nomad-addr as the one cluster, named by both addresses", async () => {
            const { NOMAD_ADDR: address, ...env } = cluster.env;
            const result = await cli(env, ["--nomad-addr", address]);
            assert.deepStrictEqual([result.code, JSON.parse(result.text).stack], [0, `cluster ${env.VAULT_ADDR} ${address}`]);
        });
        it("takes a role file of the role's bare fields for --expect, as well as Vault's answer", async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-expect-")), "role.json");
            fs.writeFileSync(file, JSON.stringify(NOMAD_SETUP_VAULT.roleData));
            assert.deepStrictEqual(notPassing(await cli(cluster.env, ["--probe", "--expect", file])), []);
        });
        it("exits 1 when a check fails", async () => {
            world.vaultEnabled = false;
            assert.strictEqual((await cli(cluster.env)).code, 1);
        });
        it("prints the JSON document of verify/result.schema.json, with what it expected", async () => {
            const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "verify/result.schema.json"), "utf8"));
            const validate = new Ajv({ strict: false }).compile(schema);
            assert.ok(validate(JSON.parse((await cli(cluster.env)).text)), JSON.stringify(validate.errors));
        });
        it("refuses a --job without its namespace", async () => {
            assert.match((await cli(cluster.env, ["--job", "api"])).text, /--job api: give it as <namespace>\/<job>/);
        });
        it("sends NOMAD_REGION with every Nomad call and VAULT_NAMESPACE with every Vault call", async () => {
            await cli({ ...cluster.env, NOMAD_REGION: "eu-west", VAULT_NAMESPACE: "platform" });
            const { nomad, vault } = cluster.stack;
            assert.deepStrictEqual(
                [
                    nomad.requests.filter((r) => r.url.startsWith("/v1/") && !r.url.includes("region=eu-west")).map((r) => r.url),
                    vault.requests.filter((r) => r.headers["x-vault-namespace"] !== "platform").map((r) => r.url),
                ],
                [[], []],
            );
        });
        it("reaches a Vault that requires mutual TLS with VAULT_CACERT, VAULT_CLIENT_CERT and VAULT_CLIENT_KEY, or VAULT_SKIP_VERIFY", async () => {
            const handler = vaultApi(world, () => `${cluster.env.NOMAD_ADDR}/.well-known/jwks.json`);
            const tlsVault = await fakeServer(handler, { cert: TLS.serverCert, key: TLS.serverKey, ca: TLS.ca });
            try {
                const tlsDir = path.join(PROJECT_ROOT, "tests/fixtures/tls");
                const env = { ...cluster.env, VAULT_ADDR: tlsVault.address };
                const client = { VAULT_CLIENT_CERT: path.join(tlsDir, "client.pem"), VAULT_CLIENT_KEY: path.join(tlsDir, "client.key") };
                const health = async (extra: Record<string, string>) =>
                    verdict(await cli({ ...env, ...extra }), "vault-health").slice(0, 5);
                assert.deepStrictEqual(
                    [
                        await health({ VAULT_CACERT: path.join(tlsDir, "ca.pem") }),
                        await health({ VAULT_CACERT: path.join(tlsDir, "ca.pem"), ...client }),
                        await health({ VAULT_SKIP_VERIFY: "true", ...client }),
                        await health(client),
                    ],
                    ["fail:", "pass:", "pass:", "fail:"],
                );
            } finally {
                await tlsVault.close();
            }
        });
        it("reaches a Nomad that requires mutual TLS with NOMAD_CACERT, NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY", async () => {
            const tls = await startFakeStack({ external: true });
            try {
                const tlsDir = path.join(PROJECT_ROOT, "tests/fixtures/tls");
                const env = { ...cluster.env, NOMAD_ADDR: tls.nomad.address, NOMAD_CACERT: path.join(tlsDir, "ca.pem") };
                const withCert = {
                    ...env,
                    NOMAD_CLIENT_CERT: path.join(tlsDir, "client.pem"),
                    NOMAD_CLIENT_KEY: path.join(tlsDir, "client.key"),
                };
                assert.deepStrictEqual(
                    [verdict(await cli(env), "nomad-leader").slice(0, 5), verdict(await cli(withCert), "nomad-leader").slice(0, 5)],
                    ["fail:", "pass:"],
                );
            } finally {
                await tls.close();
            }
        });
    });
});

describe("vaultnomad-verify: titles and fixes for a cluster set up without this program", () => {
    it("titles speak of the cluster's token and --expect, not the stack's", async () => {
        const cluster = await startFakeCluster(TERRAFORM_MODULE);
        try {
            const { checks } = JSON.parse((await cli(cluster.env)).text) as { checks: Array<{ title: string }> };
            assert.deepStrictEqual(
                checks.map((c) => c.title).filter((title) => /stack/.test(title)),
                [],
            );
        } finally {
            await cluster.close();
        }
    });
    it("speak of Vault's and Nomad's own commands, not the stack's", async () => {
        const cluster = await startFakeCluster(TERRAFORM_MODULE);
        try {
            cluster.world.policyAccessor = "auth_jwt_0ld0ld00";
            cluster.world.agentAudience = ["nomad.io"];
            const run = await cli(cluster.env);
            const fixes = run.checks.filter((c) => c.status === "fail").map((c) => (c as Check & { fix: string }).fix);
            // The stale accessor fails accessor-drift, and capabilities: Vault leaves the templated rules out.
            assert.deepStrictEqual([fixes.length, fixes.filter((fix) => /npm run stack|pulumi|docker/.test(fix))], [3, []]);
        } finally {
            await cluster.close();
        }
    });
});

describe("vaultnomad-verify: docs/verify.md", () => {
    it("shows what it prints for a job under an incident freeze policy's deny", async () => {
        const cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
        try {
            cluster.world.policies.freeze = 'path "secret/data/default/api/*" {\n  capabilities = ["deny"]\n}\n';
            cluster.world.role = { ...cluster.world.role, token_policies: ["nomad-workloads", "freeze"] };
            const lines: string[] = [];
            await runCluster(["--job", "default/api"], { env: cluster.env, out: (t) => lines.push(t), err: (t) => lines.push(t) });
            const printed = lines
                .join("\n")
                .replaceAll(cluster.stack.vault.address, "https://vault.example.com:8200")
                .replaceAll(cluster.stack.nomad.address, "https://nomad.example.com:4646");
            const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs/verify.md"), "utf8");
            const shown = /<!-- verify-example: cluster, job 403 -->\n```\n([\s\S]*?)\n```/.exec(doc)?.[1];
            if (process.env.PRINT_VERIFY_EXAMPLES) console.log(`${printed}\n<<end>>`);
            assert.strictEqual(printed, shown);
        } finally {
            await cluster.close();
        }
    });
});

describe("vaultnomad-verify: what the cluster does not say", () => {
    let cluster: FakeCluster;
    beforeEach(async () => {
        cluster = await startFakeCluster(TERRAFORM_MODULE);
    });
    afterEach(() => cluster.close());

    it("fails a mount without default_role, naming it, and checks the role given with --role", async () => {
        cluster.world.defaultRole = "";
        // Its one job names the role, so no task of it needs the mount's default role.
        cluster.world.jobs[0].Role = "nomad";
        const [without, withRole] = [await cli(cluster.env), await cli(cluster.env, ["--role", "nomad"])];
        assert.deepStrictEqual(
            [verdict(without, "audience").split(" | ")[0], verdict(withRole, "audience").slice(0, 5)],
            ["fail: auth/jwt/config has no default_role", "pass:"],
        );
    });
    it("skips the templated-policy checks when the role grants no templated policy", async () => {
        cluster.world.policyText = () => 'path "kv/data/default/api/*" {\n  capabilities = ["read"]\n}\n';
        const run = await cli(cluster.env);
        assert.deepStrictEqual(
            ["accessor-drift", "capabilities"].map((id) => verdict(run, id).split(":")[0]),
            ["skip", "skip"],
        );
    });
    it("says a role given with --role that Vault does not have was not read, rather than that it binds nothing", async () => {
        const { expect } = JSON.parse((await cli(cluster.env, ["--role", "nope"])).text);
        assert.deepStrictEqual(
            [expect[1], expect[2], expect[expect.length - 1]],
            [
                "role nope (--role); bound_audiences not read",
                "policy (none) (role nope was not read)",
                'auth/jwt/role/nope: not read (HTTP 404 {"errors":[]})',
            ],
        );
    });
    it("takes a nested --auth-path, dropping only its outer slashes", async () => {
        const { expect } = JSON.parse((await cli(cluster.env, ["--auth-path", "/nomads/jwt/"])).text);
        assert.strictEqual(expect[0], "JWT mount nomads/jwt/ (--auth-path); JWT mounts in Vault: [jwt]");
    });
    it("takes the JWT mount from --auth-path over the agents'", async () => {
        const { expect } = JSON.parse((await cli(cluster.env, ["--auth-path", "/jwt-other/"])).text);
        assert.strictEqual(expect[0], "JWT mount jwt-other/ (--auth-path); JWT mounts in Vault: [jwt]");
    });
});
