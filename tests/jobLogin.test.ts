// The pieces of verify's login judgement for a job: what the servers and the namespace add to an identity
// (verify/identityFacts.ts), the claims reshaped by the probe's real identity, and each refusal's cause and fix
// (verify/jobLogin.ts).
import * as assert from "assert";
import { LoginRefusal } from "../policy/jwtLogin";
import { createClusterView } from "../verify/clusterView";
import {
    allocationNode,
    namespaceClaims,
    oldestBuild,
    readsNode,
    signerFacts,
    SignerFacts,
    taskIdentityRequest,
} from "../verify/identityFacts";
import { judgeTaskLogin, loginProblem, shapedByProbe, TaskClaims } from "../verify/jobLogin";
import { JobTask } from "../verify/viewTypes";
import { sharedFakeStack } from "./fakeStack";

const task: JobTask = {
    Name: "api",
    Vault: { Role: "api-reader", Cluster: "default", Namespace: "" },
    Identities: [{ Name: "vault_default", Audience: ["vault.io"], TTL: 3_600_000_000_000, ExtraClaims: ["nomad_cost_center"] }],
};
const job = { ID: "api", Namespace: "default", Region: "global", NodePool: "default", Meta: { team: "payments" } };
const signer: SignerFacts & { version: string } = { version: "2.0.5", vaultExtraClaims: { nomad_workload_id: "${job.id}" } };
const request = (changes: { task?: JobTask; job?: Record<string, unknown>; signer?: Partial<SignerFacts> } = {}) =>
    taskIdentityRequest({ ...job, ...changes.job }, "api", changes.task ?? task, {
        signer: { ...signer, ...changes.signer },
        namespace: {},
    });

describe("identityFacts: what Nomad signs into a task's identity besides the job", () => {
    describe("the servers' version", () => {
        it("is the oldest build, compared by number", () => {
            assert.strictEqual(oldestBuild(["2.0.10", "2.0.5", "2.0.9"]), "2.0.5");
        });
        it("compares minor releases before patches", () => {
            assert.strictEqual(oldestBuild(["2.1.0", "1.10.5"]), "1.10.5");
        });
        it("reads builds with a prerelease or metadata suffix", () => {
            assert.strictEqual(oldestBuild(["2.0.5+ent", "2.0.4-dev"]), "2.0.4-dev");
        });
        it("skips a build that is no version", () => {
            assert.strictEqual(oldestBuild(["", "2.0.5"]), "2.0.5");
        });
        it("is unknown without builds", () => {
            assert.strictEqual(oldestBuild([]), undefined);
        });
    });

    describe("the identity request for a task", () => {
        it("takes the TTL from the Go duration in nanoseconds", () => {
            assert.strictEqual(request().identity.ttl, 3600);
        });
        it("takes the optional extra claims the identity block names", () => {
            assert.deepStrictEqual(request().identity.extraClaims, ["nomad_cost_center"]);
        });
        it("takes the audience of the vault_<cluster> identity", () => {
            assert.deepStrictEqual(request().identity.aud, ["vault.io"]);
        });
        it("signs a child job with its parent's ID", () => {
            assert.strictEqual(request({ job: { ParentID: "api", ID: "api/dispatch-1" } }).parentJobId, "api");
        });
        it("takes the job's region, node pool and meta", () => {
            const { region, jobNodePool, jobMeta } = request({ job: { Region: "eu", NodePool: "gpu" } });
            assert.deepStrictEqual({ region, jobNodePool, jobMeta }, { region: "eu", jobNodePool: "gpu", jobMeta: { team: "payments" } });
        });
        it("takes no meta from a job whose meta is null", () => {
            assert.strictEqual(request({ job: { Meta: null } }).jobMeta, undefined);
        });
        it("takes the vault block's role and namespace", () => {
            assert.deepStrictEqual(request().vault, { role: "api-reader", namespace: "", cluster: "default" });
        });
        it("adds the servers' vault extra claims for the default cluster", () => {
            assert.deepStrictEqual(request().vaultDefaultIdentity, { extraClaims: { nomad_workload_id: "${job.id}" } });
        });
        it("adds none for another Vault cluster, whose block verify does not read", () => {
            const other = { ...task, Vault: { Cluster: "infra" }, Identities: [{ Name: "vault_infra", Audience: ["vault.io"] }] };
            assert.deepStrictEqual(request({ task: other }).vaultDefaultIdentity, { extraClaims: {} });
        });
        it("names the identity after the vault block's cluster", () => {
            const other = { ...task, Vault: { Cluster: "infra" }, Identities: [{ Name: "vault_infra", Audience: ["infra"] }] };
            assert.deepStrictEqual(request({ task: other }).identity, { name: "vault_infra", aud: ["infra"], ttl: 0, extraClaims: [] });
        });
        it("reads a node only for an extra claim that names one", () => {
            assert.deepStrictEqual([readsNode({ a: "${node.datacenter}" }), readsNode({ a: "${job.id}" }, undefined)], [true, false]);
        });
    });

    describe("read from the cluster", () => {
        const fake = sharedFakeStack();
        const view = () => createClusterView(fake.stack.target(), { deadline: Date.now() + 60_000 });

        it("takes the servers' version from agent/members", async () => {
            fake.world.nomadVersion = "2.0.5";
            assert.strictEqual((await signerFacts(view())).version, "2.0.5");
        });
        it("leaves out a server that has failed", async () => {
            fake.world.nomadVersion = "2.0.5";
            fake.world.otherServers = ["old.global"];
            fake.world.memberStatus = { "old.global": "failed" };
            assert.strictEqual((await signerFacts(view())).version, "2.0.5");
        });
        it("takes the servers' vault.default_identity.extra_claims", async () => {
            fake.world.vaultExtraClaims = { nomad_workload_id: "${job.id}" };
            assert.deepStrictEqual((await signerFacts(view())).vaultExtraClaims, { nomad_workload_id: "${job.id}" });
        });
        it("takes no extra claims from servers that have none (null)", async () => {
            assert.deepStrictEqual((await signerFacts(view())).vaultExtraClaims, {});
        });
        it("takes a namespace's required and optional extra claims", async () => {
            fake.world.namespaces = [{ Name: "team", RequiredExtraClaims: { a: "1" }, OptionalExtraClaims: { b: "2" } }];
            assert.deepStrictEqual(await namespaceClaims(view(), "team"), { required: { a: "1" }, optional: { b: "2" } });
        });
        it("reads a namespace's nil maps as none", async () => {
            assert.deepStrictEqual(await namespaceClaims(view(), "default"), { required: undefined, optional: undefined });
        });
        it("reads a namespace Nomad does not have as one without extra claims", async () => {
            assert.deepStrictEqual(await namespaceClaims(view(), "gone"), { required: undefined, optional: undefined });
        });
        it("finds the node an allocation of the job's group runs on", async () => {
            const node = await allocationNode(view(), { ID: "mongo", Namespace: "default" }, "mongo");
            assert.deepStrictEqual(node, { id: "00000000-9a8e-4f7b-b6c5-d4e3f2a1b0c9", datacenter: "dc1", pool: "default", class: "" });
        });
        it("finds no node for a group without an allocation", async () => {
            assert.strictEqual(await allocationNode(view(), { ID: "mongo", Namespace: "default" }, "other"), undefined);
        });
    });
});

