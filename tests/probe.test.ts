// The probe job (verify/probe.ts) against a fake Nomad that answers each step with its real bodies:
// what it asks Nomad to run, the identity it hands back, and each way it stops.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { createProbe, PROBE_JOB } from "../verify/probe";
import { ProbeSettings, Target } from "../verify/types";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { readFixture, served } from "./apiFixtures";
import { closedAddresses, FakeReply, FakeServer, fakeServer } from "./fakeHttp";

/** What the probe hands back: the identity, or why there is none. */
type Outcome = { readonly jwt?: string; readonly error?: string; readonly cause?: string; readonly fix?: string };

const [ALLOC] = readFixture("nomad.job-allocations").body;
const IDENTITY = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9iZSJ9.c2ln";
const tlsFile = (name: string) => fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/tls", name), "utf8");

interface Script {
    register?: FakeReply;
    /** The allocations of the probe job, read after read (the last one repeats). */
    allocs?: Array<Array<Record<string, unknown>> | FakeReply>;
    logs?: FakeReply;
}

/** A fake Nomad that runs the probe as `script` says. */
function probeNomad(script: Script = {}): Promise<FakeServer> {
    let reads = 0;
    const allocs = script.allocs ?? [[{ ClientStatus: "complete" }]];
    return fakeServer((req) => {
        const route = req.url.split("?")[0];
        if (req.method === "POST" && route === "/v1/jobs") {
            return script.register ?? served("nomad.jobs-register");
        }
        if (req.method === "DELETE") {
            return served("nomad.job-deregister");
        }
        if (route === `/v1/job/${PROBE_JOB}/allocations`) {
            const next = allocs[Math.min(reads++, allocs.length - 1)];
            return Array.isArray(next)
                ? served("nomad.job-allocations", () => next.map((fields) => ({ ...ALLOC, JobID: PROBE_JOB, ...fields })))
                : next;
        }
        if (route.startsWith("/v1/client/fs/logs/")) {
            return script.logs ?? { status: 200, body: ` ${IDENTITY}\n`, contentType: "text/plain" };
        }
        return { status: 404, body: "Not found", contentType: "text/plain" };
    });
}

