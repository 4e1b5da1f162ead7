// `npm run e2e`: its steps' order, timing and failures with injected steps, then the same run through
// the stack driver over the fake stack store, verifying against a fake Vault and Nomad.
import * as assert from "assert";
import { OutputMap } from "@pulumi/pulumi/automation";
import { CONSOLE_IO, driverPlan, E2eIo, E2ePlan, E2eStep, mongoQueryResult, runE2e } from "../automation/e2e";
import { EXIT } from "../automation/exitCodes";
import { Probes } from "../automation/preflight";
import { fakeDriver, healthyProbes } from "./driverHarness";
import { startFakeStack, FakeStack } from "./fakeStack";
import { FakeStacks } from "./fakeStackStore";

/** How long each fake step takes, in seconds of the fake clock. */
const TAKES: Record<string, number> = { up: 94, "verify --probe": 21, "mongo-query": 2, destroy: 40 };

/** A plan whose steps record their runs and advance the clock; `failing` steps throw. */
function fakePlan(failing: string[] = [], checkError?: string) {
    const ran: string[] = [];
    let clock = 1_000_000;
    const step = (name: string): E2eStep => ({
        name,
        async run() {
            ran.push(name);
            clock += TAKES[name] * 1000;
            if (failing.includes(name)) {
                throw new Error(`${name} broke`);
            }
            return name === "mongo-query" ? "authenticated as v-jwt-nomad-mongo-mongo-QbF7" : undefined;
        },
    });
    const plan: E2ePlan = {
        stack: "review-e2e",
        removeByHand: "npm run stack -- review destroy --branch e2e",
        check: async () => {
            if (checkError) {
                throw new Error(checkError);
            }
        },
        steps: [step("up"), step("verify --probe"), step("mongo-query")],
        teardown: step("destroy"),
    };
    const said: string[] = [];
    const shouted: string[] = [];
    const io: E2eIo = { say: (text) => said.push(text), shout: (text) => shouted.push(text), now: () => clock };
    return { plan, io, ran, said, shouted };
}

