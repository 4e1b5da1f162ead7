// review up on existing clusters: the branch's stack made from an external stack over several Nomad
// clusters, on the one chosen, with Vault names of its own.
import * as assert from "assert";
import { ConfigMap } from "@pulumi/pulumi/automation";
import { EXIT } from "../automation/exitCodes";
import { externalReviewConfig } from "../automation/reviewExternal";
import { stackNameForBranch } from "../automation/reviewStacks";
import { loadSettings } from "../settings";
import { drive, healthyProbes } from "./driverHarness";
import { FakeStacks } from "./fakeStackStore";

const CLUSTERS = [
    { name: "east", address: "https://nomad-east:4646", token: "east-token" },
    { name: "west", address: "https://nomad-west:4646", token: "west-token" },
];
const job = (id: string) => `job "${id}" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n    }\n  }\n}\n`;
const WORKLOADS = [
    {
        source: job("api"),
        clusters: ["east", "west"],
        namespace: "team",
        role: { name: "api-db", grants: [{ path: "kv/data/x", capabilities: ["read"] }] },
    },
    { source: job("worker"), clusters: ["west"], namespace: "ops" },
];
const BASE: ConfigMap = {
    "vaultnomad:mode": { value: "external" },
    "vaultnomad:vaultAddress": { value: "https://vault:8200" },
    "vaultnomad:vaultToken": { value: "hvs.op", secret: true },
    "vaultnomad:nomadClusters": { value: JSON.stringify(CLUSTERS), secret: true },
    "vaultnomad:workloads": { value: JSON.stringify(WORKLOADS) },
    "vaultnomad:namespaces": { value: JSON.stringify({ team: { description: "Team" }, ops: { description: "Ops" } }) },
};
const STACK = "review-feat-x";

const review = (cluster = "east", base = BASE) => externalReviewConfig(base, "prod", cluster, STACK, "feat/x");
const value = (config: ConfigMap, key: string) => config[`vaultnomad:${key}`]?.value;
const settingsOf = (config: ConfigMap) =>
    loadSettings(Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value])), STACK);

