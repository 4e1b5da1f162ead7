// verify over two Nomad clusters and one Vault (fakeCluster.ts's startFakeClusters): each cluster's
// chain, and the checks across them, on a healthy pair and with one thing broken per test.
import * as assert from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { runCluster } from "../verify/cli";
import { idPart } from "../verify/clusters";
import { runAndPrintClusters, verifyClusters } from "../verify/clustersRun";
import { CheckResult } from "../verify/types";
import { FakeClusters, shareOneMount, startFakeClusters } from "./fakeCluster";
import { KEYS, NOMAD_TOKEN, VAULT_TOKEN } from "./fakeStack";
import { drive } from "./driverHarness";
import { FakeStacks } from "./fakeStackStore";

describe("verify: two Nomad clusters, one Vault", function () {
    this.timeout(30_000);
    let pair: FakeClusters;
    let east: FakeClusters["clusters"][number];
    let west: FakeClusters["clusters"][number];
    beforeEach(async () => {
        pair = await startFakeClusters();
        [east, west] = pair.clusters;
    });
    afterEach(() => pair.close());

    const run = () => verifyClusters(pair.targets());
    /** As vaultnomad-verify sees the clusters: no stack declares their mounts. */
    const runUndeclared = () => verifyClusters(pair.targets().map(({ declaredMount: _d, ...c }) => c));
    const check = async (id: string, results?: CheckResult[]) => (results ?? (await run())).find((r) => r.id === id)!;
    const verdict = (r: CheckResult) => [r.status, r.evidence];
    const advice = (r: CheckResult) => [r.cause, r.fix];

    describe("the healthy pair", () => {
        it("passes every check, with no warning", async () => {
            const results = await run();
            assert.deepStrictEqual(
                results.filter((r) => r.status === "fail" || r.status === "warn").map((r) => r.id),
                [],
            );
        });
        it("runs each cluster's whole chain, named by the cluster", async () => {
            const ids = (await run()).map((r) => r.id);
            assert.deepStrictEqual(
                ["east-agents", "west-agents", "east-accessor-drift", "west-accessor-drift"].filter((id) => !ids.includes(id)),
                [],
            );
        });
        it("says which mount each cluster's agents use", async () => {
            assert.deepStrictEqual(verdict(await check("east-mount")), [
                "pass",
                "cluster east: agents log tasks in at jwt-nomad-east/, which trusts east's keys",
            ]);
        });
        it("titles each check by its cluster or mount", async () => {
            const results = await run();
            assert.deepStrictEqual(
                ["east-agents", "east-mount", "mount-jwt-nomad-east-keys", "shared-aliases"].map(
                    (id) => results.find((r) => r.id === id)!.title,
                ),
                [
                    "east: Every Nomad agent has Vault enabled, servers a default identity, all one audience",
                    "cluster east: its agents' JWT mount trusts its keys",
                    "mount jwt-nomad-east: its JWKS are its clusters'",
                    "job IDs in several clusters keep their own entity aliases",
                ],
            );
        });
        it("says no job ID shares an alias", async () => {
            assert.deepStrictEqual(verdict(await check("shared-aliases")), [
                "pass",
                "no job ID logs in from two clusters at one mount keyed by nomad_job_id",
            ]);
        });
        it("takes an agent's JWT path with trailing slashes as the mount's", async () => {
            east.world.agentJwtPath = "jwt-nomad-east//";
            assert.strictEqual((await check("east-mount")).status, "pass");
        });
        it("says whose keys each mount's JWKS serves", async () => {
            assert.deepStrictEqual(verdict(await check("mount-jwt-nomad-west-keys")), [
                "pass",
                `mount jwt-nomad-west: ${west.jwksUrl}: west's keys`,
            ]);
        });
        it("prints one JSON document that the result schema accepts", async () => {
            const lines: string[] = [];
            await runAndPrintClusters("clusters", pair.targets(), { json: true }, (text) => lines.push(text));
            const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "verify/result.schema.json"), "utf8"));
            const validate = new Ajv({ strict: false }).compile(schema);
            assert.deepStrictEqual([lines.length, validate(JSON.parse(lines[0])), validate.errors ?? null], [1, true, null]);
        });
    });

    describe("a cluster's agents at the other cluster's mount", () => {
        beforeEach(() => {
            east.world.agentJwtPath = "jwt-nomad-west";
        });
        it("says why its tasks cannot log in", async () => {
            assert.strictEqual(
                (await check("east-mount")).cause,
                "Its tasks log in at another cluster's mount: Vault refuses their identities (error verifying token signature).",
            );
        });
        it("names no owner of a mount that is no cluster's", async () => {
            east.world.agentJwtPath = "jwt-other";
            const result = await check("east-mount");
            assert.deepStrictEqual(
                [result.evidence, result.cause],
                [
                    "cluster east: its agents log tasks in at jwt-other/, the stack's mount for east is jwt-nomad-east/",
                    "Its tasks log in at another cluster's mount: Vault refuses their identities (error verifying token signature).",
                ],
            );
        });
        it("fails agents at a shared mount that trusts their keys, when the stack gives them their own", async () => {
            shareOneMount(pair);
            const targets = pair.targets().map((c) => ({ ...c, declaredMount: `jwt-nomad-${c.name}` }));
            const result = (await verifyClusters(targets)).find((r) => r.id === "east-mount")!;
            assert.deepStrictEqual(
                [result.evidence, result.cause],
                [
                    "cluster east: its agents log tasks in at jwt-nomad/, the stack's mount for east is jwt-nomad-east/ (jwt-nomad/ is cluster west's)",
                    "Its tasks log in at another cluster's mount: they share its entity aliases and policies.",
                ],
            );
        });
        it("still checks the mount the stack gives it", async () => {
            assert.strictEqual((await check("mount-jwt-nomad-east-keys")).status, "pass");
        });
        it("fails, naming the cluster and the mount the stack gives it", async () => {
            assert.deepStrictEqual(verdict(await check("east-mount")), [
                "fail",
                "cluster east: its agents log tasks in at jwt-nomad-west/, the stack's mount for east is jwt-nomad-east/ (jwt-nomad-west/ is cluster west's)",
            ]);
        });
        it("tells how to point the agents back", async () => {
            assert.strictEqual(
                (await check("east-mount")).fix,
                `Set vault { jwt_auth_backend_path = "jwt-nomad-east" } on cluster east's agents (stack output nomadClusters.east.nomadClientVaultConfig), and restart them.`,
            );
        });
        it("fails without a stack too, naming whose keys that mount trusts", async () => {
            assert.deepStrictEqual(verdict(await check("east-mount", await runUndeclared())), [
                "fail",
                "cluster east: its agents log tasks in at jwt-nomad-west/, which trusts cluster west's keys, not east's",
            ]);
        });
        it("says, without a stack, why and where to point the agents", async () => {
            assert.deepStrictEqual(advice(await check("east-mount", await runUndeclared())), [
                "Vault refuses every login of this cluster's tasks there (error verifying token signature).",
                "Point cluster east's agents' vault.jwt_auth_backend_path at a mount whose JWKS is east's, not jwt-nomad-west.",
            ]);
        });
        it("leaves the other cluster passing", async () => {
            assert.strictEqual((await check("west-mount")).status, "pass");
        });
    });

    describe("a mount whose JWKS URL serves the other cluster's keys", () => {
        beforeEach(() => {
            Object.assign(west.world, { jwksUrl: east.jwksUrl, vaultCachedKids: [east.key.kid] });
        });
        it("fails, naming the mount and whose keys it serves", async () => {
            assert.deepStrictEqual(verdict(await check("mount-jwt-nomad-west-keys")), [
                "fail",
                `mount jwt-nomad-west: ${east.jwksUrl} serves cluster east's keys, not west's`,
            ]);
        });
        it("fails the cluster whose agents log in there", async () => {
            assert.deepStrictEqual(verdict(await check("west-mount")), [
                "fail",
                "cluster west: its agents log tasks in at jwt-nomad-west/, which trusts cluster east's keys, not west's",
            ]);
        });
        it("says what that lets through, and how to mend it", async () => {
            assert.deepStrictEqual(advice(await check("mount-jwt-nomad-west-keys")), [
                "The mount trusts another cluster's identities: that cluster's tasks can log in at jwt-nomad-west with its roles, and west's cannot.",
                "Set jwt-nomad-west's jwks_url to cluster west's JWKS (its Nomad's /.well-known/jwks.json), or its static keys to that cluster's.",
            ]);
        });
        it("leaves the other mount passing", async () => {
            assert.strictEqual((await check("mount-jwt-nomad-east-keys")).status, "pass");
        });
    });

    describe("static keys", () => {
        it("pass when they are the cluster's", async () => {
            const pem = west.key.publicKey.export({ type: "spki", format: "pem" }).toString();
            Object.assign(west.world, { jwtValidationPubkeys: [pem] });
            assert.deepStrictEqual(verdict(await check("mount-jwt-nomad-west-keys")), [
                "pass",
                "mount jwt-nomad-west: jwt_validation_pubkeys: west's keys",
            ]);
        });
        it("pass the mount when they are no cluster's, and fail its cluster", async () => {
            const pem = KEYS.rogue.publicKey.export({ type: "spki", format: "pem" }).toString();
            Object.assign(west.world, { jwtValidationPubkeys: [pem] });
            const results = await run();
            assert.deepStrictEqual(
                [verdict(await check("mount-jwt-nomad-west-keys", results)), verdict(await check("west-mount", results))],
                [
                    ["pass", "mount jwt-nomad-west: jwt_validation_pubkeys: no cluster's keys"],
                    ["fail", "cluster west: its agents log tasks in at jwt-nomad-west/, which trusts none of its keys, not west's"],
                ],
            );
        });
        it("fail the mount when they are the other cluster's", async () => {
            const pem = east.key.publicKey.export({ type: "spki", format: "pem" }).toString();
            Object.assign(west.world, { jwtValidationPubkeys: [pem] });
            assert.strictEqual(
                (await check("mount-jwt-nomad-west-keys")).evidence,
                "mount jwt-nomad-west: jwt_validation_pubkeys serves cluster east's keys, not west's",
            );
        });
    });

    describe("one mount with jwks_pairs", () => {
        beforeEach(() => shareOneMount(pair));
        it("fails nothing, and warns only of the entity alias both clusters' job shares", async () => {
            const results = await run();
            assert.deepStrictEqual(
                results.filter((r) => r.status === "fail" || r.status === "warn").map((r) => r.id),
                ["shared-aliases"],
            );
        });
        it("passes each cluster, whose keys are among the pairs", async () => {
            const results = await run();
            assert.deepStrictEqual(
                [(await check("east-mount", results)).status, (await check("west-mount", results)).status],
                ["pass", "pass"],
            );
        });
        it("says each pair's cluster", async () => {
            assert.deepStrictEqual(verdict(await check("mount-jwt-nomad-keys")), [
                "pass",
                `mount jwt-nomad: ${east.jwksUrl}: east's keys; ${west.jwksUrl}: west's keys`,
            ]);
        });
        it("warns that the job ID both clusters run shares one entity alias", async () => {
            assert.deepStrictEqual(verdict(await check("shared-aliases")), [
                "warn",
                "job api runs in east and west, logging in at jwt-nomad/ with user_claim /nomad_job_id",
            ]);
        });
        it("says what sharing an alias means, and how to keep them apart", async () => {
            assert.deepStrictEqual(advice(await check("shared-aliases")), [
                "Vault keys an entity alias by mount and user claim: the jobs of clusters east and west named api are one entity, sharing its alias metadata and whatever the templated policy grants by it.",
                "Give each cluster its own mount (nomadClustersLayout: mount-per-cluster), or give the jobs distinct IDs.",
            ]);
        });
        it("warns for a user_claim without the JSON pointer's slash too", async () => {
            east.world.role = { ...east.world.role, user_claim: "nomad_job_id" };
            assert.strictEqual((await check("shared-aliases")).status, "warn");
        });
        it("does not warn for a claim that only begins like nomad_job_id", async () => {
            east.world.role = { ...east.world.role, user_claim: "/nomad_job_id_hash" };
            assert.strictEqual((await check("shared-aliases")).status, "pass");
        });
        it("does not warn for a claim that only ends like nomad_job_id", async () => {
            east.world.role = { ...east.world.role, user_claim: "/parent_nomad_job_id" };
            assert.strictEqual((await check("shared-aliases")).status, "pass");
        });
        it("names only the clusters that run the shared job ID", async () => {
            const third = await startFakeClusters(["north"]);
            try {
                const [north] = third.clusters;
                Object.assign(north.world, { agentJwtPath: "jwt-nomad", jobs: [{ ...north.world.jobs[0], ID: "other" }] });
                const [northTarget] = third.targets();
                const targets = [
                    ...pair.targets(),
                    { ...northTarget, declaredMount: "jwt-nomad", target: { ...northTarget.target, vaultAddress: pair.vault.address } },
                ];
                const results = await verifyClusters(targets);
                assert.strictEqual(
                    results.find((r) => r.id === "shared-aliases")!.evidence,
                    "job api runs in east and west, logging in at jwt-nomad/ with user_claim /nomad_job_id",
                );
            } finally {
                await third.close();
            }
        });
        it("does not warn when the clusters' job IDs differ", async () => {
            west.world.jobs = [{ ...west.world.jobs[0], ID: "api-west" }];
            assert.strictEqual((await check("shared-aliases")).status, "pass");
        });
        it("does not warn when the role keys aliases by another claim", async () => {
            east.world.role = { ...east.world.role, user_claim: "/nomad_allocation_id" };
            assert.strictEqual((await check("shared-aliases")).status, "pass");
        });
        it("fails the cluster whose JWKS is not among the pairs", async () => {
            east.world.authConfig = { ...east.world.authConfig, jwks_pairs: [{ jwks_ca_pem: "", jwks_url: east.jwksUrl }] };
            assert.deepStrictEqual(verdict(await check("west-mount")), [
                "fail",
                "cluster west: its agents log tasks in at jwt-nomad/, which trusts cluster east's keys, not west's",
            ]);
        });
    });

    describe("what cannot be read", () => {
        it("says why an unread JWKS stops the check", async () => {
            east.world.jwksPath = "/moved";
            assert.deepStrictEqual(advice(await check("east-mount")), [
                "Without its keys no mount can be judged.",
                "See this cluster's jwks checks.",
            ]);
        });
        it("says why an unread mount stops the check", async () => {
            west.world.mount = "jwt-gone";
            assert.deepStrictEqual(advice(await check("mount-jwt-nomad-west-keys")), [
                "The mount's keys cannot be judged.",
                "See the audience and JWKS checks of the clusters that use it.",
            ]);
        });
        it("says why agents without Vault stop the check", async () => {
            east.world.vaultEnabled = false;
            assert.deepStrictEqual(advice(await check("east-mount")), [
                "Its agents have no vault block with Vault enabled.",
                "See this cluster's agents check.",
            ]);
        });
        it("fails a cluster whose JWKS does not answer", async () => {
            east.world.jwksPath = "/moved";
            assert.match((await check("east-mount")).evidence, /^cluster east: its JWKS was not read \(HTTP 404 Not Found\)$/);
        });
        it("fails a mount Vault does not have", async () => {
            west.world.mount = "jwt-gone";
            assert.match(
                (await check("mount-jwt-nomad-west-keys")).evidence,
                /^mount jwt-nomad-west: auth\/jwt-nomad-west\/config not read/,
            );
        });
        it("fails a cluster whose agents name no JWT path", async () => {
            east.world.vaultEnabled = false;
            assert.strictEqual((await check("east-mount")).evidence, "cluster east: no agent names a JWT path");
        });
        it("reads a mount of a JWT plugin older than jwks_pairs, whose config has no such field", async () => {
            west.world.authConfig = { jwks_pairs: undefined };
            assert.deepStrictEqual(verdict(await check("mount-jwt-nomad-west-keys")), [
                "pass",
                `mount jwt-nomad-west: ${west.jwksUrl}: west's keys`,
            ]);
        });
        it("reads a mount whose config lists no static keys at all", async () => {
            west.world.authConfig = { jwt_validation_pubkeys: undefined };
            assert.deepStrictEqual(verdict(await check("mount-jwt-nomad-west-keys")), [
                "pass",
                `mount jwt-nomad-west: ${west.jwksUrl}: west's keys`,
            ]);
        });
        it("says a JWKS URL it could not fetch", async () => {
            west.world.jwksUrl = `${west.nomad.address}/moved`;
            assert.match(
                (await check("mount-jwt-nomad-west-keys")).evidence,
                /^mount jwt-nomad-west: http:\/\/[\d.:]+\/moved: not fetched \(HTTP 404 Not Found\)$/,
            );
        });
    });

    it("makes check ids of names with other characters", () => {
        assert.strictEqual(idPart("Nomad.West__1"), "nomad-west-1");
    });

    describe("vaultnomad-verify", () => {
        const env = () => ({ VAULT_ADDR: pair.vault.address, VAULT_TOKEN, NOMAD_TOKEN });
        /** The exit code and the JSON document of a run with `args`. */
        const cli = async (args: string[]) => {
            const out: string[] = [];
            const code = await runCluster([...args, "--json"], { env: env(), out: (t) => out.push(t), err: (t) => out.push(t) });
            return { code, document: JSON.parse(out[out.length - 1]), lines: out.length };
        };
        const addrs = () => pair.clusters.flatMap((c) => ["--nomad-addr", `${c.name}=${c.nomad.address}`]);
        const failed = (document: { checks: CheckResult[] }) => document.checks.filter((c) => c.status === "fail").map((c) => c.id);

        it("passes the healthy pair given --nomad-addr twice, printing one JSON document only", async () => {
            const { code, document, lines } = await cli(addrs());
            assert.deepStrictEqual([code, failed(document), document.stack, lines], [0, [], "clusters east, west", 1]);
        });
        it("fails, naming the cluster, when its agents point at the other's mount", async () => {
            east.world.agentJwtPath = "jwt-nomad-west";
            const { code, document } = await cli(addrs());
            assert.deepStrictEqual([code, failed(document)], [1, ["east-mount"]]);
        });
        it("says what it expects of each cluster, named, in text", async () => {
            const out: string[] = [];
            await runCluster(addrs(), { env: env(), out: (t) => out.push(t), err: (t) => out.push(t) });
            assert.deepStrictEqual(
                out.filter((line) => line.startsWith("expect: ") && line.includes("JWT mount")).map((line) => line.split(" (")[0]),
                ["expect: east: JWT mount jwt-nomad-east/", "expect: west: JWT mount jwt-nomad-west/"],
            );
        });
        it("checks one named cluster as one of several", async () => {
            const { code, document } = await cli(["--nomad-addr", `east=${east.nomad.address}`]);
            assert.deepStrictEqual(
                [code, document.stack, document.checks.some((c: CheckResult) => c.id === "east-mount")],
                [0, "clusters east", true],
            );
        });
        it("reads the clusters from a file, with the connection flags' names", async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clusters-")), "clusters.json");
            fs.writeFileSync(file, JSON.stringify(pair.clusters.map((c) => ({ name: c.name, "nomad-addr": c.nomad.address }))));
            const { code, document } = await cli(["--clusters", file]);
            assert.deepStrictEqual([code, document.checks.some((c: CheckResult) => c.id === "west-mount")], [0, true]);
        });
        it("names clusters by their host when not named, and refuses two of one name", async () => {
            const { code, document } = await cli(pair.clusters.flatMap((c) => ["--nomad-addr", c.nomad.address]));
            assert.deepStrictEqual(
                [code, document.error],
                [2, "two clusters are named 127.0.0.1: name each, as --nomad-addr name=address."],
            );
        });
        it("refuses a file entry with a flag of Vault's, which the clusters share", async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clusters-")), "clusters.json");
            fs.writeFileSync(file, JSON.stringify([{ name: "east", "nomad-addr": east.nomad.address, "vault-addr": "x" }]));
            const { code, document } = await cli(["--clusters", file]);
            assert.deepStrictEqual(
                [code, document.error],
                [
                    2,
                    `--clusters ${file}: entry 0 wants a name, a nomad-addr and only nomad-token, nomad-region, nomad-namespace, nomad-cacert, nomad-client-cert, nomad-client-key, nomad-skip-verify (not vault-addr).`,
                ],
            );
        });
    });

    describe("npm run verify of a stack over both clusters", () => {
        const stacks = (layout = "mount-per-cluster") => {
            const clusters = pair.clusters.map((c) => ({ name: c.name, address: c.nomad.address, token: NOMAD_TOKEN }));
            const config = Object.fromEntries(
                Object.entries({
                    mode: "external",
                    vaultAddress: pair.vault.address,
                    vaultToken: VAULT_TOKEN,
                    nomadClusters: JSON.stringify(clusters),
                    nomadClustersLayout: layout,
                }).map(([key, value]) => [`vaultnomad:${key}`, { value, secret: key === "vaultToken" || key === "nomadClusters" }]),
            );
            const outputs = {
                vaultAddress: { value: pair.vault.address, secret: false },
                nomadAddress: { value: pair.clusters[0].nomad.address, secret: false },
                vaultToken: { value: VAULT_TOKEN, secret: true },
            };
            return new FakeStacks().add("prod", { config, outputs });
        };
        const failedLines = (out: string) => out.split("\n").filter((line) => line.startsWith("FAIL"));

        it("passes the healthy pair, checking each cluster's chain", async () => {
            const { code, out } = await drive(["verify", "--stack", "prod"], { stacks: stacks() });
            assert.deepStrictEqual([code, failedLines(out), /^PASS  west-audience /m.test(out)], [0, [], true]);
        });
        it("fails, naming the cluster, when its agents point at the other's mount", async () => {
            east.world.agentJwtPath = "jwt-nomad-west";
            const { code, out } = await drive(["verify", "--stack", "prod"], { stacks: stacks() });
            assert.deepStrictEqual(
                [code, failedLines(out)],
                [
                    1,
                    [
                        "FAIL  east-mount       cluster east: its agents' JWT mount trusts its keys: cluster east: its agents log tasks in at jwt-nomad-west/, the stack's mount for east is jwt-nomad-east/ (jwt-nomad-west/ is cluster west's)",
                    ],
                ],
            );
        });
        it("expects the one mount of the jwks-pairs layout", async () => {
            shareOneMount(pair);
            const { out } = await drive(["verify", "--stack", "prod"], { stacks: stacks("jwks-pairs") });
            const verdicts = ["east-mount", "west-mount", "mount-jwt-nomad-keys", "shared-aliases"].map(
                (id) => new RegExp(`^(\\w+) +${id} `, "m").exec(out)?.[1],
            );
            assert.deepStrictEqual(verdicts, ["PASS", "PASS", "PASS", "WARN"]);
        });
    });
});
