// The driver's commands against a fake of the Automation API's stacks, a fake git and fake probes.
import * as assert from "assert";
import { ConcurrentUpdateError, ConfigMap, OutputMap, StackNotFoundError, StackSummary } from "@pulumi/pulumi/automation";
import { Driver, runCommand } from "../automation/commands";
import { EXIT } from "../automation/exitCodes";
import { Probes } from "../automation/preflight";
import { portsForSlot, slotOfPorts, stackNameForBranch } from "../automation/reviewStacks";
import { DriverStack, StackStore } from "../automation/stacks";

const NOW = new Date("2026-11-27T12:00:00Z");
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

/** The Automation API's errors are built from a command result; the driver reads only their type. */
const automationError = <T>(type: new (...args: any[]) => T, stderr: string): T => new type({ toString: () => stderr });

interface FakeStackState {
    config: ConfigMap;
    summary: StackSummary;
    outputs: OutputMap;
    failWith?: Error;
}

class FakeStacks implements StackStore {
    readonly stacks = new Map<string, FakeStackState>();
    readonly calls: string[] = [];
    /** The options each operation was given, in order. */
    readonly options: Array<Record<string, unknown>> = [];

    add(name: string, state: Partial<FakeStackState> = {}): this {
        this.stacks.set(name, {
            config: {},
            outputs: {},
            summary: { name, current: false, resourceCount: 12, lastUpdate: hoursAgo(1) },
            ...state,
        });
        return this;
    }

    private handle(name: string): DriverStack {
        const state = this.stacks.get(name)!;
        const operation = (op: string) => async (opts?: { onOutput?: (text: string) => void }) => {
            this.calls.push(`${op} ${name}`);
            this.options.push({ ...opts });
            if (state.failWith) {
                throw state.failWith;
            }
            opts?.onOutput?.(`engine: ${op} of ${name}\n`);
            const summary = { resourceChanges: { create: 3, same: 9 } };
            return { stdout: "", stderr: "", summary, outputs: state.outputs, changeSummary: { create: 3 } };
        };
        return {
            name,
            up: operation("up"),
            preview: operation("preview"),
            refresh: operation("refresh"),
            destroy: operation("destroy"),
            outputs: async () => state.outputs,
            getAllConfig: async () => state.config,
            setAllConfig: async (config: ConfigMap) => {
                this.calls.push(`setAllConfig ${name}`);
                state.config = { ...state.config, ...config };
            },
        } as unknown as DriverStack;
    }

    async createOrSelect(name: string) {
        if (!this.stacks.has(name)) {
            this.calls.push(`create ${name}`);
            this.add(name, { summary: { name, current: false, resourceCount: 0 } });
        }
        return this.handle(name);
    }
    async select(name: string) {
        if (!this.stacks.has(name)) {
            throw automationError(StackNotFoundError, `no stack named '${name}' found`);
        }
        return this.handle(name);
    }
    async list() {
        return [...this.stacks.values()].map((s) => s.summary);
    }
    async configOf(name: string) {
        return this.stacks.get(name)!.config;
    }
    async remove(name: string) {
        this.calls.push(`remove ${name}`);
        this.stacks.delete(name);
    }
}

const healthyProbes: Probes = {
    nodeVersion: "v20.20.2",
    pulumiVersion: async () => "v3.200.0",
    dockerPing: async () => undefined,
    portInUse: async () => false,
    portOwner: async () => undefined,
};

function reviewConfig(branch: string, slot: number): ConfigMap {
    const ports = Object.entries(portsForSlot(slot)).map(([key, port]) => [`vaultnomad:${key}`, { value: String(port) }]);
    return { ...Object.fromEntries(ports), "vaultnomad:reviewBranch": { value: branch } };
}

interface Run {
    code: number;
    out: string;
    err: string;
}