describe("review stacks on existing clusters", () => {
    describe("their config", () => {
        it("keeps only the chosen cluster", () => {
            assert.deepStrictEqual(JSON.parse(value(review(), "nomadClusters")!), [CLUSTERS[0]]);
        });
        it("keeps the clusters' tokens encrypted", () => {
            assert.strictEqual(review()["vaultnomad:nomadClusters"].secret, true);
        });
        it("gives its mount and policy names of its own", () => {
            const settings = settingsOf(review());
            assert.deepStrictEqual([settings.jwtAuthPath, settings.policyName], [`jwt-nomad-${STACK}`, `nomad-workloads-${STACK}`]);
        });
        it("keeps the workloads that run in the chosen cluster, their roles renamed", () => {
            const workloads = JSON.parse(value(review(), "workloads")!);
            assert.deepStrictEqual(
                workloads.map((w: any) => [w.clusters, w.role?.name]),
                [[["east"], `api-db-${STACK}`]],
            );
        });
        it("keeps the description of the namespaces its workloads use only", () => {
            assert.deepStrictEqual(Object.keys(JSON.parse(value(review(), "namespaces")!)), ["team"]);
        });
        it("sets no workloads where none runs in the cluster", () => {
            const base = { ...BASE, "vaultnomad:workloads": { value: JSON.stringify([WORKLOADS[1]]) } };
            assert.deepStrictEqual(
                [value(review("east", base), "workloads"), value(review("east", base), "namespaces")],
                [undefined, undefined],
            );
        });
        it("records the branch", () => {
            assert.strictEqual(value(review(), "reviewBranch"), "feat/x");
        });
        it("is a configuration the program accepts", () => {
            assert.deepStrictEqual(
                settingsOf(review("west")).nomadClusters.map((c) => c.name),
                ["west"],
            );
        });
        it("refuses a cluster the stack does not have, naming those it has", () => {
            assert.throws(() => review("north"), { message: "--cluster north: prod has no such cluster; it has east, west." });
        });
        it("refuses a demo stack, even with clusters", () => {
            assert.throws(
                () => review("east", { ...BASE, "vaultnomad:mode": { value: "demo" } }),
                /^Error: --from prod: not an external stack/,
            );
        });
        it("refuses clusters that are not JSON", () => {
            assert.throws(
                () => review("east", { ...BASE, "vaultnomad:nomadClusters": { value: "east" } }),
                /not an external stack over several clusters/,
            );
        });
        it("keeps the names it adds in plain text", () => {
            assert.strictEqual(review()["vaultnomad:jwtAuthPath"].secret, false);
        });
        it("needs neither workloads nor namespaces in the base", () => {
            const base = { "vaultnomad:mode": BASE["vaultnomad:mode"], "vaultnomad:nomadClusters": BASE["vaultnomad:nomadClusters"] };
            const config = review("east", base);
            assert.deepStrictEqual([value(config, "workloads"), value(config, "namespaces")], [undefined, undefined]);
        });
        it("counts a workload without a namespace in the stack's job namespace", () => {
            const base = {
                ...BASE,
                "vaultnomad:jobNamespace": { value: "apps" },
                "vaultnomad:workloads": { value: JSON.stringify([{ source: job("api"), clusters: ["east"] }]) },
                "vaultnomad:namespaces": { value: JSON.stringify({ apps: { description: "Apps" }, ops: { description: "Ops" } }) },
            };
            assert.deepStrictEqual(Object.keys(JSON.parse(value(review("east", base), "namespaces")!)), ["apps"]);
        });
        it("refuses a base stack that is not over several clusters", () => {
            assert.throws(() => review("east", { "vaultnomad:mode": { value: "external" } }), {
                message: "--from prod: not an external stack over several clusters (it sets no nomadClusters).",
            });
        });
    });

    describe("review up --from --cluster", () => {
        const upOnEast = async () => {
            const stacks = new FakeStacks().add("prod", { config: BASE });
            const run = await drive(["review", "up", "--from", "prod", "--cluster", "east", "--skip-reachability"], {
                stacks,
                probes: {
                    ...healthyProbes,
                    dockerPing: async () => {
                        throw new Error("no Docker engine here");
                    },
                },
            });
            return { ...run, created: stacks.stacks.get(stackNameForBranch("feat/jwt"))! };
        };
        it("creates the branch's stack from the base and runs up, without Docker or ports", async () => {
            const { code, created } = await upOnEast();
            assert.deepStrictEqual([code, JSON.parse(created.config["vaultnomad:nomadClusters"].value)[0].name], [EXIT.ok, "east"]);
        });
        it("says which stack, branch, base and cluster", async () => {
            const { out } = await upOnEast();
            assert.match(
                out,
                new RegExp(`Review stack ${stackNameForBranch("feat/jwt")} for branch feat/jwt: prod's Vault and its cluster east`),
            );
        });
        it("wants both --from and --cluster (exit 2)", async () => {
            const { code, err } = await drive(["review", "up", "--cluster", "east"], { stacks: new FakeStacks() });
            assert.deepStrictEqual(
                [code, err.split("\n")[0]],
                [EXIT.usage, "review up on existing clusters takes both --from <stack> and --cluster <name>."],
            );
        });
    });

    describe("preflight of a stack over several clusters", () => {
        it("asks each cluster's Nomad and Vault whether they answer, and no nomadAddress", async () => {
            const asked: string[] = [];
            const stacks = new FakeStacks().add("prod", { config: BASE });
            const { code } = await drive(["up", "--stack", "prod"], {
                stacks,
                probes: { ...healthyProbes, httpAnswers: async (url) => void asked.push(url) },
            });
            assert.deepStrictEqual(
                [code, asked],
                [
                    EXIT.ok,
                    [
                        "https://nomad-east:4646/v1/status/leader",
                        "https://nomad-west:4646/v1/status/leader",
                        "https://vault:8200/v1/sys/health",
                    ],
                ],
            );
        });
        it("names the key to check when a cluster's Nomad does not answer", async () => {
            const stacks = new FakeStacks().add("prod", { config: BASE });
            const { code, err } = await drive(["up", "--stack", "prod"], {
                stacks,
                probes: {
                    ...healthyProbes,
                    httpAnswers: async (url) => {
                        if (url.includes("west")) {
                            throw new Error("ECONNREFUSED");
                        }
                    },
                },
            });
            assert.deepStrictEqual(
                [code, err.split("\n")[0]],
                [
                    EXIT.preflight,
                    "Preflight: Nomad at https://nomad-west:4646/v1/status/leader does not answer (ECONNREFUSED). Check the address (`pulumi config get nomadClusters`) and that this machine can reach it, or pass --skip-reachability.",
                ],
            );
        });
    });
});
