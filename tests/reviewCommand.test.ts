// `review` itself: its subcommands, the ports a new stack takes, the list's edge rows, and ages.
import * as assert from "assert";
import { EXIT } from "../automation/exitCodes";
import { formatAge, parseAge } from "../automation/review";
import { allocateSlot, portsForSlot, stackNameForBranch } from "../automation/reviewStacks";
import { drive, healthyProbes, reviewConfig } from "./driverHarness";
import { FakeStacks } from "./fakeStackStore";

const name = stackNameForBranch("feat/jwt");

describe("review", () => {
    describe("command", () => {
        it("without a subcommand names the four it takes (exit 2)", async () => {
            const { code, err } = await drive(["review"]);
            assert.deepStrictEqual([code, err.split("\n")[0]], [EXIT.usage, "review needs a command: up, destroy, list or prune"]);
        });
        it("refuses an unknown subcommand by name (exit 2)", async () => {
            const { code, err } = await drive(["review", "deploy"]);
            assert.deepStrictEqual([code, err.split("\n")[0]], [EXIT.usage, "unknown review command: deploy"]);
        });
    });

    describe("up", () => {
        it("says which ports the branch's stack has", async () => {
            const stacks = new FakeStacks().add(name, { config: reviewConfig("feat/jwt", 42) });
            const { out } = await drive(["review", "up"], { stacks });
            const ports = portsForSlot(42);
            assert.ok(
                out.includes(
                    `Review stack ${name} for branch feat/jwt: Vault on 127.0.0.1:${ports.vaultPort}, Nomad on 127.0.0.1:${ports.nomadHttpPort}`,
                ),
                out,
            );
        });
        it("keeps an existing stack it could not use (it did not create it)", async () => {
            const stacks = new FakeStacks().add(name, { summary: { name, current: false, resourceCount: 0 } });
            const probes = { ...healthyProbes, portInUse: async () => true };
            const { code } = await drive(["review", "up"], { stacks, probes });
            assert.deepStrictEqual([code, stacks.calls.filter((c) => c.startsWith("remove"))], [EXIT.preflight, []]);
        });
        it("removes the stack it created and could not use, beside other stacks", async () => {
            const stacks = new FakeStacks().add("dev");
            const probes = { ...healthyProbes, portInUse: async () => true };
            await drive(["review", "up"], { stacks, probes });
            assert.deepStrictEqual([...stacks.stacks.keys()], ["dev"]);
        });
        it("does not count the ports of a stack that is not a review stack", async () => {
            const slot = allocateSlot(name, []);
            const stacks = new FakeStacks().add("dev", { config: reviewConfig("dev", slot) });
            await drive(["review", "up"], { stacks });
            assert.strictEqual(stacks.stacks.get(name)!.config["vaultnomad:vaultPort"].value, String(portsForSlot(slot).vaultPort));
        });
    });

    describe("list", () => {
        it("says there is none when no stack is a review stack", async () => {
            const { out } = await drive(["review", "list"], { stacks: new FakeStacks().add("dev") });
            assert.strictEqual(out, "No review stacks.");
        });
        it("shows ? for a stack with no recorded branch, and never for one never updated", async () => {
            const stacks = new FakeStacks().add("review-a", {
                config: { ...reviewConfig("a", 7), "vaultnomad:reviewBranch": { value: "" } },
                summary: { name: "review-a", current: false, resourceCount: 0 },
            });
            const { out } = await drive(["review", "list"], { stacks });
            assert.strictEqual(out.split("\n")[1], "review-a\t?\t10070\t10072\t10075\t0\tnever");
        });
    });

    describe("ages", () => {
        it("reads days", () => {
            assert.strictEqual(parseAge("10d"), 10 * 86_400_000);
        });
        it("reads the durations of the configuration", () => {
            assert.strictEqual(parseAge("90m"), 90 * 60_000);
        });
        it("refuses a days count with anything before or after it, naming the forms it takes", () => {
            const refusals = ["x7d", "7dx"].map((text) => {
                try {
                    parseAge(text);
                    return "accepted";
                } catch (err) {
                    return (err as Error).message;
                }
            });
            assert.deepStrictEqual(refusals, [
                "x7d: use a duration such as 7d, 36h, 90m or 30s",
                "7dx: use a duration such as 7d, 36h, 90m or 30s",
            ]);
        });
        it("writes 48 hours in days", () => {
            assert.strictEqual(formatAge(48 * 3_600_000), "2d");
        });
        it("writes just under 48 hours in hours", () => {
            assert.strictEqual(formatAge(47.9 * 3_600_000), "47h");
        });
        it("writes exactly an hour in hours", () => {
            assert.strictEqual(formatAge(3_600_000), "1h");
        });
        it("writes under an hour in minutes", () => {
            assert.strictEqual(formatAge(59.5 * 60_000), "59m");
        });
        it("writes a time in the future as 0m", () => {
            assert.strictEqual(formatAge(-5 * 60_000), "0m");
        });
    });
});
