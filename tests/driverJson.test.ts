// --json: one document on stdout and nothing else, for results and for errors alike.
import * as assert from "assert";
import { EXIT } from "../automation/exitCodes";
import { drive, fakeGit, healthyProbes, reviewConfig, Run } from "./driverHarness";
import { FakeStacks, hoursAgo } from "./fakeStackStore";

/** stdout as the one JSON document it must be; throws when it is anything else. */
const documentOf = (run: Run) => JSON.parse(run.out);

describe("--json", () => {
    const fleet = () =>
        new FakeStacks()
            .add("dev", {
                outputs: { vaultToken: { value: "hvs.x", secret: true }, nomadAddress: { value: "http://127.0.0.1:4646", secret: false } },
            })
            .add("review-a", {
                config: reviewConfig("a", 7),
                summary: { name: "review-a", current: false, resourceCount: 12, lastUpdate: hoursAgo(72) },
            });
    const git = fakeGit({ liveBranches: async () => ({ known: true, branches: new Set(["main"]) }) });

    it("outputs: the stack's outputs, secrets masked", async () => {
        assert.deepStrictEqual(documentOf(await drive(["outputs", "--json"], { stacks: fleet() })), {
            stack: "dev",
            outputs: { nomadAddress: "http://127.0.0.1:4646", vaultToken: "[secret]" },
        });
    });
    it("review list: each review stack with its branch, ports and last update", async () => {
        assert.deepStrictEqual(documentOf(await drive(["review", "list", "--json"], { stacks: fleet() })).stacks, [
            {
                stack: "review-a",
                branch: "a",
                ports: { vaultPort: 10070, nomadHttpPort: 10072, nomadRpcPort: 10073, nomadSerfPort: 10074, mongoPort: 10075 },
                resources: 12,
                lastUpdate: hoursAgo(72),
                updateInProgress: false,
            },
        ]);
    });
    it("review prune --dry-run: what it would destroy, and why", async () => {
        const stacks = fleet();
        const document = documentOf(await drive(["review", "prune", "--dry-run", "--json"], { stacks, git }));
        assert.deepStrictEqual(
            [document.prune, stacks.calls],
            [
                [
                    {
                        stack: "review-a",
                        branch: "a",
                        lastUpdate: hoursAgo(72),
                        reason: "branch a no longer exists, locally or on any remote",
                    },
                ],
                [],
            ],
        );
    });
    it("up: the summary as the document, the engine's progress on stderr", async () => {
        const run = await drive(["up", "--json"], { stacks: fleet() });
        assert.deepStrictEqual(
            [documentOf(run), /engine: up of dev/.test(run.err)],
            [
                {
                    operation: "up",
                    stack: "dev",
                    created: 3,
                    updated: 2,
                    deleted: 2,
                    unchanged: 9,
                    seconds: 0,
                    outputs: { nomadAddress: "http://127.0.0.1:4646", vaultToken: "[secret]" },
                },
                true,
            ],
        );
    });

    describe("errors", () => {
        const errorOf = (run: Run) => [run.code, documentOf(run).error.kind, documentOf(run).error.exitCode];

        it("a bad option", async () => {
            assert.deepStrictEqual(errorOf(await drive(["outputs", "--json", "--frobnicate"])), [EXIT.usage, "usage", EXIT.usage]);
        });
        it("a failed preflight check", async () => {
            const probes = { ...healthyProbes, pulumiVersion: async () => undefined };
            assert.deepStrictEqual(errorOf(await drive(["review", "list", "--json"], { probes })), [
                EXIT.preflight,
                "preflight",
                EXIT.preflight,
            ]);
        });
        it("a missing stack", async () => {
            assert.deepStrictEqual(errorOf(await drive(["outputs", "--stack", "nope", "--json"])), [
                EXIT.failed,
                "missing-stack",
                EXIT.failed,
            ]);
        });
        it("a failed update, its message included", async () => {
            const stacks = new FakeStacks().add("dev", { failWith: new Error("error: docker: port is already allocated") });
            const run = await drive(["up", "--json"], { stacks });
            assert.deepStrictEqual(documentOf(run).error, {
                kind: "failed",
                message: "error: docker: port is already allocated",
                exitCode: EXIT.failed,
            });
        });
    });
});

describe("the summary of a long operation", () => {
    it("counts what was created, updated and deleted, and the time taken", async () => {
        let clock = Date.parse("2026-11-27T12:00:00Z");
        const now = () => new Date((clock += 21_000));
        const { out } = await drive(["destroy"], { stacks: new FakeStacks().add("dev"), now });
        assert.match(out, /\n==> destroy dev done in 21s: 3 created, 2 updated, 2 deleted, 9 unchanged$/);
    });
});
