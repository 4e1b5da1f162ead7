// verify judges each read as Vault decides it, not as the union of the rules that match: on a cluster as
// `nomad setup vault` leaves it (tests/fixtures/clusters/nomad-setup-vault.json), the job default/web reads
// secret/data/default/web/config, and its role carries one more policy. `vaultnomad-verify --job`, with and
// without --probe, and the capabilities check of a stack.
import * as assert from "assert";
import { runCluster } from "../verify/cli";
import { FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster } from "./fakeCluster";
import { checkOnly, sharedFakeStack, World } from "./fakeStack";

/** An incident freeze: no job reads web's secrets. */
const FREEZE = 'path "secret/data/default/web/*" {\n  capabilities = ["deny"]\n}\n';
/** web may rotate its own secret: an exact rule, which outranks the templated glob and grants no read. */
const ROTATE_WEB = 'path "secret/data/default/web/config" {\n  capabilities = ["create", "update"]\n}\n';
const WEB_CONFIG = '{{with secret "secret/data/default/web/config"}}{{.Data.data.api_key}}{{end}}';

/** The job check as `vaultnomad-verify --job default/web --json` prints it. */
async function jobCheck(
    cluster: FakeCluster,
    args: string[] = [],
): Promise<{ status: string; evidence: string; cause?: string; fix?: string }> {
    const out: string[] = [];
    await runCluster(["--job", "default/web", ...args, "--json"], { env: cluster.env, out: (t) => out.push(t), err: (t) => out.push(t) });
    return JSON.parse(out.join("\n")).checks.find((c: { id: string }) => c.id === "job");
}

/** The job check's status and evidence. */
async function jobVerdict(cluster: FakeCluster, args: string[] = []): Promise<string> {
    const check = await jobCheck(cluster, args);
    return `${check.status}: ${check.evidence}`;
}

