// `vaultnomad-verify --job`: the job's login judged as Vault's JWT method judges it, against the claims Nomad signs
// for the job's task on this cluster's Nomad: its version, the job's meta, the namespace's and the servers' extra
// claims, and, with --probe, the probe's real identity.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { runCluster } from "../verify/cli";
import { PROBE_JOB } from "../verify/probe";
import { EXTRA_CLAIMS, FakeCluster, startFakeCluster, TERRAFORM_MODULE } from "./fakeCluster";
import { KEYS, probeIdentity, World } from "./fakeStack";

async function jobVerdict(cluster: FakeCluster, args: string[] = []): Promise<string> {
    const out: string[] = [];
    await runCluster(["--job", "default/api", ...args, "--json"], { env: cluster.env, out: (t) => out.push(t), err: (t) => out.push(t) });
    const check = (JSON.parse(out.join("\n")).checks as Array<Record<string, string>>).find((c) => c.id === "job");
    return check ? `${check.status}: ${check.evidence} | ${check.cause ?? ""} | ${check.fix ?? ""}` : "no job check";
}

async function notPassing(cluster: FakeCluster, args: string[]): Promise<string[]> {
    const out: string[] = [];
    await runCluster([...args, "--json"], { env: cluster.env, out: (t) => out.push(t), err: (t) => out.push(t) });
    const checks = JSON.parse(out.join("\n")).checks as Array<Record<string, string>>;
    return checks.filter((c) => c.status === "fail" || c.status === "warn").map((c) => `${c.id}: ${c.evidence}`);
}

/** The probe's identity as these servers sign it: the namespace's required claim, unrendered (the probe has no meta), and the servers' claim. */
const probeWithExtraClaims = (extra: Record<string, string>) =>
    probeIdentity(KEYS.ed25519, { extra_claims: { nomad_team: "${job.meta.team}", nomad_workload_id: `default:${PROBE_JOB}`, ...extra } });

