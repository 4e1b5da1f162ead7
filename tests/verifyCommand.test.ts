// `npm run stack -- verify`: what it verifies, read from the stack's outputs and configuration.
import * as assert from "assert";
import * as fs from "fs";
import { OutputMap } from "@pulumi/pulumi/automation";
import { MissingStackError, UsageError } from "../automation/driver";
import { DriverStack } from "../automation/stacks";
import { VerifyFailed, verifySettings, verifyStack, verifyTarget } from "../automation/verifyCommand";
import { fakeDriver } from "./driverHarness";
import { startFakeStack } from "./fakeStack";

const DEMO_OUTPUTS = {
    vaultAddress: "http://127.0.0.1:8200",
    nomadAddress: "http://127.0.0.1:4646",
    vaultToken: "hvs.root",
    nomadToken: "0b5e4d0c-management",
};
const withoutNomadToken = () => Object.fromEntries(Object.entries(DEMO_OUTPUTS).filter(([key]) => key !== "nomadToken"));
const EXTERNAL = { mode: "external", vaultAddress: "https://vault.example.com:8200", nomadAddress: "https://nomad.example.com:4646" };

/** A stack as the Automation API hands it to verify: its outputs, and its config by full key. */
/** A demo stack whose outputs point at the fake Vault and Nomad. */
function demoStackOn(fake: {
    target(): { vaultAddress: string; nomadAddress: string; vaultToken: string; nomadToken: string };
}): DriverStack {
    const { vaultAddress, nomadAddress, vaultToken, nomadToken } = fake.target();
    return stackOf("dev", { vaultAddress, nomadAddress, vaultToken, nomadToken });
}

function stackOf(name: string, outputs: Record<string, string>, config: Record<string, string> = {}): DriverStack {
    const map = (values: Record<string, string>, prefix = "") =>
        Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, { value, secret: false }]));
    return { name, outputs: async () => map(outputs) as OutputMap, getAllConfig: async () => map(config, "vaultnomad:") } as DriverStack;
}