describe("vaultnomad-verify --job: each read as Vault decides it", function () {
    this.timeout(20_000);
    let cluster: FakeCluster;
    let world: World;
    beforeEach(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
        ({ world } = cluster);
        world.jobs.push({ ID: "web", Namespace: "default", Templates: [WEB_CONFIG] });
    });
    afterEach(() => cluster.close());
    /** The role carries one more policy, `name`, with `text`. */
    const carry = (name: string, text: string) => {
        world.policies[name] = text;
        world.role = { ...world.role, token_policies: ["nomad-workloads", name] };
    };
    const FROZEN =
        /^fail: default\/web: task web: role nomad-workloads's policies \[default, freeze, nomad-workloads\]: read secret\/data\/default\/web\/config: denied by "secret\/data\/default\/web\/\*" \(deny\) in policy freeze; the deny overrides what policy nomad-workloads grants on the same path$/;
    const ROTATED =
        /^fail: default\/web: task web: role nomad-workloads's policies \[default, nomad-workloads, rotate-web\]: read secret\/data\/default\/web\/config: the exact rule "secret\/data\/default\/web\/config" in policy rotate-web grants \[create, update\], and it outranks "secret\/data\/default\/web\/\*" in policy nomad-workloads$/;

    it("passes a job reading its own secret through the templated policy", async () => {
        assert.match(
            await jobVerdict(cluster),
            /^pass: default\/web: task web: role nomad-workloads, aud \[vault\.io\], 1 secret path\(s\) granted$/,
        );
    });
    const FIELD_CASES: Array<[string, string, string, RegExp]> = [
        ["under a freeze policy's deny, naming the job, the path, the rule and its policy", "freeze", FREEZE, FROZEN],
        ["whose exact rotation rule outranks the glob that grants read", "rotate-web", ROTATE_WEB, ROTATED],
    ];
    for (const [title, name, text, told] of FIELD_CASES) {
        for (const args of [[], ["--probe"]]) {
            it(`fails a job ${title}${args.length ? ", with --probe" : ""}`, async () => {
                carry(name, text);
                assert.match(await jobVerdict(cluster, args), told);
            });
        }
    }
    it("tells, for a deny, to lift it from the role, never to add beside it", async () => {
        carry("freeze", FREEZE);
        assert.strictEqual(
            (await jobCheck(cluster)).fix,
            '"secret/data/default/web/*" denies in policy freeze, and a deny wins over every grant on its path: the read works only once role nomad-workloads no longer holds that deny, or the secret lives where no deny applies',
        );
    });
    it("tells, for an exact rule without read, to add read to that rule", async () => {
        carry("rotate-web", ROTATE_WEB);
        assert.strictEqual(
            (await jobCheck(cluster)).fix,
            'role nomad-workloads: add "read" to "secret/data/default/web/config" in policy rotate-web: an exact rule decides its path alone',
        );
    });
    it("raises no alarm for a deny on another job's path", async () => {
        carry("freeze", FREEZE.replace("default/web", "default/api"));
        assert.match(await jobVerdict(cluster), /^pass: /);
    });
    it("raises no alarm for a KV v2 template path without data/", async () => {
        world.jobs[1].Templates = ['{{with secret "secret/default/web/config"}}{{.Data.data.api_key}}{{end}}'];
        assert.match(await jobVerdict(cluster), /^pass: /);
    });
    it("fails a job reading only through a secret block at a path its role does not grant, naming job and path", async () => {
        world.jobs[1] = {
            ID: "web",
            Namespace: "default",
            Secrets: [{ Name: "db", Provider: "vault", Path: "secret/data/default/api/db", Config: { engine: "kv_v2" } }],
        };
        assert.match(
            await jobVerdict(cluster),
            /^fail: default\/web: task web: .*: read secret\/data\/default\/api\/db \(secret block "db"\): no rule of policies default, nomad-workloads matches "secret\/data\/default\/api\/db"$/,
        );
    });
    it("passes a job reading only through a secret block at a granted path", async () => {
        world.jobs[1] = {
            ID: "web",
            Namespace: "default",
            Secrets: [{ Name: "db", Provider: "vault", Path: "secret/data/default/web/db", Config: { engine: "kv_v2" } }],
        };
        assert.match(await jobVerdict(cluster), /^pass: .*1 secret path\(s\) granted$/);
    });
    it("trusts Vault where it speaks of the job's own path and disagrees with the policies' text", async () => {
        world.jobs[1].Templates = ['{{with secret "secret/data/shared/config"}}{{end}}'];
        world.probeCapabilities = ["read"];
        assert.match(
            await jobVerdict(cluster, ["--probe"]),
            /^pass: .*Vault answers \[read\] on secret\/data\/shared\/config for the probe's token where the policies' text gives \[deny\]: Vault's answer holds$/,
        );
    });
    it("fails where Vault denies the job's own path that the policies' text grants", async () => {
        carry("shared", 'path "secret/data/shared/config" {\n  capabilities = ["read"]\n}\n');
        world.jobs[1].Templates = ['{{with secret "secret/data/shared/config"}}{{end}}'];
        world.probeCapabilities = ["deny"];
        assert.match(
            await jobVerdict(cluster, ["--probe"]),
            /^fail: default\/web: task web: .*: read secret\/data\/shared\/config: Vault answers \[deny\] on secret\/data\/shared\/config for the probe's token where the policies' text gives \[read\]: Vault's answer holds$/,
        );
    });
    it("says, under --probe, that Vault cannot confirm when the role refuses the probe's identity", async () => {
        world.loginError = 'error validating claims: claim "nomad_job_id" does not match any associated bound claim values';
        assert.match(
            await jobVerdict(cluster, ["--probe"]),
            /; Vault's confirmation not possible: role nomad-workloads refuses the probe's identity \(error validating claims: .*\)$/,
        );
    });
    it("says, under --probe, that Vault cannot confirm when the probe's token may not ask", async () => {
        world.probeCapabilities = null;
        assert.match(
            await jobVerdict(cluster, ["--probe"]),
            /granted; Vault's confirmation not possible: the probe's token of role nomad-workloads may not ask sys\/capabilities-self$/,
        );
    });
    it("asks Vault nothing for a job whose task reads nothing", async () => {
        world.jobs[1].Templates = [];
        assert.match(await jobVerdict(cluster, ["--probe"]), /, 0 secret path\(s\) granted$/);
    });
    it("names every path Vault grants the probe", async () => {
        world.jobs[1].Templates = [WEB_CONFIG, '{{with secret "secret/data/default/web/db"}}{{end}}'];
        assert.match(
            await jobVerdict(cluster, ["--probe"]),
            /; Vault grants a token of role nomad-workloads read on secret\/data\/default\/vaultnomad-verify-probe\/config, read on secret\/data\/default\/vaultnomad-verify-probe\/db$/,
        );
    });
    it("says when Vault grants the probe none of the paths asked, where the policies' text agrees", async () => {
        world.role = { ...world.role, token_policies: ["web-config"] };
        world.policies["web-config"] = 'path "secret/data/default/web/config" {\n  capabilities = ["read"]\n}\n';
        world.probeCapabilities = ["deny"];
        assert.match(
            await jobVerdict(cluster, ["--probe"]),
            /^pass: .*; Vault grants a token of role nomad-workloads none of the paths asked$/,
        );
    });
    it("names each read a deny decides", async () => {
        carry("freeze", FREEZE);
        world.jobs[1].Templates = [WEB_CONFIG, '{{with secret "secret/data/default/web/db"}}{{end}}'];
        assert.match(
            await jobVerdict(cluster),
            /: read secret\/data\/default\/web\/config: denied by .*; read secret\/data\/default\/web\/db: denied by "secret\/data\/default\/web\/\*" \(deny\) in policy freeze; the deny overrides what policy nomad-workloads grants on the same path$/,
        );
    });
    it("tells apart Vault's denial of the job's own path from its denial of the probe's", async () => {
        world.jobs[1].Templates = [WEB_CONFIG, '{{with secret "secret/data/shared/config"}}{{end}}'];
        carry("shared", 'path "secret/data/shared/config" {\n  capabilities = ["read"]\n}\n');
        world.probeCapabilities = ["deny"];
        assert.match(
            await jobVerdict(cluster, ["--probe"]),
            /^fail: default\/web: task web: .*: read secret\/data\/shared\/config: Vault answers \[deny\] .*; default\/web: task web: Vault answers \[deny\] on secret\/data\/default\/vaultnomad-verify-probe\/config for the probe's token where the policies' text gives \[read\]: Vault's answer holds$/,
        );
    });
    it("fails where Vault denies the probe what the policies' text grants it, with the cause and the fix", async () => {
        world.probeCapabilities = ["create", "update"];
        const check = await jobCheck(cluster, ["--probe"]);
        assert.deepStrictEqual(
            [check.evidence, check.cause, check.fix],
            [
                "default/web: task web: Vault answers [create, update] on secret/data/default/vaultnomad-verify-probe/config for the probe's token where the policies' text gives [read]: Vault's answer holds",
                "Vault does not render the policy as its text reads for a real login: the alias metadata it keys on is missing (claim_mappings) or the accessor is stale.",
                "Check the role's claim_mappings and the accessor-drift check.",
            ],
        );
    });
    it("fails a job whose role holds a policy verify cannot read, naming the policy and the line", async () => {
        carry("odd", 'path "secret/data/x" {\n  capabilities = ["bogus"]\n}\n');
        const check = await jobCheck(cluster);
        assert.deepStrictEqual(
            [check.evidence, check.cause, check.fix],
            [
                'default/web: task web: role nomad-workloads: policy odd, line 1: path "secret/data/x": invalid capability "bogus"',
                "verify cannot read this policy of the role as Vault holds it, so it cannot judge the job's reads.",
                "Read the policy with vault policy read <name>, and report its text to the project if Vault accepts it.",
            ],
        );
    });
});