describe("vaultnomad-verify --job: the login as the JWT method judges it", function () {
    this.timeout(20_000);
    let cluster: FakeCluster;
    let world: World;
    afterEach(() => cluster.close());

    describe("on a cluster whose roles bind Nomad's own claims", () => {
        beforeEach(async () => {
            cluster = await startFakeCluster(TERRAFORM_MODULE);
            ({ world } = cluster);
        });

        it("fails a role bound to nomad_group, naming the role and the claim", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_group: "api" } };
            assert.match(
                await jobVerdict(cluster),
                /^fail: task api: role "nomad" binds the claim "nomad_group" to "api", but the identity has no such claim \(Vault: error validating claims: claim "nomad_group" is missing\) \|/,
            );
        });
        it("prints for a role bound to nomad_group what docs/verify.md shows", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_group: "api" } };
            const lines: string[] = [];
            await runCluster(["--job", "default/api"], { env: cluster.env, out: (t) => lines.push(t), err: (t) => lines.push(t) });
            const printed = lines.join("\n").split("\n");
            const jobLines = printed
                .slice(
                    printed.findIndex((line) => line.startsWith("FAIL  job ")),
                    -1,
                )
                .join("\n");
            const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs/verify.md"), "utf8");
            assert.strictEqual(jobLines, /<!-- verify-example: job login, nomad_group -->\n```\n([\s\S]*?)\n```/.exec(doc)?.[1]);
        });
        it("says Nomad never signs nomad_group, so no workload logs in with that role", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_group: "api" } };
            assert.match(
                await jobVerdict(cluster),
                /\| Nomad 1\.10\.0 never signs "nomad_group" in a workload identity: role nomad admits no Nomad workload/,
            );
        });
        it("says which release it took servers that give no version for", async () => {
            world.memberStatus = { "vaultnomad-dev.global": "failed" };
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_group: "api" } };
            assert.match(
                await jobVerdict(cluster),
                /\| Nomad \(taken as 2\.0\.3: agent\/members gave no version\) never signs "nomad_group"/,
            );
        });
        it("names the value the identity has when a bound claim does not match", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_job_id: "web" } };
            assert.match(
                await jobVerdict(cluster),
                /^fail: task api: role "nomad" binds the claim "nomad_job_id" to "web", but the identity has "api" .*\| Role nomad admits other workloads only/,
            );
        });
        it("reaches a nested claim through a JSON pointer", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { "/nomad_job_id": "web" } };
            assert.match(await jobVerdict(cluster), /binds the claim "\/nomad_job_id" to "web", but the identity has "api"/);
        });
        it("admits a job a glob binds", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims_type: "glob", bound_claims: { nomad_job_id: "a*" } };
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("admits a job when any value of a bound list matches", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_job_id: ["web", "api"] } };
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("fails a role bound to vault_role when the task names no vault.role, saying Nomad signs it for others", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { vault_role: "nomad" } };
            assert.match(await jobVerdict(cluster), /\| Nomad signs "vault_role" for other workloads, but not in this task's identity/);
        });
        it("names an identity for another audience than the role binds", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_audiences: ["nomad.io"] };
            assert.match(
                await jobVerdict(cluster),
                /^fail: task api: role "nomad" binds the audiences \["nomad\.io"\], but the identity has "vault\.io"/,
            );
        });
        it("fails an extra claim the namespace does not add, naming what would add it", async () => {
            world.nomadVersion = "2.0.5";
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { "/extra_claims/nomad_team": "payments" } };
            assert.match(
                await jobVerdict(cluster),
                /\| The identity carries no extra claim "nomad_team".*\| Add nomad_team to namespace default's required_extra_claims/,
            );
        });
    });

    describe("the rest of the job's chain", () => {
        beforeEach(async () => {
            cluster = await startFakeCluster(TERRAFORM_MODULE);
            ({ world } = cluster);
        });

        it("admits a role bound to the subject Nomad signs: region, namespace, job, group, task and identity", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_subject: "global:default:api:mongo:api:vault_default" };
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("fails a role bound to another subject, saying it admits one workload only", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_subject: "global:default:web:web:web:vault_default" };
            assert.match(
                await jobVerdict(cluster),
                /\| Vault refuses this job's login: bound_subject admits one workload's identity only\. \| Clear nomad's bound_subject; bind nomad_namespace and nomad_job_id instead\.$/,
            );
        });
        it("takes a vault block that names no cluster as the default cluster's", async () => {
            world.jobs[0].Cluster = "";
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("fails a job whose tasks have no vault block", async () => {
            world.jobs[0].NoVault = true;
            assert.strictEqual(
                await jobVerdict(cluster),
                "fail: job default/api: no task has a vault block | Nomad gives a task a Vault token only with a vault block: its templates cannot read Vault. | Add vault {} (and vault.role if not the mount's default role) to the tasks that read secrets.",
            );
        });
        it("says a task without its vault identity was submitted before default_identity", async () => {
            world.jobs[0].NoIdentity = true;
            assert.strictEqual(
                await jobVerdict(cluster),
                "fail: task api: no vault_default identity | The job was submitted before the servers had vault.default_identity (or under the token workflow, removed in Nomad 1.10): its allocations cannot log in to Vault. | Resubmit the job (nomad job run) now that the servers have default_identity.",
            );
        });
        it("says the login fails for a role Vault does not have", async () => {
            world.jobs[0].Role = "api";
            assert.match(
                await jobVerdict(cluster),
                /\| Vault has no role api at jwt\/: the login fails with "role could not be found"\. \| Create the role, or set the task's vault\.role to one that exists\.$/,
            );
        });
        it("says where to look for a job Nomad does not have", async () => {
            world.jobs[0].Gone = true;
            assert.match(
                await jobVerdict(cluster),
                /\| Nomad has no job api in namespace default\. \| nomad job status -namespace=<namespace>; then --job <namespace>\/<job>\.$/,
            );
        });
        it("names every refusal of the job's login, one after another", async () => {
            world.role = { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_group: "api", nomad_job_id: "web" } };
            const [evidence] = (await jobVerdict(cluster)).split(" | ");
            assert.strictEqual(
                evidence,
                'fail: task api: role "nomad" binds the claim "nomad_group" to "api", but the identity has no such claim (Vault: error validating claims: claim "nomad_group" is missing); ' +
                    'task api: role "nomad" binds the claim "nomad_job_id" to "web", but the identity has "api" (Vault: error validating claims: claim "nomad_job_id" does not match any associated bound claim values)',
            );
        });
        it("does not ask Vault to confirm the reads of a job whose login its role refuses (--probe)", async () => {
            world.jobs[0].Role = "api-reader";
            world.jobRoles = { "api-reader": { policy: "", role: { ...TERRAFORM_MODULE.roleData, bound_claims: { nomad_group: "api" } } } };
            await jobVerdict(cluster, ["--probe"]);
            const logins = cluster.stack.vault.requests.filter((r) => r.url.endsWith("/login") && JSON.parse(r.body).role === "api-reader");
            assert.strictEqual(logins.length, 0);
        });
        it("looks for the identity of the vault block's cluster among the task's identities", async () => {
            world.jobs[0].Identities = ["consul_default"];
            assert.match(await jobVerdict(cluster), /^fail: task api: no vault_default identity \|/);
        });
        it("names what it saw of each task that uses Vault", async () => {
            world.jobs[0].Sidecar = { Group: "side", Role: "nomad" };
            assert.match(
                await jobVerdict(cluster),
                /^pass: default\/api: task api: role nomad, aud \[vault\.io\], 1 secret path\(s\) granted; task sidecar: role nomad, aud \[vault\.io\], 0 secret path\(s\) granted \|/,
            );
        });
        it("names the vault.policies left over in each task", async () => {
            world.jobs[0].Policies = ["api-read"];
            world.jobs[0].Sidecar = { Group: "side", Role: "nomad" };
            assert.match(
                await jobVerdict(cluster),
                /1 secret path\(s\) granted; task sidecar: role nomad, aud \[vault\.io\], 0 secret path\(s\) granted; task api: vault\.policies \[api-read\]; task sidecar: vault\.policies \[api-read\] \|/,
            );
        });
        it("names the vault.policies left over, each of them", async () => {
            world.jobs[0].Policies = ["api-read", "api-list"];
            assert.match(await jobVerdict(cluster), /; task api: vault\.policies \[api-read, api-list\] \|/);
        });
        it("names the vault.policies left over, and what replaces them", async () => {
            world.jobs[0].Policies = ["api-read"];
            assert.strictEqual(
                await jobVerdict(cluster),
                "warn: task api: role nomad, aud [vault.io], 1 secret path(s) granted; task api: vault.policies [api-read] | vault.policies is ignored under workload identity: the tasks get only their role's policies. | Remove vault.policies; grant through the role's token_policies (vault { role = … }).",
            );
        });
    });

    describe("on a Nomad 2.0.5 cluster whose logins rest on extra claims", () => {
        beforeEach(async () => {
            cluster = await startFakeCluster(EXTRA_CLAIMS);
            ({ world } = cluster);
        });

        it("passes the job, whose team comes from its meta through the namespace's required claim", async () => {
            assert.match(await jobVerdict(cluster), /^pass: default\/api: task api: role nomad-workloads/);
        });
        it("passes every check of the cluster, the job's included", async () => {
            assert.deepStrictEqual(await notPassing(cluster, ["--job", "default/api"]), []);
        });
        it("grants the team's path through the templated policy, its metadata mapped from the namespace's extra claim", async () => {
            world.jobs[0].Templates = ['{{with secret "secret/data/teams/payments/db"}}{{.Data.data.password}}{{end}}'];
            assert.match(
                await jobVerdict(cluster),
                /^pass: default\/api: task api: role nomad-workloads, aud \[vault\.io\], 1 secret path\(s\) granted/,
            );
        });
        it("denies another team's path under the same templated policy", async () => {
            world.jobs[0].Templates = ['{{with secret "secret/data/teams/billing/db"}}{{.Data.data.password}}{{end}}'];
            assert.match(
                await jobVerdict(cluster),
                /^fail: default\/api: task api: role nomad-workloads's policies .*secret\/data\/teams\/billing\/db/,
            );
        });
        it("passes every check with the probe's identity", async () => {
            world.probe = probeWithExtraClaims({});
            assert.deepStrictEqual(await notPassing(cluster, ["--probe", "--job", "default/api"]), []);
        });
        const boundTo = (claims: Record<string, string>) => ({ ...EXTRA_CLAIMS.roleData, bound_claims: claims });

        it("passes a job whose team, from its meta through the namespace's required claim, is the one the role binds", async () => {
            world.role = boundTo({ "/extra_claims/nomad_team": "payments" });
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("passes a job whose identity block takes the optional claim the role binds", async () => {
            world.role = boundTo({ "/extra_claims/nomad_cost_center": "cc-42*" });
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("fails the job on a Nomad before 2.0.3, which signs no namespace's extra claims", async () => {
            world.nomadVersion = "2.0.2";
            world.role = boundTo({ "/extra_claims/nomad_team": "payments" });
            assert.match(
                await jobVerdict(cluster),
                /^fail: task api: role "nomad-workloads" binds the claim "\/extra_claims\/nomad_team" .*\| The identity carries no extra claim "nomad_team": .*namespaces' extra claims need Nomad 2\.0\.3/,
            );
        });
        it("takes servers that give no version, whose namespaces carry extra claims, for 2.0.3 or later", async () => {
            world.memberStatus = { "vaultnomad-dev.global": "failed" };
            world.role = boundTo({ "/extra_claims/nomad_team": "payments" });
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("passes the job on a Nomad before 2.0.3 when the role binds the servers' claim only", async () => {
            world.nomadVersion = "2.0.2";
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
        it("fails the job when its identity block does not take the optional claim the role binds", async () => {
            world.role = boundTo({ "/extra_claims/nomad_cost_center": "cc-*" });
            world.jobs[0].ExtraClaims = [];
            assert.match(
                await jobVerdict(cluster),
                /^fail: task api: role "nomad-workloads" binds the claim "\/extra_claims\/nomad_cost_center" to glob "cc-\*", but the identity has no such claim/,
            );
        });
        it("fails the job when its meta names another team", async () => {
            world.role = boundTo({ "/extra_claims/nomad_team": "payments" });
            world.jobs[0].Meta = { ...EXTRA_CLAIMS.apiJob!.Meta, team: "billing" };
            assert.match(
                await jobVerdict(cluster),
                /binds the claim "\/extra_claims\/nomad_team" to glob "payments", but the identity has "billing"/,
            );
        });
        it("takes an extra claim the probe's identity shows these servers sign, though their version tag says they cannot", async () => {
            world.nomadVersion = "2.0.2";
            world.probe = probeWithExtraClaims({ nomad_cost_center: "cc-4200" });
            world.role = boundTo({ "/extra_claims/nomad_cost_center": "cc-*" });
            assert.match(await jobVerdict(cluster, ["--probe"]), /^pass: /);
        });
        it("says when the job's role refuses the probe, so that Vault cannot confirm the job's reads (--probe)", async () => {
            world.role = boundTo({ "/extra_claims/nomad_team": "payments" });
            world.probe = probeWithExtraClaims({});
            assert.match(
                await jobVerdict(cluster, ["--probe"]),
                /^pass: .*; Vault's confirmation not possible: role nomad-workloads refuses the probe's identity \(error validating claims: claim "\/extra_claims\/nomad_team" does not match any associated bound claim values\) \|/,
            );
        });
        it("judges the mount's bound_issuer against the probe's issuer", async () => {
            world.probe = probeIdentity(KEYS.ed25519, {
                iss: "https://nomad.example.com",
                extra_claims: { nomad_workload_id: `default:${PROBE_JOB}` },
            });
            world.authConfig = { ...world.authConfig, bound_issuer: "https://other.example.com" };
            assert.match(
                await jobVerdict(cluster, ["--probe"]),
                /^fail: task api: role "nomad-workloads" is on a mount that binds the issuer "https:\/\/other\.example\.com", but the identity has "https:\/\/nomad\.example\.com"/,
            );
        });
        it("does not judge bound_issuer without a real identity, whose issuer Nomad's API does not give", async () => {
            world.authConfig = { ...world.authConfig, bound_issuer: "https://other.example.com" };
            assert.match(await jobVerdict(cluster), /^pass: /);
        });
    });
});
