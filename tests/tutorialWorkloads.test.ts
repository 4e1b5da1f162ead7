// The demo's built-in workloads, mongo and mongo-query, planned as the program plans them.
import * as assert from "assert";
import { MONGO_MOUNT } from "../components";
import { planWorkloads, TUTORIAL_ENGINES, tutorialWorkloads } from "../program/tutorialWorkloads";
import { checkedWorkloads, kvEntries, ProgramWorkload } from "../program/workloads";
import { loadSettings, Settings } from "../settings";
import { Step } from "../settings/workloadsCheck";

const settingsWith = (config: Record<string, string> = {}): Settings =>
    loadSettings(Object.fromEntries(Object.entries(config).map(([k, v]) => [`vaultnomad:${k}`, v])), "dev", {});
const names = (steps: Step<ProgramWorkload>[]) => steps.map((s) => ("engine" in s ? `engine ${s.engine}` : `job ${s.workload.jobId}`));

describe("the tutorial's built-in workloads", () => {
    it("are planned as mongo, then the database engine, then mongo-query", async () => {
        assert.deepStrictEqual(names(await planWorkloads(settingsWith())), ["job mongo", `engine ${MONGO_MOUNT}`, "job mongo-query"]);
    });
    it("connect the database engine only after mongo runs, whatever order they are listed in", async () => {
        const reversed = tutorialWorkloads(settingsWith()).reverse();
        assert.deepStrictEqual(names(await checkedWorkloads(settingsWith(), reversed, TUTORIAL_ENGINES)), [
            "job mongo",
            `engine ${MONGO_MOUNT}`,
            "job mongo-query",
        ]);
    });
    it("declare mongo-query to run after mongo, as the tutorial runs them", () => {
        const mongoQuery = tutorialWorkloads(settingsWith()).find((w) => w.jobspec === "jobs/mongo-query.nomad.hcl");
        assert.deepStrictEqual(mongoQuery?.after, ["mongo"]);
    });
    it("hand mongo its image and port as jobspec variables", async () => {
        const [mongo] = await planWorkloads(settingsWith({ mongoImage: "mongo:7.0.14", mongoPort: "37017" }));
        assert.deepStrictEqual(
            "workload" in mongo && { image: mongo.workload.hcl2Vars.mongo_image, port: mongo.workload.hcl2Vars.mongo_port },
            { image: "mongo:7.0.14", port: "37017" },
        );
    });
    it("generate mongo's root password into <namespace>/mongo/config, under root_password", async () => {
        const entries = kvEntries(await planWorkloads(settingsWith({ jobNamespace: "tutorial" })));
        assert.deepStrictEqual(
            entries.map((e) => ({ name: e.name, data: e.data })),
            [{ name: "tutorial/mongo/config", data: { root_password: { generate: "mongo-root-password", length: 32 } } }],
        );
    });
    it("refuse a stack workload that reuses mongo-query's job ID, naming the built-in workload", async () => {
        const settings = settingsWith({ workloads: JSON.stringify([{ jobspec: "jobs/mongo-query.nomad.hcl" }]) });
        await assert.rejects(planWorkloads(settings), /job ID mongo-query is already declared by built-in workload mongo-query\./);
    });
    it("refuse a stack workload that reuses mongo's job ID, naming the built-in workload", async () => {
        const settings = settingsWith({
            workloads: JSON.stringify([{ jobspec: "jobs/mongo.nomad.hcl", vars: { mongo_image: "mongo:7" } }]),
        });
        await assert.rejects(planWorkloads(settings), /job ID mongo is already declared by built-in workload mongo\./);
    });
});