async function drive(argv: string[], overrides: Partial<Driver> & { stacks?: FakeStacks } = {}): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const driver: Driver = {
        stacks: new FakeStacks(),
        git: { currentBranch: async () => "feat/jwt", branchExists: async () => true, isDirty: async () => false },
        probes: healthyProbes,
        out: (text) => out.push(text),
        err: (text) => err.push(text),
        now: () => NOW,
        ...overrides,
    };
    const code = await runCommand(argv, driver);
    return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("stack driver", () => {
    describe("help", () => {
        it("lists every command", async () => {
            const { code, out } = await drive(["--help"]);
            const commands = [
                "up",
                "preview",
                "refresh",
                "destroy",
                "outputs",
                "review up",
                "review destroy",
                "review list",
                "review prune",
            ];
            assert.deepStrictEqual([code, commands.filter((c) => !new RegExp(`^  ${c} `, "m").test(out))], [EXIT.ok, []]);
        });
        it("answers an unknown command with the usage and exit code 2", async () => {
            const { code, err } = await drive(["deploy"]);
            assert.deepStrictEqual([code, /unknown command: deploy/.test(err)], [EXIT.usage, true]);
        });
        it("answers an unknown option with exit code 2", async () => {
            assert.strictEqual((await drive(["up", "--force"])).code, EXIT.usage);
        });
    });

    describe("up", () => {
        it("creates the dev stack when it does not exist", async () => {
            const stacks = new FakeStacks();
            await drive(["up"], { stacks });
            assert.deepStrictEqual(stacks.calls, ["create dev", "up dev"]);
        });
        it("selects a named stack that exists, without creating it", async () => {
            const stacks = new FakeStacks().add("staging");
            await drive(["up", "--stack", "staging"], { stacks });
            assert.deepStrictEqual(stacks.calls, ["up staging"]);
        });
        it("streams the engine's output and ends with a summary", async () => {
            const { out } = await drive(["up"]);
            assert.match(out, /==> up dev\nengine: up of dev\n==> up dev done in 0s: 3 create, 9 same/);
        });
        it("prints outputs after up, with secrets masked", async () => {
            const stacks = new FakeStacks().add("dev", {
                outputs: { nomadToken: { value: "s3cr3t", secret: true }, vaultAddress: { value: "http://127.0.0.1:8200", secret: false } },
            });
            const { out } = await drive(["up"], { stacks });
            assert.deepStrictEqual(
                [/nomadToken: \[secret\]/.test(out), out.includes("s3cr3t"), /vaultAddress: http:\/\/127\.0\.0\.1:8200/.test(out)],
                [true, false, true],
            );
        });
        it("refuses to start a new stack on a port that is taken, naming it", async () => {
            const probes: Probes = { ...healthyProbes, portInUse: async (port) => port === 4646, portOwner: async () => "nomad (pid 77)" };
            const stacks = new FakeStacks();
            const { code, err } = await drive(["up"], { stacks, probes });
            assert.deepStrictEqual(
                [code, err, stacks.calls],
                [
                    EXIT.preflight,
                    "Preflight: port 4646 (nomadHttpPort) is in use on 127.0.0.1 by nomad (pid 77). Stop what holds it, or choose other ports with `pulumi config set`.",
                    ["create dev"],
                ],
            );
        });
        it("does not check ports that a deployed stack holds itself", async () => {
            const probes: Probes = { ...healthyProbes, portInUse: async () => true };
            const { code } = await drive(["up"], { stacks: new FakeStacks().add("dev"), probes });
            assert.strictEqual(code, EXIT.ok);
        });
        it("maps a locked stack to exit code 4 and says how to clear a stale lock", async () => {
            const stacks = new FakeStacks().add("dev", { failWith: automationError(ConcurrentUpdateError, "[409] Conflict") });
            const { code, err } = await drive(["up"], { stacks });
            assert.deepStrictEqual([code, /pulumi cancel/.test(err)], [EXIT.locked, true]);
        });
        it("recognises the file backend's lock message too", async () => {
            const stacks = new FakeStacks().add("dev", { failWith: new Error("the stack is currently locked by 1 lock(s)") });
            assert.strictEqual((await drive(["up"], { stacks })).code, EXIT.locked);
        });
        it("maps a failed update to exit code 1 with the error", async () => {
            const stacks = new FakeStacks().add("dev", { failWith: new Error("error: docker: port is already allocated") });
            const { code, err } = await drive(["up"], { stacks });
            assert.deepStrictEqual([code, err], [EXIT.failed, "Failed: error: docker: port is already allocated"]);
        });
        it("reports an interrupted run as failed, not done", async () => {
            const abort = new AbortController();
            abort.abort();
            const { code, out } = await drive(["up"], { signal: abort.signal });
            assert.deepStrictEqual([code, /done in/.test(out)], [EXIT.failed, false]);
        });
    });

    describe("policy pack", () => {
        it("is enforced on up and preview", async () => {
            const stacks = new FakeStacks().add("dev");
            await drive(["up"], { stacks, policyPack: "/project/policy" });
            await drive(["preview"], { stacks, policyPack: "/project/policy" });
            assert.deepStrictEqual(
                stacks.options.map((o) => o.policyPacks),
                [["/project/policy"], ["/project/policy"]],
            );
        });
        it("is left out with --skip-policy", async () => {
            const stacks = new FakeStacks().add("dev");
            await drive(["up", "--skip-policy"], { stacks, policyPack: "/project/policy" });
            assert.deepStrictEqual(
                stacks.options.map((o) => o.policyPacks),
                [undefined],
            );
        });
        it("is not asked for on refresh or destroy", async () => {
            const stacks = new FakeStacks().add("dev");
            await drive(["refresh"], { stacks, policyPack: "/project/policy" });
            await drive(["destroy"], { stacks, policyPack: "/project/policy" });
            assert.deepStrictEqual(
                stacks.options.map((o) => o.policyPacks),
                [undefined, undefined],
            );
        });
    });

    describe("preflight", () => {
        it("stops before touching any stack when the CLI is missing (exit 3)", async () => {
            const stacks = new FakeStacks();
            const { code, err } = await drive(["up"], { stacks, probes: { ...healthyProbes, pulumiVersion: async () => undefined } });
            assert.deepStrictEqual([code, /Pulumi CLI is not on the PATH/.test(err), stacks.calls], [EXIT.preflight, true, []]);
        });
        it("stops when the Docker engine does not answer (exit 3)", async () => {
            const probes = { ...healthyProbes, dockerPing: async () => Promise.reject(new Error("ENOENT")) };
            const { code, err } = await drive(["destroy"], { stacks: new FakeStacks().add("dev"), probes });
            assert.deepStrictEqual([code, /Docker engine at .* does not answer \(ENOENT\)/.test(err)], [EXIT.preflight, true]);
        });
    });

    describe("refresh, destroy and outputs", () => {
        it("do not create a stack that does not exist", async () => {
            const stacks = new FakeStacks();
            const { code, err } = await drive(["destroy", "--stack", "gone"], { stacks });
            assert.deepStrictEqual(
                [code, err, stacks.calls],
                [EXIT.failed, "There is no stack named gone. `npm run stack -- up --stack gone` creates it.", []],
            );
        });
        it("refresh runs on the selected stack", async () => {
            const stacks = new FakeStacks().add("dev");
            await drive(["refresh"], { stacks });
            assert.deepStrictEqual(stacks.calls, ["refresh dev"]);
        });
        it("outputs masks secrets unless --show-secrets", async () => {
            const stacks = new FakeStacks().add("dev", { outputs: { vaultToken: { value: "hvs.x", secret: true } } });
            const masked = await drive(["outputs"], { stacks });
            const shown = await drive(["outputs", "--show-secrets"], { stacks });
            assert.deepStrictEqual([masked.out, shown.out], ["vaultToken: [secret]", "vaultToken: hvs.x"]);
        });
    });

    describe("verify", () => {
        it("checks the stack at its outputs' addresses and exits 1 when a check fails", async () => {
            const nowhere = "http://127.0.0.1:9";
            const outputs = {
                vaultAddress: { value: nowhere, secret: false },
                nomadAddress: { value: nowhere, secret: false },
                vaultToken: { value: "hvs.x", secret: true },
                nomadToken: { value: "t", secret: true },
            };
            const { code, out } = await drive(["verify"], { stacks: new FakeStacks().add("dev", { outputs }) });
            assert.deepStrictEqual(
                [code, /^FAIL  vault-health .*http:\/\/127\.0\.0\.1:9: no answer/m.test(out), out.includes("hvs.x")],
                [EXIT.failed, true, false],
            );
        });
        it("says to run up first when the stack has no outputs", async () => {
            const { code, err } = await drive(["verify"], { stacks: new FakeStacks().add("dev") });
            assert.deepStrictEqual(
                [code, err],
                [EXIT.failed, "Stack dev has no output vaultAddress: run `npm run stack -- up --stack dev` first."],
            );
        });
    });

    describe("review up", () => {
        const name = stackNameForBranch("feat/jwt");

        it("creates the branch's stack with its branch and a free block of ports", async () => {
            const stacks = new FakeStacks().add("review-other", { config: reviewConfig("other", slotOfPorts(portsForSlot(0))!) });
            await drive(["review", "up"], { stacks });
            const config = stacks.stacks.get(name)!.config;
            const slot = slotOfPorts({ vaultPort: Number(config["vaultnomad:vaultPort"].value) });
            assert.deepStrictEqual([config["vaultnomad:reviewBranch"].value, slot !== undefined && slot !== 0], ["feat/jwt", true]);
        });
        it("keeps the ports the stack already has", async () => {
            const stacks = new FakeStacks().add(name, { config: reviewConfig("feat/jwt", 42) });
            await drive(["review", "up"], { stacks });
            assert.strictEqual(stacks.stacks.get(name)!.config["vaultnomad:vaultPort"].value, String(portsForSlot(42).vaultPort));
        });
        it("never gives a new stack the ports of an existing one", async () => {
            const stacks = new FakeStacks();
            for (let i = 0; i < 20; i++) {
                await drive(["review", "up", "--branch", `feature/${i}`], { stacks });
            }
            const vaultPorts = [...stacks.stacks.values()].map((s) => s.config["vaultnomad:vaultPort"].value);
            assert.strictEqual(new Set(vaultPorts).size, 20);
        });
        it("refuses a dirty work tree unless --allow-dirty (exit 3)", async () => {
            const git = { currentBranch: async () => "feat/jwt", branchExists: async () => true, isDirty: async () => true };
            const refused = await drive(["review", "up"], { git });
            const allowed = await drive(["review", "up", "--allow-dirty"], { git });
            assert.deepStrictEqual([refused.code, /uncommitted changes/.test(refused.err), allowed.code], [EXIT.preflight, true, EXIT.ok]);
        });
        it("refuses a detached HEAD without --branch (exit 3)", async () => {
            const git = { currentBranch: async () => undefined, branchExists: async () => true, isDirty: async () => false };
            const { code, err } = await drive(["review", "up"], { git });
            assert.deepStrictEqual([code, /pass --branch/.test(err)], [EXIT.preflight, true]);
        });
    });

    describe("review destroy", () => {
        it("destroys the branch's stack and removes it", async () => {
            const name = stackNameForBranch("feat/jwt");
            const stacks = new FakeStacks().add(name);
            await drive(["review", "destroy"], { stacks });
            assert.deepStrictEqual(stacks.calls, [`destroy ${name}`, `remove ${name}`]);
        });
    });

    describe("review list", () => {
        it("shows each review stack's branch, ports and age, and no other stack", async () => {
            const stacks = new FakeStacks().add("dev").add("review-a", {
                config: reviewConfig("a", 7),
                summary: { name: "review-a", current: false, resourceCount: 12, lastUpdate: hoursAgo(72) },
            });
            const { out } = await drive(["review", "list"], { stacks });
            assert.strictEqual(
                out,
                `stack\tbranch\tvault\tnomad\tmongo\tresources\tlast update\nreview-a\ta\t10070\t10072\t10075\t12\t3d ago`,
            );
        });
    });

    describe("review prune", () => {
        function fleet(): FakeStacks {
            return new FakeStacks()
                .add("dev", { summary: { name: "dev", current: false, lastUpdate: hoursAgo(1000) } })
                .add("review-live", { config: reviewConfig("live", 1) })
                .add("review-gone", { config: reviewConfig("gone", 2) })
                .add("review-stale", {
                    config: reviewConfig("stale", 3),
                    summary: { name: "review-stale", current: false, lastUpdate: hoursAgo(24 * 10) },
                })
                .add("review-busy", {
                    config: reviewConfig("busy-gone", 4),
                    summary: { name: "review-busy", current: false, updateInProgress: true },
                });
        }
        const git = {
            currentBranch: async () => "main",
            branchExists: async (b: string) => !b.includes("gone"),
            isDirty: async () => false,
        };

        it("removes only review stacks whose branch is gone", async () => {
            const stacks = fleet();
            await drive(["review", "prune"], { stacks, git });
            assert.deepStrictEqual(stacks.calls, ["destroy review-gone", "remove review-gone"]);
        });
        it("also removes those older than --older-than", async () => {
            const stacks = fleet();
            await drive(["review", "prune", "--older-than", "7d"], { stacks, git });
            assert.deepStrictEqual([...stacks.stacks.keys()], ["dev", "review-live", "review-busy"]);
        });
        it("says what it removed and why, and skips a stack being updated", async () => {
            const { out } = await drive(["review", "prune", "--older-than", "7d"], { stacks: fleet(), git });
            assert.deepStrictEqual(
                out.split("\n").filter((line) => /^(Pruning|Skipping|Pruned)/.test(line)),
                [
                    "Pruning review-gone: branch gone no longer exists.",
                    "Pruning review-stale: last updated 10d ago.",
                    "Skipping review-busy (branch busy-gone no longer exists): an update is in progress.",
                    "Pruned 2 review stacks.",
                ],
            );
        });
        it("rejects an age it cannot read (exit 2)", async () => {
            assert.strictEqual((await drive(["review", "prune", "--older-than", "a week"], { stacks: fleet(), git })).code, EXIT.usage);
        });
    });
});