describe("e2e", () => {
    describe("its steps", () => {
        it("runs up, verify --probe, mongo-query and destroy, in that order, and exits 0", async () => {
            const { plan, io, ran, said } = fakePlan();
            assert.deepStrictEqual(
                [await runE2e(plan, io), ran, said.at(-1)],
                [EXIT.ok, ["up", "verify --probe", "mongo-query", "destroy"], "E2E PASSED."],
            );
        });
        it("says each step's time as it ends, with what it found", async () => {
            const { plan, io, said } = fakePlan();
            await runE2e(plan, io);
            assert.deepStrictEqual(
                said.filter((line) => line.startsWith("e2e: ")),
                [
                    "e2e: up passed in 94s",
                    "e2e: verify --probe passed in 21s",
                    "e2e: mongo-query passed in 2s: authenticated as v-jwt-nomad-mongo-mongo-QbF7",
                    "e2e: destroy passed in 40s",
                ],
            );
        });
        it("announces each step with its place in the run and the stack", async () => {
            const { plan, io, said } = fakePlan(["verify --probe"]);
            await runE2e(plan, io);
            assert.deepStrictEqual(
                said.filter((line) => line.startsWith("==> ")),
                [
                    "==> e2e step 1/4: up (stack review-e2e)",
                    "==> e2e step 2/4: verify --probe (stack review-e2e)",
                    "==> e2e step 4/4: destroy (stack review-e2e)",
                ],
            );
        });
        it("ends with every step's time and verdict", async () => {
            const { plan, io, said } = fakePlan(["verify --probe"]);
            await runE2e(plan, io);
            assert.strictEqual(
                said.find((line) => line.startsWith("e2e steps:")),
                [
                    "e2e steps:",
                    "  up                 94s  passed",
                    "  verify --probe     21s  FAILED",
                    "  mongo-query          -  not run",
                    "  destroy            40s  passed",
                ].join("\n"),
            );
        });
        for (const failing of ["up", "verify --probe", "mongo-query"]) {
            it(`stops at a failing ${failing}, runs no later step, still destroys, and exits 1 naming it`, async () => {
                const { plan, io, ran, shouted } = fakePlan([failing]);
                const code = await runE2e(plan, io);
                const before = ["up", "verify --probe", "mongo-query"].slice(
                    0,
                    ["up", "verify --probe", "mongo-query"].indexOf(failing) + 1,
                );
                assert.deepStrictEqual(
                    [code, ran, shouted],
                    [
                        EXIT.failed,
                        [...before, "destroy"],
                        [`e2e: ${failing} FAILED after ${TAKES[failing]}s: ${failing} broke`, `E2E FAILED at ${failing}: ${failing} broke`],
                    ],
                );
            });
        }
        it("exits 1 when only destroy fails, and says how to remove the stack by hand", async () => {
            const { plan, io, shouted } = fakePlan(["destroy"]);
            assert.deepStrictEqual(
                [await runE2e(plan, io), shouted],
                [
                    EXIT.failed,
                    [
                        "e2e: destroy FAILED after 40s: destroy broke",
                        "e2e: the stack review-e2e may still hold resources: `npm run stack -- review destroy --branch e2e` removes it.",
                        "E2E FAILED at destroy: destroy broke",
                    ],
                ],
            );
        });
        it("with --keep, leaves the stack up, failed or not, and says how to remove it", async () => {
            const { plan, io, ran, said } = fakePlan(["mongo-query"]);
            const code = await runE2e(plan, io, { keep: true });
            assert.deepStrictEqual(
                [
                    code,
                    ran,
                    said.includes("e2e: the stack review-e2e is kept (--keep); `npm run stack -- review destroy --branch e2e` removes it."),
                ],
                [EXIT.failed, ["up", "verify --probe", "mongo-query"], true],
            );
        });
        it("creates nothing, and destroys nothing, when it cannot start (exit 3)", async () => {
            const { plan, io, ran, shouted } = fakePlan([], "the stack review-e2e exists already");
            assert.deepStrictEqual(
                [await runE2e(plan, io), ran, shouted],
                [EXIT.preflight, [], ["E2E NOT STARTED: the stack review-e2e exists already"]],
            );
        });
    });

    describe("on the console", () => {
        it("says progress on stdout, shouts failures on stderr, and reads the clock", () => {
            const printed: string[] = [];
            const saved = { log: console.log, error: console.error };
            console.log = (text: string) => printed.push(`stdout: ${text}`);
            console.error = (text: string) => printed.push(`stderr: ${text}`);
            const before = Date.now();
            try {
                CONSOLE_IO.say("e2e: up passed in 94s");
                CONSOLE_IO.shout("E2E FAILED at up");
            } finally {
                Object.assign(console, saved);
            }
            const now = CONSOLE_IO.now();
            assert.deepStrictEqual(
                [printed, now >= before && now <= Date.now()],
                [["stdout: e2e: up passed in 94s", "stderr: E2E FAILED at up"], true],
            );
        });
    });

    describe("through the stack driver", function () {
        this.timeout(30_000);
        let fake: FakeStack;
        beforeEach(async () => {
            fake = await startFakeStack();
        });
        afterEach(() => fake.close());

        /** What the program's up leaves: the fake Vault's and Nomad's addresses and tokens. */
        const outputsOfUp = (): OutputMap => {
            const t = fake.target();
            return {
                vaultAddress: { value: t.vaultAddress, secret: false },
                nomadAddress: { value: t.nomadAddress, secret: false },
                vaultToken: { value: t.vaultToken, secret: true },
                nomadToken: { value: t.nomadToken, secret: true },
            };
        };
        const e2e = async (stacks: FakeStacks, probes: Probes = healthyProbes) => {
            const { driver, out, err } = fakeDriver({ stacks, probes });
            const said: string[] = [];
            const io: E2eIo = { say: (text) => said.push(text), shout: (text) => said.push(text), now: () => 0 };
            const code = await runE2e(driverPlan(driver), io);
            return { code, said: said.join("\n"), out: out.join("\n"), err: err.join("\n") };
        };
        const withUpOutputs = (stacks: FakeStacks) => Object.assign(stacks, { upOutputs: outputsOfUp() });

        it("brings its own review stack up, verifies it with a probe, reads mongo-query's user, then destroys and removes it", async () => {
            const stacks = withUpOutputs(new FakeStacks());
            const { code, said, out } = await e2e(stacks);
            assert.deepStrictEqual(
                [
                    code,
                    stacks.calls,
                    /^PASS  identity /m.test(out),
                    said.includes(
                        "e2e: mongo-query passed in 0s: allocation 909f0184 complete; authenticated as v-jwt-nomad-mongo-mongo-QbF7-1700544973",
                    ),
                ],
                [
                    EXIT.ok,
                    ["create review-e2e", "setAllConfig review-e2e", "up review-e2e", "destroy review-e2e", "remove review-e2e"],
                    true,
                    true,
                ],
            );
        });
        it("stops at verify when Vault is sealed, reads no mongo-query result, and still destroys and removes the stack", async () => {
            fake.world.sealed = true;
            const stacks = withUpOutputs(new FakeStacks());
            const { code, said } = await e2e(stacks);
            assert.deepStrictEqual(
                [
                    code,
                    stacks.calls.slice(-2),
                    /E2E FAILED at verify --probe: npm run stack -- verify --stack review-e2e --probe exited with 1/.test(said),
                ],
                [EXIT.failed, ["destroy review-e2e", "remove review-e2e"], true],
            );
        });
        it("reads mongo-query's failure with its cause, as verify diagnoses it", async () => {
            fake.world.mongoQueryStatus = "failed";
            const stacks = new FakeStacks().add("review-e2e", { outputs: outputsOfUp() });
            await assert.rejects(
                mongoQueryResult("review-e2e", fakeDriver({ stacks }).driver),
                /^Error: allocation 909f0184 failed; .*: mongo-query did not finish: it could not log in with the mongo-dynamic-secret role/,
            );
        });
        it("has nothing to destroy when up created no stack", async () => {
            const stacks = new FakeStacks();
            const probes: Probes = { ...healthyProbes, portInUse: async () => true };
            const { code, said } = await e2e(stacks, probes);
            assert.deepStrictEqual(
                [code, said.includes("e2e: destroy passed in 0s: nothing to destroy: there is no stack review-e2e"), stacks.calls.at(-1)],
                [EXIT.failed, true, "remove review-e2e"],
            );
        });
        it("does not start when its stack exists already, and leaves that stack alone (exit 3)", async () => {
            const stacks = new FakeStacks().add("review-e2e");
            const { code, said } = await e2e(stacks);
            assert.deepStrictEqual(
                [code, stacks.calls, said],
                [
                    EXIT.preflight,
                    [],
                    "E2E NOT STARTED: the stack review-e2e exists already, from a kept or interrupted run: `npm run stack -- review destroy --branch e2e` removes it.",
                ],
            );
        });
        it("does not start without the Pulumi CLI and the Docker engine, naming both (exit 3)", async () => {
            const probes: Probes = {
                ...healthyProbes,
                pulumiVersion: async () => undefined,
                dockerPing: async () => Promise.reject(new Error("ENOENT")),
            };
            const { code, said } = await e2e(new FakeStacks(), probes);
            assert.deepStrictEqual([code, /Pulumi CLI is not on the PATH[^]*Docker engine/.test(said)], [EXIT.preflight, true]);
        });
    });
});