describe("verify of a stack", () => {
    const saved = { VAULT_TOKEN: process.env.VAULT_TOKEN, NOMAD_TOKEN: process.env.NOMAD_TOKEN };
    beforeEach(() => {
        delete process.env.VAULT_TOKEN;
        delete process.env.NOMAD_TOKEN;
    });
    afterEach(() => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = value;
            }
        }
    });

    describe("its target", () => {
        it("takes a demo stack's addresses and tokens from its outputs", async () => {
            const t = await verifyTarget(stackOf("dev", DEMO_OUTPUTS), {});
            assert.deepStrictEqual(
                [t.vaultAddress, t.vaultToken, t.nomadAddress, t.nomadToken, t.source],
                ["http://127.0.0.1:8200", "hvs.root", "http://127.0.0.1:4646", "0b5e4d0c-management", "stack"],
            );
        });
        it("checks a demo stack's sample workload, and what its Vault fetches from where Vault runs", async () => {
            const t = await verifyTarget(stackOf("dev", DEMO_OUTPUTS), {});
            assert.deepStrictEqual([t.sampleWorkload, typeof t.fetchFromVault], [true, "function"]);
        });
        it("takes the stack's names from its configuration", async () => {
            const t = await verifyTarget(
                stackOf("dev", DEMO_OUTPUTS, { jobNamespace: "team", jwtAuthPath: "jwt-team", roleName: "team-jobs" }),
                {},
            );
            assert.deepStrictEqual([t.nomadNamespace, t.jwtPath, t.defaultRole], ["team", "jwt-team", "team-jobs"]);
        });
        it("names the output a demo stack lacks, and the up that makes it", async () => {
            await assert.rejects(
                verifyTarget(stackOf("dev", { ...DEMO_OUTPUTS, vaultToken: "" }), {}),
                (err: Error) =>
                    err instanceof MissingStackError &&
                    err.message === "Stack dev has no output vaultToken: run `npm run stack -- up --stack dev` first.",
            );
        });
        it("counts an output that is not text as missing", async () => {
            const stack = stackOf("dev", DEMO_OUTPUTS);
            const outputs = await stack.outputs();
            stack.outputs = async () => ({ ...outputs, vaultAddress: { value: 8200, secret: false } });
            await assert.rejects(verifyTarget(stack, {}), /Stack dev has no output vaultAddress/);
        });
        it("verifies without a Nomad token, from neither the outputs nor the environment, as an empty one", async () => {
            assert.strictEqual((await verifyTarget(stackOf("dev", withoutNomadToken()), {})).nomadToken, "");
        });
        it("takes the Nomad token from NOMAD_TOKEN when the stack exports none", async () => {
            process.env.NOMAD_TOKEN = "from-the-shell";
            assert.strictEqual((await verifyTarget(stackOf("dev", withoutNomadToken()), {})).nomadToken, "from-the-shell");
        });
        it("probes with the stack's audience under --probe, and not otherwise", async () => {
            const stack = stackOf("dev", DEMO_OUTPUTS, { audience: "nomad.io" });
            assert.deepStrictEqual(
                [(await verifyTarget(stack, { probe: true })).probe, (await verifyTarget(stack, {})).probe],
                [{ audience: "nomad.io" }, undefined],
            );
        });
        it("takes an external stack's tokens from the operator's environment", async () => {
            Object.assign(process.env, { VAULT_TOKEN: "hvs.operator", NOMAD_TOKEN: "nomad-operator" });
            const t = await verifyTarget(
                stackOf("prod", { vaultAddress: EXTERNAL.vaultAddress, nomadAddress: EXTERNAL.nomadAddress }, EXTERNAL),
                {},
            );
            assert.deepStrictEqual([t.vaultToken, t.nomadToken], ["hvs.operator", "nomad-operator"]);
        });
        it("asks for VAULT_TOKEN when an external stack is verified without it, whatever its configuration holds", async () => {
            const config = { ...EXTERNAL, vaultToken: "hvs.in-the-config" };
            const stack = stackOf("prod", { vaultAddress: EXTERNAL.vaultAddress, nomadAddress: EXTERNAL.nomadAddress }, config);
            await assert.rejects(
                verifyTarget(stack, {}),
                (err: Error) =>
                    err instanceof MissingStackError && err.message === "verify needs VAULT_TOKEN for the external stack prod: export it.",
            );
        });
        it("checks no sample workload of an external stack, and cannot see from its Vault's side", async () => {
            process.env.VAULT_TOKEN = "hvs.operator";
            const t = await verifyTarget(
                stackOf("prod", { vaultAddress: EXTERNAL.vaultAddress, nomadAddress: EXTERNAL.nomadAddress }, EXTERNAL),
                {},
            );
            assert.deepStrictEqual([t.sampleWorkload, t.fetchFromVault], [false, undefined]);
        });
        it("trusts the CA file and uses the namespace an external stack configures for Vault", async () => {
            process.env.VAULT_TOKEN = "hvs.operator";
            const config = { ...EXTERNAL, vaultNamespace: "platform", vaultCaCertFile: __filename };
            const t = await verifyTarget(
                stackOf("prod", { vaultAddress: EXTERNAL.vaultAddress, nomadAddress: EXTERNAL.nomadAddress }, config),
                {},
            );
            assert.deepStrictEqual([t.vaultNamespace, t.vaultCaPem], ["platform", fs.readFileSync(__filename, "utf8")]);
        });
        it("trusts the system's CAs when an external stack names no CA file", async () => {
            process.env.VAULT_TOKEN = "hvs.operator";
            const t = await verifyTarget(
                stackOf("prod", { vaultAddress: EXTERNAL.vaultAddress, nomadAddress: EXTERNAL.nomadAddress }, EXTERNAL),
                {},
            );
            assert.strictEqual(t.vaultCaPem, undefined);
        });
    });

    describe("its options", () => {
        it("run with the default concurrency and no wait when none is given", () => {
            assert.deepStrictEqual(verifySettings({}), { waitMs: 0, concurrency: undefined });
        });
        it("refuse a concurrency that is not a whole number in range, naming it", () => {
            assert.throws(
                () => verifySettings({ concurrency: "0" }),
                (err: Error) => err instanceof UsageError && /^--concurrency 0: /.test(err.message),
            );
        });
    });

    describe("its run", function () {
        this.timeout(30_000);

        it("prints one JSON document under --json", async () => {
            const fake = await startFakeStack();
            try {
                const stack = demoStackOn(fake);
                const { driver, out } = fakeDriver();
                await verifyStack(stack, { json: true }, { waitMs: 0 }, driver);
                assert.deepStrictEqual([out.length, JSON.parse(out[0]).passed], [1, true]);
            } finally {
                await fake.close();
            }
        });
        it("fails once any check fails", async () => {
            const fake = await startFakeStack();
            fake.world.sealed = true;
            try {
                const stack = demoStackOn(fake);
                await assert.rejects(verifyStack(stack, { json: true }, { waitMs: 0 }, fakeDriver().driver), VerifyFailed);
            } finally {
                await fake.close();
            }
        });
    });
});
