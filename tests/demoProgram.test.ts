// program/demo.ts wired as the tutorial's steps. Each test runs the program itself, so that what it
// asserts is what that run registered.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, runProgram } from "../tools/programRecorder";

const inputsOf = (run: ProgramRun, name: string) => run.resources.find((r) => r.name === name)!.inputs!;
const providerOf = (run: ProgramRun, name: string) => run.resources.find((r) => r.name === name)!.providerRef?.split("::")[3];
const valueOf = (output: unknown) => (output as pulumi.Output<unknown> & { promise(): Promise<unknown> }).promise();

describe("the demo program", function () {
    this.timeout(60_000);

    it("names the agents' containers after the stack", async () => {
        const run = await runProgram({ stack: "review-feat-x" });
        assert.deepStrictEqual(
            [inputsOf(run, "vault-container").name, inputsOf(run, "nomad-container").name],
            ["vaultnomad-review-feat-x-vault", "vaultnomad-review-feat-x-nomad"],
        );
    });
    it("bootstraps the ACLs of its own Nomad agent, waiting as long as the agents may take to start", async () => {
        const run = await runProgram({ config: { readyTimeoutSeconds: "45" } });
        const { address, agentId, agentName, timeoutSeconds } = inputsOf(run, "nomad-acl-bootstrap");
        assert.deepStrictEqual(
            { address, agentId, agentName, timeoutSeconds },
            { address: "http://127.0.0.1:4646", agentId: "nomad-container-id", agentName: "vaultnomad-dev-nomad", timeoutSeconds: 45 },
        );
    });
    it("checks the JWKS its Nomad agent serves before Vault is configured with it", async () => {
        const run = await runProgram({ config: { readyTimeoutSeconds: "45" } });
        const check = inputsOf(run, "workload-identity-jwks-check");
        assert.deepStrictEqual(
            [check.url, check.timeoutSeconds, inputsOf(run, "workload-identity-jwt").jwksUrl],
            ["http://127.0.0.1:4646/.well-known/jwks.json", 45, "http://127.0.0.1:4646/.well-known/jwks.json"],
        );
    });
    it("makes every Vault resource of the tutorial through its own Vault's provider", async () => {
        const run = await runProgram();
        const vaultResources = run.resources.filter((r) => r.custom && r.type.startsWith("vault:")).map((r) => r.name);
        assert.deepStrictEqual(
            vaultResources.filter((name) => providerOf(run, name) !== "vault-provider"),
            [],
            `of ${vaultResources.join(", ")}`,
        );
    });
    it("connects Vault to MongoDB on the stack's mongo port, once the mongo job runs", async () => {
        const run = await runProgram({ config: { mongoPort: "37017" } });
        const connection = run.one("vault:database/secretBackendConnection:SecretBackendConnection");
        assert.deepStrictEqual(
            [connection.inputs!.mongodb.connectionUrl, run.waitsFor(connection, run.one("nomad:index/job:Job", "mongo-job"))],
            ["mongodb://{{username}}:{{password}}@127.0.0.1:37017/admin", true],
        );
    });
    it("with nomadSecretsEngine, lets Vault issue Nomad tokens from its own Nomad agent, and says how to get one", async () => {
        const run = await runProgram({ config: { nomadSecretsEngine: "true", nomadSecretsRole: "ops" } });
        assert.deepStrictEqual(
            {
                address: inputsOf(run, "nomad-secrets-backend").address,
                providers: [providerOf(run, "nomad-secrets-backend"), providerOf(run, "nomad-secrets-token")],
                command: await valueOf(run.exports.nomadTokenCommand),
            },
            {
                address: "http://127.0.0.1:4646",
                providers: ["vault-provider", "nomad-acl-provider"],
                command: "vault read nomad/creds/ops",
            },
        );
    });
    it("exports the tutorial's addresses and ready-to-paste commands, and no Nomad token command by default", async () => {
        const run = await runProgram();
        const values = Object.fromEntries(
            await Promise.all(
                Object.entries(run.exports).map(async ([key, output]) => [
                    key,
                    pulumi.Output.isInstance(output) ? await valueOf(output) : output,
                ]),
            ),
        );
        const token = (name: string) => `"$(pulumi stack output ${name} --show-secrets)"`;
        assert.deepStrictEqual(
            {
                envExports: values.envExports,
                tokenExports: values.tokenExports,
                mongoQueryResultCommand: values.mongoQueryResultCommand,
                clientVaultAddress: /address\s+= "(.*)"/.exec(values.nomadClientVaultConfig)?.[1],
                nomadTokenCommand: values.nomadTokenCommand,
            },
            {
                envExports: "export VAULT_ADDR=http://127.0.0.1:8200 NOMAD_ADDR=http://127.0.0.1:4646",
                tokenExports: `export VAULT_TOKEN=${token("vaultToken")} NOMAD_TOKEN=${token("nomadToken")}`,
                mongoQueryResultCommand: `docker exec -e NOMAD_TOKEN=${token("nomadToken")} vaultnomad-dev-nomad nomad alloc logs -address=http://127.0.0.1:4646 -namespace=default -job mongo-query`,
                clientVaultAddress: "http://127.0.0.1:8200",
                nomadTokenCommand: undefined,
            },
        );
    });
});