describe("verify, stack mode: each job's reads as Vault decides them", function () {
    this.timeout(20_000);
    const shared = sharedFakeStack();
    const capabilities = () => checkOnly(shared.stack.target(), "capabilities");
    /** The mongo job reading only through one secret block, of the vault provider unless said. */
    const readsOnlyThrough = (Name: string, Path: string, Provider = "vault", Config: Record<string, string> = { engine: "kv_v2" }) =>
        (shared.world.jobs[0] = { ID: "mongo", Namespace: "default", Secrets: [{ Name, Provider, Path, Config }] });

    it("fails a default-role job under a freeze policy's deny, naming the rule and its policy", async () => {
        shared.world.policies.freeze = FREEZE.replaceAll("secret/data/default/web", "kv/data/default/mongo");
        shared.world.role = { ...shared.world.role, token_policies: ["nomad-workloads", "freeze"] };
        assert.strictEqual(
            (await capabilities()).evidence,
            'denied: default/mongo: read kv/data/default/mongo/config: denied by "kv/data/default/mongo/*" (deny) in policy freeze; the deny overrides what policy nomad-workloads grants on the same path',
        );
    });
    it("fails a job whose role holds a policy verify cannot read, naming the policy and telling to report it", async () => {
        shared.world.policies.odd = 'path "kv/data/x" {\n  capabilities = ["bogus"]\n}\n';
        shared.world.role = { ...shared.world.role, token_policies: ["nomad-workloads", "odd"] };
        assert.strictEqual(
            (await capabilities()).fix,
            'default/mongo: verify cannot read a policy of role nomad-workloads (policy odd, line 1: path "kv/data/x": invalid capability "bogus"): read it with vault policy read, and report its text to the project if Vault accepts it',
        );
    });
    it("warns, trusting Vault, where Vault grants the probe its path and the policies' text does not", async () => {
        shared.world.jobs = [];
        shared.world.role = { ...shared.world.role, claim_mappings: null };
        const result = await capabilities();
        assert.deepStrictEqual(
            [result.status, result.evidence, result.cause, result.fix],
            [
                "warn",
                "0 job(s) using the default role and 0 with a role of their own can read what their templates read; Vault grants the probe read on kv/data/default/vaultnomad-verify-probe/verify; Vault answers [read] on kv/data/default/vaultnomad-verify-probe/verify for the probe's token where the policies' text gives [deny]: Vault's answer holds",
                "verify's reading of the policies disagrees with Vault on the probe's path: Vault's answer is the one that holds.",
                "Report the policy text to the project: verify should decide as Vault does.",
            ],
        );
    });
    it("fails where Vault and the policies' text both deny the probe its path, without a disagreement", async () => {
        shared.world.jobs = [];
        shared.world.role = { ...shared.world.role, claim_mappings: null };
        shared.world.probeCapabilities = ["deny"];
        assert.strictEqual(
            (await capabilities()).evidence,
            "Vault's sys/capabilities-self for the probe's kv/data/default/vaultnomad-verify-probe/verify: [deny]",
        );
    });
    it("asks Vault nothing for the probe when the default role is missing", async () => {
        shared.world.jobs = [];
        shared.world.role = undefined;
        assert.strictEqual(
            (await capabilities()).evidence,
            "0 job(s) using the default role and 0 with a role of their own can read what their templates read",
        );
    });
    it("fails a job reading only through a secret block at an ungranted path, naming job and path", async () => {
        readsOnlyThrough("root", "kv/data/default/web/root");
        assert.strictEqual(
            (await capabilities()).evidence,
            'denied: default/mongo: read kv/data/default/web/root (secret block "root"): no rule of policies default, nomad-workloads matches "kv/data/default/web/root"',
        );
    });
    it("passes a job reading only through a secret block at a granted path", async () => {
        readsOnlyThrough("root", "kv/data/default/mongo/root");
        assert.strictEqual((await capabilities()).status, "pass");
    });
    it("leaves a secret block of another provider to it: Nomad variables are not Vault's", async () => {
        readsOnlyThrough("token", "nomad/jobs/mongo", "nomad", { namespace: "default" });
        assert.strictEqual((await capabilities()).status, "pass");
    });
    it("judges a template's secret with parameters as a write, needing update", async () => {
        shared.world.jobs[0].Templates = ['{{with secret "pki/issue/nomad" "common_name=mongo.example"}}{{.Data.certificate}}{{end}}'];
        shared.world.policies.pki = 'path "pki/issue/nomad" {\n  capabilities = ["read"]\n}\n';
        shared.world.role = { ...shared.world.role, token_policies: ["nomad-workloads", "pki"] };
        assert.strictEqual(
            (await capabilities()).evidence,
            'denied: default/mongo: update pki/issue/nomad (template secret "pki/issue/nomad" "common_name=…"): the exact rule "pki/issue/nomad" in policy pki grants [read]',
        );
    });
});
