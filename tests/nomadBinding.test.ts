// The typed Nomad binding against the pulumi-nomad provider's own schema (v2.6.1).
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as nomad from "../nomad";
import { ProgramRun, runProgram } from "../tools/programRecorder";
import { readSchemaFixture, SCHEMA_FIXTURE } from "./providerSchema";

const schema = readSchemaFixture();
const JOB = "nomad:index/job:Job";

describe("Nomad binding", function () {
    this.timeout(60_000);
    let run: ProgramRun;

    before(async () => {
        run = await runProgram();
    });

    it("pins the schema's plugin version", () => {
        assert.strictEqual(`v${nomad.PLUGIN_VERSION}`, path.basename(SCHEMA_FIXTURE).match(/v\d+\.\d+\.\d+/)![0]);
    });
    for (const [token, spec] of Object.entries(nomad.RESOURCES)) {
        describe(token, () => {
            it("is a resource of the provider", () => {
                assert.ok(schema.resources[token], `${token} is not in the schema`);
            });
            it("passes only inputs that the provider declares", () => {
                const declared = Object.keys(schema.resources[token].inputProperties);
                assert.deepStrictEqual(
                    spec.inputs.filter((name) => !declared.includes(name)),
                    [],
                );
            });
            it("declares only outputs that the provider returns", () => {
                const returned = Object.keys(schema.resources[token].properties);
                assert.deepStrictEqual(
                    spec.outputs.filter((name) => !returned.includes(name)),
                    [],
                );
            });
            it("passes every input the provider requires", () => {
                const required: string[] = schema.resources[token].requiredInputs ?? [];
                assert.deepStrictEqual(
                    required.filter((name) => !(spec.inputs as readonly string[]).includes(name)),
                    [],
                );
            });
            it("marks secret exactly the outputs the schema marks secret", () => {
                const secret = Object.entries(schema.resources[token].properties as Record<string, { secret?: boolean }>)
                    .filter(([name, p]) => p.secret && (spec.outputs as readonly string[]).includes(name))
                    .map(([name]) => name);
                assert.deepStrictEqual([...spec.secrets], secret);
            });
        });
    }
    it("configures the provider only with settings the provider declares", () => {
        const declared = Object.keys(schema.provider.inputProperties);
        assert.deepStrictEqual(
            nomad.PROVIDER_INPUTS.filter((name) => !declared.includes(name)),
            [],
        );
    });
    it("keeps the inputs' JSON types: booleans and an object of string variables", () => {
        const types = schema.resources[JOB].inputProperties;
        const job = run.one(JOB, "mongo-job").inputs!;
        for (const [name, value] of Object.entries(job)) {
            const expected = types[name]?.type ?? "object";
            const actual = typeof value === "string" ? "string" : typeof value === "boolean" ? "boolean" : "object";
            assert.strictEqual(actual, expected, `${name} is a ${actual}, the schema says ${expected}`);
        }
        const varsType = schema.types["nomad:index/JobHcl2:JobHcl2"].properties.vars.additionalProperties.type;
        assert.deepStrictEqual(
            Object.values(job.hcl2.vars).map((v) => typeof v),
            Object.values(job.hcl2.vars).map(() => varsType),
        );
    });
    it("registers jobs with the provider's Job token and the pinned version", () => {
        const job = run.one(JOB, "mongo-job");
        assert.deepStrictEqual([job.type, job.opts.version], [JOB, nomad.PLUGIN_VERSION]);
    });
    it("registers the provider as pulumi:providers:nomad with the pinned version", () => {
        const provider = run.one("pulumi:providers:nomad");
        assert.strictEqual(provider.opts.version, nomad.PLUGIN_VERSION);
    });
    it("marks the provider's token secret, as the schema does", async () => {
        const secretId = run.one("pulumi:providers:nomad").props.secretId as pulumi.Output<string>;
        assert.deepStrictEqual([schema.provider.inputProperties.secretId.secret, await pulumi.isSecret(secretId)], [true, true]);
    });
});