describe("jobLogin: a job's claims and the refusals Vault would send", () => {
    describe("claims reshaped by the probe's real identity", () => {
        const jobClaims = { nomad_job_id: "api", nomad_namespace: "default", nomad_task: "api", vault_role: "api-reader", exp: 2 };
        const predicted = { nomad_job_id: "probe", nomad_namespace: "default", nomad_task: "probe", vault_role: "x", exp: 1 };
        const real = { nomad_job_id: "probe", nomad_namespace: "default", nomad_task: "probe", iss: "https://nomad", jti: "j" };

        it("drops a claim predicted for the probe that these servers did not sign", () => {
            assert.strictEqual(Object.hasOwn(shapedByProbe(jobClaims, predicted, real), "vault_role"), false);
        });
        it("keeps the claims that differ with every signature", () => {
            assert.strictEqual(shapedByProbe(jobClaims, predicted, real).exp, 2);
        });
        it("adds a claim these servers sign that was not predicted", () => {
            assert.strictEqual(shapedByProbe(jobClaims, predicted, real).iss, "https://nomad");
        });
        it("takes no per-signature claim from the probe", () => {
            assert.strictEqual(Object.hasOwn(shapedByProbe(jobClaims, predicted, real), "jti"), false);
        });
        it("keeps the job's own values", () => {
            assert.strictEqual(shapedByProbe(jobClaims, predicted, real).nomad_job_id, "api");
        });
        it("adds the probe's unpredicted extra claims to a job in its namespace, the job's own winning", () => {
            const shaped = shapedByProbe(
                { ...jobClaims, extra_claims: { team: "payments" } },
                { ...predicted, extra_claims: {} },
                { ...real, extra_claims: { team: "${job.meta.team}", site: "eu" } },
            );
            assert.deepStrictEqual(shaped.extra_claims, { team: "payments", site: "eu" });
        });
        it("gives a job without extra claims those the probe shows", () => {
            assert.deepStrictEqual(shapedByProbe(jobClaims, predicted, { ...real, extra_claims: { site: "eu" } }).extra_claims, {
                site: "eu",
            });
        });
        it("adds none of the probe's extra claims to a job in another namespace", () => {
            const shaped = shapedByProbe({ ...jobClaims, nomad_namespace: "team" }, predicted, { ...real, extra_claims: { site: "eu" } });
            assert.strictEqual(shaped.extra_claims, undefined);
        });
        it("leaves the job's claims as they were", () => {
            const claims = { ...jobClaims };
            shapedByProbe(claims, predicted, real);
            assert.deepStrictEqual(claims, jobClaims);
        });
    });

    describe("the judgement", () => {
        const known = (probed: boolean): TaskClaims => ({
            claims: { aud: "vault.io", nomad_job_id: "api", iss: "https://nomad" },
            version: "2.0.5",
            probed,
        });
        const role = { bound_audiences: ["vault.io"], user_claim: "nomad_job_id" };
        it("judges the mount's bound_issuer against a probed identity", () => {
            assert.strictEqual(judgeTaskLogin("r", role, known(true), { bound_issuer: "https://other" }).refusals[0].check, "bound_issuer");
        });
        it("does not judge bound_issuer against predicted claims", () => {
            assert.strictEqual(judgeTaskLogin("r", role, known(false), { bound_issuer: "https://other" }).admitted, true);
        });
        it("takes an empty bound_issuer as none", () => {
            assert.strictEqual(judgeTaskLogin("r", role, known(true), { bound_issuer: "" }).admitted, true);
        });
        it("refuses a role without user_claim, naming the claim it lacks", () => {
            const { user_claim: _, ...noUserClaim } = role;
            assert.strictEqual(judgeTaskLogin("r", noUserClaim, known(false), {}).refusals[0].vaultError, 'claim "" not found in token');
        });
    });

    describe("each refusal's cause and fix", () => {
        const known: TaskClaims = { claims: {}, version: "2.0.5", probed: false };
        const names = { namespace: "default", id: "api", task: "api" };
        const refusal = (change: Partial<LoginRefusal>): LoginRefusal => ({
            role: "r",
            check: "bound_claims",
            claim: "nomad_job_id",
            wants: "web",
            has: "api",
            vaultError: "e",
            message: "role r …",
            ...change,
        });
        const problem = (change: Partial<LoginRefusal>, version = "2.0.5") => loginProblem(refusal(change), { ...known, version }, names);

        it("puts the task before the refusal's own sentence", () => {
            assert.strictEqual(problem({})[0], "task api: role r …");
        });
        it("says a bound claim of another value admits other workloads", () => {
            assert.deepStrictEqual(problem({}).slice(1), [
                "Role r admits other workloads only: Vault refuses this job's login.",
                "Use a role whose bound_claims admit default/api, or widen r's bound_claims.",
            ]);
        });
        it("says the servers sign for an audience the role does not bind", () => {
            assert.match(
                problem({ check: "bound_audiences" })[1],
                /^The servers sign this task's identity for an audience role r does not bind/,
            );
        });
        it("names the issuer to bind", () => {
            assert.strictEqual(
                problem({ check: "bound_issuer", has: "https://nomad" })[2],
                'Set bound_issuer of the mount to "https://nomad", or clear it.',
            );
        });
        it("says bound_subject admits one workload only", () => {
            assert.match(problem({ check: "bound_subject" })[2], /^Clear r's bound_subject/);
        });
        it("names the role's field that reads a claim the identity lacks", () => {
            assert.match(problem({ check: "user_claim" })[2], /^Point r's user_claim at a claim Nomad signs as a string/);
        });
        it("says Nomad never signs a claim outside its identities", () => {
            assert.match(problem({ claim: "nomad_group", has: undefined })[1], /^Nomad 2\.0\.5 never signs "nomad_group"/);
        });
        it("reads a JSON pointer by its first segment", () => {
            assert.match(problem({ claim: "/nomad_task", has: undefined })[1], /^Nomad signs "\/nomad_task" for other workloads/);
        });
        it("names the namespace and the identity block for a missing extra claim on Nomad 2.0.3 and later", () => {
            assert.match(
                problem({ claim: "/extra_claims/team", has: undefined })[2],
                /to task api's identity \{ extra_claims = \["team"\] \}/,
            );
        });
        it("names the servers' extra claims, or an upgrade, before Nomad 2.0.3", () => {
            assert.match(
                problem({ claim: "/extra_claims/team", has: undefined }, "2.0.2")[2],
                /^Add team to the servers' vault\.default_identity\.extra_claims, or upgrade/,
            );
        });
    });
});