describe("the probe", function () {
    this.timeout(20_000);
    let nomad: FakeServer | undefined;
    afterEach(async () => {
        await nomad?.close();
        nomad = undefined;
    });
    const target = (address = nomad!.address) => ({ nomadAddress: address, nomadToken: "n", nomadNamespace: "team" }) as Target;
    const identity = (settings: Partial<ProbeSettings> = {}, onStart?: (message: string) => void): Promise<Outcome> =>
        createProbe(target(), { audience: "vault.io", intervalMs: 5, ...settings }, onStart).identity();
    const registered = () => JSON.parse(nomad!.requests.find((r) => r.method === "POST")!.body).Job;

    it("asks Nomad to run one docker task once, anywhere, in the namespace checked", async () => {
        nomad = await probeNomad();
        await identity();
        const job = registered();
        const [group] = job.TaskGroups;
        const [task] = group.Tasks;
        assert.deepStrictEqual(
            {
                url: nomad.requests.find((r) => r.method === "POST")!.url,
                job: [job.Type, job.Datacenters, job.Namespace],
                group: [group.Name, group.Count, group.RestartPolicy, group.ReschedulePolicy],
                task: [task.Name, task.Driver, task.Config.image, task.Resources],
            },
            {
                url: "/v1/jobs?namespace=team",
                job: ["batch", ["*"], "team"],
                group: ["probe", 1, { Attempts: 0, Mode: "fail" }, { Attempts: 0, Unlimited: false }],
                task: ["probe", "docker", "busybox:1.36", { CPU: 50, MemoryMB: 32 }],
            },
        );
    });
    it("runs the image asked for", async () => {
        nomad = await probeNomad();
        await identity({ image: "registry.internal/busybox:1.36" });
        assert.strictEqual(registered().TaskGroups[0].Tasks[0].Config.image, "registry.internal/busybox:1.36");
    });
    it("says it is running, where, and for how long at most", async () => {
        nomad = await probeNomad();
        const said: string[] = [];
        await identity({ timeoutMs: 30_000 }, (message) => said.push(message));
        assert.deepStrictEqual(said, [`running the probe job ${PROBE_JOB} in namespace team (up to 30 s)`]);
    });
    it("hands back the identity the task printed, read from the job's namespace, and purges the job", async () => {
        nomad = await probeNomad();
        const got = await identity();
        assert.deepStrictEqual(
            [got, nomad.requests.filter((r) => /\/logs\/|DELETE/.test(`${r.url} ${r.method}`)).map((r) => `${r.method} ${r.url}`)],
            [
                { jwt: IDENTITY },
                [
                    `GET /v1/client/fs/logs/${ALLOC.ID}?task=probe&type=stdout&plain=true&origin=start&namespace=team`,
                    `DELETE /v1/job/${PROBE_JOB}?purge=true&namespace=team`,
                ],
            ],
        );
    });
    it("runs the job once however many checks ask", async () => {
        nomad = await probeNomad();
        const probe = createProbe(target(), { audience: "vault.io", intervalMs: 5 });
        await Promise.all([probe.identity(), probe.identity()]);
        assert.strictEqual(nomad.requests.filter((r) => r.method === "POST").length, 1);
    });
    it("names an allocation that printed no identity, and why Nomad gives none", async () => {
        nomad = await probeNomad({ logs: { status: 404, body: "no such file", contentType: "text/plain" } });
        assert.deepStrictEqual(await identity(), {
            error: `the probe's allocation ${ALLOC.ID.slice(0, 8)} printed no identity (HTTP 404 no such file)`,
            cause: "Nomad gave the task no NOMAD_TOKEN_vault_default: the agent has no vault.default_identity, or the job's identity was refused.",
            fix: `nomad job status -namespace=<ns> ${PROBE_JOB}`,
        });
    });
    for (const status of ["failed", "lost"]) {
        it(`names a ${status} allocation by its last event`, async () => {
            nomad = await probeNomad({ allocs: [[{ ClientStatus: status }]] });
            const got = await identity();
            assert.deepStrictEqual(
                [got.error, got.cause],
                [
                    `the probe's allocation ${ALLOC.ID.slice(0, 8)} ${status}; Started: Task started by client`,
                    "The probe task did not run; its last event says why (image pull, docker driver, or identity).",
                ],
            );
        });
    }
    it("gives up when no client runs it in time, naming the allocation's last state", async () => {
        nomad = await probeNomad({ allocs: [[], [{ ClientStatus: "pending" }]] });
        assert.deepStrictEqual(await identity({ timeoutMs: 100 }), {
            error: `the probe job did not complete within 0 s (allocation ${ALLOC.ID.slice(0, 8)} pending)`,
            cause: "No client ran the probe in time: no ready client with the docker driver in the job's datacenters, or the image is still pulling.",
            fix: `nomad node status; nomad job status ${PROBE_JOB}`,
        });
    });
    it("says no allocation was placed when none was", async () => {
        nomad = await probeNomad({ allocs: [[]] });
        assert.match((await identity({ timeoutMs: 50 })).error!, /\(no allocation placed\)$/);
    });
    it("stops on a read verify's token may not make, naming it", async () => {
        nomad = await probeNomad({ allocs: [served("nomad.error-permission-denied")] });
        assert.deepStrictEqual(await identity(), {
            error: `the probe stopped: Nomad refuses verify's token namespace read-job on /v1/job/${PROBE_JOB}/allocations`,
            cause: "verify hit an unexpected error while running the probe job.",
            fix: `nomad job status -namespace=<ns> ${PROBE_JOB}`,
        });
    });

    describe("when Nomad does not take the job", () => {
        it("names a token that may not submit it", async () => {
            nomad = await probeNomad({ register: served("nomad.error-permission-denied") });
            const got = await identity();
            assert.deepStrictEqual(
                [got.cause, got.fix],
                [
                    "Nomad refuses the stack's token (Permission denied): it is stale, or may not submit jobs in namespace team.",
                    "Use a management token (NOMAD_TOKEN, or the stack's nomadToken output); a stale stack token is renewed by `npm run stack -- up`.",
                ],
            );
        });
        it("names a job Nomad refused, and how to see why", async () => {
            nomad = await probeNomad({
                register: { status: 400, body: "1 error occurred: missing datacenters", contentType: "text/plain" },
            });
            const got = await identity();
            assert.deepStrictEqual(
                [got.error, got.cause, got.fix],
                [
                    "registering the probe job: HTTP 400 1 error occurred: missing datacenters",
                    "Nomad did not accept the probe job.",
                    "Read Nomad's answer above; nomad job validate shows the same.",
                ],
            );
        });
        it("names a TLS connection it cannot make", async () => {
            nomad = await fakeServer(() => served("nomad.jobs-register"), { cert: tlsFile("server.pem"), key: tlsFile("server.key") });
            const got = await identity();
            assert.deepStrictEqual(
                [got.cause?.split(":")[0], got.fix],
                [
                    "verify cannot make a TLS connection to Nomad",
                    "pulumi config set nomadCaPem / nomadClientCertPem / nomadClientKeyPem for the cluster's TLS.",
                ],
            );
        });
        it("takes a Nomad that does not answer as not taking the job", async () => {
            const [gone] = await closedAddresses(1);
            const got: Outcome = await createProbe(target(gone), { audience: "vault.io" }).identity();
            assert.deepStrictEqual(
                [got.error, got.cause],
                ["registering the probe job: no answer (ECONNREFUSED)", "Nomad did not accept the probe job."],
            );
        });
    });
});
