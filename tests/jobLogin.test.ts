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
import { Agents, ClusterView, JobTask } from "../verify/viewTypes";
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
        namespace: { fieldsSent: true },
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
        it("skips a build that only holds a version further in", () => {
            assert.strictEqual(oldestBuild(["build-1.10.0", "2.0.5"]), "2.0.5");
        });
        it("reads a major release of two digits", () => {
            assert.strictEqual(oldestBuild(["10.0.0"]), "10.0.0");
        });
        it("orders minor releases of one major, whichever comes first", () => {
            assert.deepStrictEqual([oldestBuild(["2.0.5", "2.1.0"]), oldestBuild(["2.1.0", "2.0.5"])], ["2.0.5", "2.0.5"]);
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
        it("reads a node when any one set of extra claims names one", () => {
            assert.strictEqual(readsNode({ a: "${job.id}" }, { b: "${node.class}" }), true);
        });
        it("leaves the region to Nomad's default for a job that names none", () => {
            assert.strictEqual(request({ job: { Region: "" } }).region, undefined);
        });
        it("names no parent for a job launched by no other", () => {
            assert.strictEqual(request().parentJobId, undefined);
        });
        it("asks for an identity of no audience, TTL or extra claims for a task without the vault identity", () => {
            assert.deepStrictEqual(request({ task: { ...task, Identities: null } }).identity, {
                name: "vault_default",
                aud: [],
                ttl: 0,
                extraClaims: [],
            });
        });
        it("takes an allocation ID of a UUID's shape, as Nomad signs", () => {
            assert.match(request().allocationId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        });
    });

    describe("read from what the cluster answers", () => {
        const reply = (body: unknown, status = 200) => ({ status, body: JSON.stringify(body) });
        const member = (build: string, Status = "alive") => ({ Name: `s-${build}`, Status, Tags: { build } });
        const stub = (answers: Partial<Record<string, unknown>>, parts: Partial<ClusterView> = {}) =>
            ({
                nomad: async (path: string) => (path in answers ? reply(answers[path]) : { status: 403, body: "Permission denied" }),
                agents: async () => ({ found: [], unreachable: [] }),
                allocations: async () => [],
                ...parts,
            }) as unknown as ClusterView;

        it("takes the oldest alive server's version", async () => {
            const view = stub({ "agent/members": { Members: [member("2.0.5"), member("2.0.3"), member("1.10.0", "failed")] } });
            assert.strictEqual((await signerFacts(view)).version, "2.0.3");
        });
        it("knows no version when agent/members is refused", async () => {
            assert.strictEqual((await signerFacts(stub({}))).version, undefined);
        });
        it("takes the vault extra claims of a server, not of a client", async () => {
            const found = [
                { server: false, extraClaims: { from: "client" } },
                { server: true, extraClaims: null },
                { server: true, extraClaims: { from: "server" } },
            ];
            const view = stub({}, { agents: async () => ({ found, unreachable: [] }) as unknown as Agents });
            assert.deepStrictEqual((await signerFacts(view)).vaultExtraClaims, { from: "server" });
        });
        it("says a namespace from servers before 2.0.3, which lack the fields, sent none", async () => {
            const view = stub({ "namespace/default": { Name: "default", Description: "", Meta: null } });
            assert.strictEqual((await namespaceClaims(view, "default")).fieldsSent, false);
        });
        it("finds the node of the job's own allocation, not another job's in its group's name", async () => {
            const alloc = (Namespace: string, JobID: string, NodeID: string) => ({
                Namespace,
                JobID,
                TaskGroup: "api",
                NodeID,
                ClientStatus: "running",
            });
            const allocations = async () => [alloc("other", "api", "n1"), alloc("default", "web", "n2"), alloc("default", "api", "n3")];
            const view = stub({ "node/n3": { Datacenter: "dc3", NodePool: "gpu", NodeClass: "big" } }, { allocations });
            assert.deepStrictEqual(await allocationNode(view, { ID: "api", Namespace: "default" }, "api"), {
                id: "n3",
                datacenter: "dc3",
                pool: "gpu",
                class: "big",
            });
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
            assert.deepStrictEqual(await namespaceClaims(view(), "team"), { required: { a: "1" }, optional: { b: "2" }, fieldsSent: true });
        });
        it("reads a namespace's nil maps as none", async () => {
            assert.deepStrictEqual(await namespaceClaims(view(), "default"), {
                required: undefined,
                optional: undefined,
                fieldsSent: true,
            });
        });
        it("reads a namespace Nomad does not have as one without extra claims", async () => {
            assert.deepStrictEqual(await namespaceClaims(view(), "gone"), { required: undefined, optional: undefined, fieldsSent: false });
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

const SIGNED = "nomad_namespace, nomad_job_id, nomad_task or nomad_service, vault_role, or an extra claim as /extra_claims/<name>";

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
        it("gives the job none of the extra claims predicted for the probe", () => {
            const shaped = shapedByProbe(
                jobClaims,
                { ...predicted, extra_claims: { own: "probe" } },
                { ...real, extra_claims: { own: "probe" } },
            );
            assert.strictEqual(shaped.extra_claims, undefined);
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
            versionRead: true,
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
        const known: TaskClaims = { claims: {}, version: "2.0.5", versionRead: true, probed: false };
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
            assert.deepStrictEqual(problem({ check: "bound_audiences" }).slice(1), [
                "The servers sign this task's identity for an audience role r does not bind: Vault refuses this job's login.",
                "Give the servers' vault.default_identity.aud (or the task's identity) the role's audience, then resubmit the job.",
            ]);
        });
        it("names the issuer to bind", () => {
            assert.deepStrictEqual(problem({ check: "bound_issuer", has: "https://nomad" }).slice(1), [
                "Vault refuses this job's login: the mount's bound_issuer is not the servers' oidc_issuer.",
                'Set bound_issuer of the mount to "https://nomad", or clear it.',
            ]);
        });
        it("says bound_subject admits one workload only", () => {
            assert.deepStrictEqual(problem({ check: "bound_subject" }).slice(1), [
                "Vault refuses this job's login: bound_subject admits one workload's identity only.",
                "Clear r's bound_subject; bind nomad_namespace and nomad_job_id instead.",
            ]);
        });
        it("names the role's field that reads a claim the identity lacks", () => {
            assert.deepStrictEqual(problem({ check: "user_claim" }).slice(1), [
                "Vault refuses this job's login: the role reads a claim this identity does not carry as it needs (user_claim).",
                `Point r's user_claim at a claim Nomad signs as a string: ${SIGNED}.`,
            ]);
        });
        it("explains a user claim the identity lacks by the role's field, not as a bound claim", () => {
            assert.match(problem({ check: "user_claim", claim: "nomad_group", has: undefined })[2], /^Point r's user_claim at a claim/);
        });
        it("says Nomad never signs a claim outside its identities", () => {
            assert.deepStrictEqual(problem({ claim: "nomad_group", has: undefined }).slice(1), [
                'Nomad 2.0.5 never signs "nomad_group" in a workload identity: role r admits no Nomad workload, and every login with it fails.',
                `Bind r to claims Nomad signs: ${SIGNED}.`,
            ]);
        });
        it("reads a JSON pointer by its first segment", () => {
            assert.deepStrictEqual(problem({ claim: "/nomad_task", has: undefined }).slice(1), [
                'Nomad signs "/nomad_task" for other workloads, but not in this task\'s identity: Vault refuses its login.',
                "Use a role whose bound_claims this task's identity carries, or give the task what the claim names (vault.role for vault_role).",
            ]);
        });
        it("takes a pointer that reaches extra_claims further in for no extra claim", () => {
            assert.match(problem({ claim: "/nomad_meta/extra_claims/team", has: undefined })[1], /^Nomad 2\.0\.5 never signs/);
        });
        it("names the namespace and the identity block for a missing extra claim on Nomad 2.0.3 and later", () => {
            assert.deepStrictEqual(problem({ claim: "/extra_claims/team", has: undefined }).slice(1), [
                "The identity carries no extra claim \"team\": Nomad 2.0.5 signs extra claims from the servers' vault.default_identity.extra_claims, the namespace's required_extra_claims, and the optional_extra_claims the identity block names.",
                "Add team to namespace default's required_extra_claims, or to its optional_extra_claims and to task api's identity { extra_claims = [\"team\"] }; then resubmit the job.",
            ]);
        });
        it("says which release it took the servers for when they gave no version", () => {
            const guessed = loginProblem(
                refusal({ claim: "nomad_group", has: undefined }),
                { ...known, version: "2.0.3", versionRead: false },
                names,
            );
            assert.match(guessed[1], /^Nomad \(taken as 2\.0\.3: agent\/members gave no version\) never signs "nomad_group"/);
        });
        it("names the servers' extra claims, or an upgrade, before Nomad 2.0.3", () => {
            assert.deepStrictEqual(problem({ claim: "/extra_claims/team", has: undefined }, "2.0.2").slice(1), [
                "The identity carries no extra claim \"team\": Nomad 2.0.2 signs extra claims from the servers' vault.default_identity.extra_claims only (namespaces' extra claims need Nomad 2.0.3).",
                "Add team to the servers' vault.default_identity.extra_claims, or upgrade Nomad to 2.0.3 or later for namespaces' extra claims.",
            ]);
        });
    });
});
