// The stack outputs a user pastes into a shell.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { OUTPUT_DESCRIPTIONS, outputsTable } from "../program/outputs";
import { OUTPUTS_END, OUTPUTS_START, replaceBetween } from "../tools/configDocs";
import { PROJECT_ROOT, ProgramRun, runProgram } from "../tools/programRecorder";

const value = (output: unknown) => (output as pulumi.Output<string> & { promise(): Promise<string> }).promise();

describe("stack outputs", function () {
    this.timeout(60_000);
    let run: ProgramRun;

    before(async () => {
        run = await runProgram();
    });

    it("give Vault's and Nomad's addresses", async () => {
        assert.deepStrictEqual(
            [await value(run.exports.vaultAddress), await value(run.exports.nomadAddress)],
            ["http://127.0.0.1:8200", "http://127.0.0.1:4646"],
        );
    });
    it("give ready-to-paste address exports", async () => {
        assert.strictEqual(await value(run.exports.envExports), "export VAULT_ADDR=http://127.0.0.1:8200 NOMAD_ADDR=http://127.0.0.1:4646");
    });
    it("give token exports that read the secrets from the stack, not their values", () => {
        assert.strictEqual(
            run.exports.tokenExports,
            'export VAULT_TOKEN="$(pulumi stack output vaultToken --show-secrets)" NOMAD_TOKEN="$(pulumi stack output nomadToken --show-secrets)"',
        );
    });
    it("give the JWT auth method's accessor", async () => {
        assert.match(await value(run.exports.jwtAuthAccessor), /^auth_jwt_[0-9a-f]+$/);
    });
    it("say how to read mongo-query's result from the agent's container", async () => {
        assert.strictEqual(
            await value(run.exports.mongoQueryResultCommand),
            'docker exec -e NOMAD_TOKEN="$(pulumi stack output nomadToken --show-secrets)" vaultnomad-dev-nomad nomad alloc logs -address=http://127.0.0.1:4646 -namespace=default -job mongo-query',
        );
    });
});

describe("stack outputs, documented", function () {
    this.timeout(60_000);

    it("index.ts exports exactly the outputs program/outputs.ts describes", async () => {
        const run = await runProgram();
        assert.deepStrictEqual(Object.keys(run.exports).sort(), Object.keys(OUTPUT_DESCRIPTIONS).sort());
    });
    it("each has a one-line description", () => {
        assert.deepStrictEqual(
            Object.entries(OUTPUT_DESCRIPTIONS).filter(([, line]) => !line.trim() || line.includes("\n")),
            [],
        );
    });
    it("are listed in the README's table (npm run docs)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        assert.strictEqual(replaceBetween(readme, OUTPUTS_START, OUTPUTS_END, outputsTable()), readme);
    });
});
