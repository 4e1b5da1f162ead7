// The driver's commands against the fake stack store, a fake git and fake probes.
import * as assert from "assert";
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { EXIT } from "../automation/exitCodes";
import { Probes } from "../automation/preflight";
import { portsForSlot, slotOfPorts, stackNameForBranch } from "../automation/reviewStacks";
import { verifySettings } from "../automation/verifyCommand";
import { drive, fakeGit, healthyProbes, reviewConfig } from "./driverHarness";
import { automationError, FakeStacks, hoursAgo } from "./fakeStackStore";

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
                "adopt",
            ];
            assert.deepStrictEqual([code, commands.filter((c) => !new RegExp(`^  ${c} `, "m").test(out))], [EXIT.ok, []]);
        });
        it("answers an unknown command with the usage and exit code 2", async () => {
            const { code, err } = await drive(["deploy"]);
            assert.deepStrictEqual([code, /unknown command: deploy/.test(err)], [EXIT.usage, true]);
        });
        it("answers an unknown option with exit code 2", async () => {
            assert.strictEqual((await drive(["up", "--forse"])).code, EXIT.usage);
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
            assert.match(out, /==> up dev\nengine: up of dev\n==> up dev done in 0s: 3 created, 2 updated, 2 deleted, 9 unchanged/);
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
        it("checks a new stack's ports even when another stack is deployed", async () => {
            const probes: Probes = { ...healthyProbes, portInUse: async () => true };
            const { code } = await drive(["up"], { stacks: new FakeStacks().add("staging"), probes });
            assert.strictEqual(code, EXIT.preflight);
        });
        it("does not check a new stack's ports for a preview, which starts nothing", async () => {
            const probes: Probes = { ...healthyProbes, portInUse: async () => true };
            assert.strictEqual((await drive(["preview"], { stacks: new FakeStacks(), probes })).code, EXIT.ok);
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
        describe("names every missing prerequisite at once", () => {
            const bareMachine: Probes = {
                ...healthyProbes,
                nodeVersion: "v20.20.2",
                pulumiVersion: async () => undefined,
                dockerPing: async () => Promise.reject(new Error("ENOENT")),
            };
            const missing = (err: string) =>
                [
                    /^Preflight: 3 things are missing:/,
                    /Node\.js v20\.20\.2 is too old/,
                    /Pulumi CLI is not on the PATH/,
                    /Docker engine at .* does not answer/,
                ]
                    .filter((pattern) => !pattern.test(err))
                    .map(String);

            for (const command of [["up"], ["preview"], ["refresh"], ["destroy"], ["review", "up"]]) {
                it(`for ${command.join(" ")}: Node.js, the Pulumi CLI and the Docker engine (exit 3)`, async () => {
                    const stacks = new FakeStacks().add("dev");
                    const { code, err } = await drive(command, { stacks, probes: bareMachine });
                    assert.deepStrictEqual([code, missing(err), stacks.calls], [EXIT.preflight, [], []]);
                });
            }
            it("leaves out the Docker engine for a command that does not need it", async () => {
                const { code, err } = await drive(["outputs"], { probes: bareMachine });
                assert.deepStrictEqual(
                    [code, /^Preflight: 2 things are missing:/.test(err), /Docker/.test(err)],
                    [EXIT.preflight, true, false],
                );
            });
            it("says a single missing prerequisite as it is, without a list", async () => {
                const probes = { ...healthyProbes, pulumiVersion: async () => undefined };
                const { err } = await drive(["up"], { probes });
                assert.strictEqual(
                    err,
                    "Preflight: The Pulumi CLI is not on the PATH. Install it (https://www.pulumi.com/docs/install/) and try again.",
                );
            });
        });
        it("stops when the Docker engine does not answer (exit 3)", async () => {
            const probes = { ...healthyProbes, dockerPing: async () => Promise.reject(new Error("ENOENT")) };
            const { code, err } = await drive(["destroy"], { stacks: new FakeStacks().add("dev"), probes });
            assert.deepStrictEqual([code, /Docker engine at .* does not answer \(ENOENT\)/.test(err)], [EXIT.preflight, true]);
        });

        describe("of an external stack", () => {
            const external = {
                "vaultnomad:mode": { value: "external" },
                "vaultnomad:vaultAddress": { value: "https://vault.example:8200" },
                "vaultnomad:nomadAddress": { value: "https://nomad.example:4646" },
            };
            /** No Docker engine, every demo port taken; only the given URLs answer. */
            const noDemoHost = (answering: string[]): Probes => ({
                ...healthyProbes,
                dockerPing: async () => Promise.reject(new Error("ENOENT")),
                portInUse: async () => true,
                httpAnswers: async (url) => (answering.includes(url) ? undefined : Promise.reject(new Error("ECONNREFUSED"))),
            });
            const both = ["https://vault.example:8200/v1/sys/health", "https://nomad.example:4646/v1/status/leader"];

            for (const operation of ["up", "preview", "destroy"]) {
                it(`${operation} needs no Docker engine and no free demo ports`, async () => {
                    const stacks = new FakeStacks().add("prod", {
                        config: external,
                        summary: { name: "prod", current: false, resourceCount: 0 },
                    });
                    const { code } = await drive([operation, "--stack", "prod"], { stacks, probes: noDemoHost(both) });
                    assert.deepStrictEqual([code, stacks.calls], [EXIT.ok, [`${operation} prod`]]);
                });
            }
            it("needs its Vault answering (exit 3), naming the config key", async () => {
                const stacks = new FakeStacks().add("prod", { config: external });
                const { code, err } = await drive(["up", "--stack", "prod"], { stacks, probes: noDemoHost([both[1]]) });
                assert.deepStrictEqual(
                    [code, err, stacks.calls],
                    [
                        EXIT.preflight,
                        "Preflight: Vault at https://vault.example:8200/v1/sys/health does not answer (ECONNREFUSED). " +
                            "Check the address (`pulumi config get vaultAddress`) and that this machine can reach it, or pass --skip-reachability.",
                        [],
                    ],
                );
            });
            it("needs its Nomad answering (exit 3)", async () => {
                const stacks = new FakeStacks().add("prod", { config: external });
                const { err } = await drive(["up", "--stack", "prod"], { stacks, probes: noDemoHost([both[0]]) });
                assert.match(err, /^Preflight: Nomad at https:\/\/nomad\.example:4646\/v1\/status\/leader does not answer/);
            });
            it("takes the address from VAULT_ADDR when the config has none", async () => {
                const { "vaultnomad:vaultAddress": _, ...config } = external;
                const stacks = new FakeStacks().add("prod", { config });
                const env = { VAULT_ADDR: "https://vault.example:8200/" };
                assert.strictEqual((await drive(["up", "--stack", "prod"], { stacks, env, probes: noDemoHost(both) })).code, EXIT.ok);
            });
            it("joins an address with trailing slashes to the server's path", async () => {
                const stacks = new FakeStacks().add("prod", {
                    config: { ...external, "vaultnomad:vaultAddress": { value: "https://vault.example:8200//" } },
                });
                assert.strictEqual((await drive(["up", "--stack", "prod"], { stacks, probes: noDemoHost(both) })).code, EXIT.ok);
            });
            it("names the missing address and where to set it (exit 3)", async () => {
                const stacks = new FakeStacks().add("prod", { config: { "vaultnomad:mode": { value: "external" } } });
                const { code, err } = await drive(["preview", "--stack", "prod"], { stacks, probes: noDemoHost(both) });
                assert.deepStrictEqual(
                    [code, err],
                    [
                        EXIT.preflight,
                        "Preflight: The external stack prod has no vaultAddress: `pulumi config set vaultAddress <url>`, or export VAULT_ADDR.",
                    ],
                );
            });
            it("skips the reachability check with --skip-reachability", async () => {
                const stacks = new FakeStacks().add("prod", { config: external });
                const { code } = await drive(["up", "--stack", "prod", "--skip-reachability"], { stacks, probes: noDemoHost([]) });
                assert.strictEqual(code, EXIT.ok);
            });
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
        it("refuses a --concurrency that is not a whole number from 1 to 256, before anything runs (exit 2)", async () => {
            const stacks = new FakeStacks().add("dev");
            const { code, err } = await drive(["verify", "--concurrency", "0"], { stacks });
            assert.deepStrictEqual(
                [code, err.split("\n")[0], stacks.calls],
                [EXIT.usage, "--concurrency 0: want a whole number of requests at once, from 1 to 256 (default 16).", []],
            );
        });
        it("hands --concurrency and --wait to the run", () => {
            assert.deepStrictEqual(verifySettings({ concurrency: "4", wait: "30s" }), { concurrency: 4, waitMs: 30_000 });
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
            const git = fakeGit({ isDirty: async () => true });
            const refused = await drive(["review", "up"], { git });
            const allowed = await drive(["review", "up", "--allow-dirty"], { git });
            assert.deepStrictEqual([refused.code, /uncommitted changes/.test(refused.err), allowed.code], [EXIT.preflight, true, EXIT.ok]);
        });
        it("creates no stack when the Docker engine does not answer", async () => {
            const stacks = new FakeStacks();
            const probes = { ...healthyProbes, dockerPing: async () => Promise.reject(new Error("connect ENOENT /var/run/docker.sock")) };
            const { code } = await drive(["review", "up"], { stacks, probes });
            assert.deepStrictEqual([code, [...stacks.stacks.keys()]], [EXIT.preflight, []]);
        });
        it("removes the stack it created when the ports it chose are taken", async () => {
            const stacks = new FakeStacks();
            const probes = { ...healthyProbes, portInUse: async () => true };
            const { code } = await drive(["review", "up"], { stacks, probes });
            assert.deepStrictEqual([code, [...stacks.stacks.keys()], stacks.calls.at(-1)], [EXIT.preflight, [], `remove ${name}`]);
        });
        it("keeps an existing stack whose ports are taken (it holds them itself)", async () => {
            const stacks = new FakeStacks().add(name, { config: reviewConfig("feat/jwt", 42) });
            const probes = { ...healthyProbes, portInUse: async () => true };
            await drive(["review", "up"], { stacks, probes });
            assert.ok(stacks.stacks.has(name));
        });
        it("refuses a detached HEAD without --branch (exit 3)", async () => {
            const git = fakeGit({ currentBranch: async () => undefined });
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
});
