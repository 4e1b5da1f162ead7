// Every value the tutorial fixes, read from the tutorial's own files and compared with what the
// program registers under the default (dev) configuration.
import * as assert from "assert";
import { parseDuration } from "../settings";
import { ProgramRun, runProgram } from "../tools/programRecorder";
import { seedJson } from "./seed";

const AUTH_BACKEND = "vault:jwt/authBackend:AuthBackend";
const JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole";
const POLICY = "vault:index/policy:Policy";
const MOUNT = "vault:index/mount:Mount";
const CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection";
const DB_ROLE = "vault:database/secretBackendRole:SecretBackendRole";

/** The tutorial's role files in the provider's argument names (TTLs in seconds). */
function expectedRole(seedFile: string): Record<string, unknown> {
    const seed = seedJson(seedFile);
    return {
        roleType: seed.role_type,
        boundAudiences: seed.bound_audiences,
        userClaim: seed.user_claim,
        userClaimJsonPointer: seed.user_claim_json_pointer,
        claimMappings: seed.claim_mappings,
        tokenType: seed.token_type,
        tokenPolicies: seed.token_policies,
        tokenPeriod: parseDuration(seed.token_period),
        tokenExplicitMaxTtl: seed.token_explicit_max_ttl,
        ...(seed.bound_claims ? { boundClaims: seed.bound_claims } : {}),
    };
}

function pick(inputs: Record<string, unknown>, keys: string[]): Record<string, unknown> {
    return Object.fromEntries(keys.map((key) => [key, inputs[key]]));
}

describe("conformance with the tutorial", function () {
    this.timeout(60_000);
    let run: ProgramRun;
    const inputs = (type: string, name?: string) => run.one(type, name).inputs!;

    before(async () => {
        run = await runProgram();
    });

    describe("JWT auth method (vault-auth-method-jwt-nomad.json)", () => {
        const seed = seedJson("vault-auth-method-jwt-nomad.json");

        it("is a jwt method mounted at jwt-nomad", () => {
            assert.deepStrictEqual(pick(inputs(AUTH_BACKEND), ["type", "path"]), { type: "jwt", path: "jwt-nomad" });
        });
        it("fetches the tutorial's JWKS URL", () => {
            assert.strictEqual(inputs(AUTH_BACKEND).jwksUrl, seed.jwks_url);
        });
        it("accepts the tutorial's signing algorithms", () => {
            assert.deepStrictEqual(inputs(AUTH_BACKEND).jwtSupportedAlgs, seed.jwt_supported_algs);
        });
        it("defaults to the nomad-workloads role", () => {
            assert.strictEqual(inputs(AUTH_BACKEND).defaultRole, seed.default_role);
        });
    });

    describe("roles", () => {
        for (const [roleName, seedFile] of [
            ["nomad-workloads", "vault-role-nomad-workloads.json"],
            ["mongo-dynamic-secret", "vault-role-mongo-dynamic-secret.json"],
        ]) {
            it(`${roleName} matches ${seedFile} field by field`, () => {
                const role = run.ofType(JWT_ROLE).find((r) => r.inputs!.roleName === roleName);
                assert.ok(role, `no JWT role named ${roleName}`);
                const expected = expectedRole(seedFile);
                assert.deepStrictEqual(pick(role.inputs!, Object.keys(expected)), expected);
            });
            it(`${roleName} is a role of the jwt-nomad method`, () => {
                const role = run.ofType(JWT_ROLE).find((r) => r.inputs!.roleName === roleName)!;
                assert.strictEqual(role.inputs!.backend, "jwt-nomad");
            });
        }
        it("the default role has no bound claims, so every job may use it", () => {
            const role = run.ofType(JWT_ROLE).find((r) => r.inputs!.roleName === "nomad-workloads")!;
            assert.strictEqual(role.inputs!.boundClaims, undefined);
        });
    });

    describe("policies", () => {
        it("are named after their roles", () => {
            assert.deepStrictEqual(
                run
                    .ofType(POLICY)
                    .map((p) => p.inputs!.name)
                    .sort(),
                ["mongo-dynamic-secret", "nomad-workloads"],
            );
        });
    });

    describe("secrets engines", () => {
        it("mounts KV version 2 at kv/", () => {
            assert.deepStrictEqual(pick(inputs(MOUNT, "kv-mount"), ["path", "type", "options"]), {
                path: "kv",
                type: "kv",
                options: { version: "2" },
            });
        });
        it("writes root_password at default/mongo/config in kv", () => {
            const secret = inputs("vault:kv/secretV2:SecretV2");
            assert.deepStrictEqual(
                [secret.mount, secret.name, Object.keys(JSON.parse(secret.dataJson))],
                ["kv", "default/mongo/config", ["root_password"]],
            );
        });
        it("mounts the database engine at database/", () => {
            assert.deepStrictEqual(pick(inputs(MOUNT, "database-mount"), ["path", "type"]), { path: "database", type: "database" });
        });
        it("configures the mongo connection as vault-dynamic-secret-mongo.json", () => {
            const seed = seedJson("vault-dynamic-secret-mongo.json");
            const connection = inputs(CONNECTION);
            assert.deepStrictEqual(
                [
                    connection.name,
                    connection.pluginName,
                    connection.allowedRoles,
                    connection.mongodb.connectionUrl,
                    connection.mongodb.username,
                ],
                ["mongo", seed.plugin_name, [seed.allowed_roles], seed.connection_url, seed.username],
            );
        });
        it("connects as root with the password kept in KV", () => {
            const kvPassword = JSON.parse(inputs("vault:kv/secretV2:SecretV2").dataJson).root_password;
            assert.strictEqual(inputs(CONNECTION).mongodb.password, kvPassword);
        });
        it("defines the mongo role as vault-database-role-mongo.json", () => {
            const seed = seedJson("vault-database-role-mongo.json");
            const role = inputs(DB_ROLE);
            assert.deepStrictEqual(
                [role.name, role.dbName, role.creationStatements, role.defaultTtl, role.maxTtl],
                ["mongo", seed.db_name, [seed.creation_statements], parseDuration(seed.default_ttl), parseDuration(seed.max_ttl)],
            );
        });
    });

    describe("jobs", () => {
        const jobs = () => run.ofType("nomad:index/job:Job");

        it("registers the mongo and mongo-query jobs", () => {
            assert.deepStrictEqual(
                jobs()
                    .map((j) => /job\s+"([^"]+)"/.exec(j.inputs!.jobspec)![1])
                    .sort(),
                ["mongo", "mongo-query"],
            );
        });
        it("waits for each job's deployment instead of returning at once", () => {
            assert.deepStrictEqual(
                jobs().map((j) => j.inputs!.detach),
                [false, false],
            );
        });
        it("purges the jobs on destroy", () => {
            assert.deepStrictEqual(
                jobs().map((j) => j.inputs!.purgeOnDestroy),
                [true, true],
            );
        });
        it("passes HCL2 variables as strings, with the tutorial's port, image, namespace and KV mount", () => {
            assert.deepStrictEqual(inputs("nomad:index/job:Job", "mongo-job").hcl2, {
                vars: { mongo_image: "mongo:7", mongo_port: "27017", namespace: "default", kv_mount: "kv" },
            });
        });
        it("gives mongo-query the tutorial's role and namespace", () => {
            assert.deepStrictEqual(inputs("nomad:index/job:Job", "mongo-query-job").hcl2, {
                vars: { mongo_image: "mongo:7", namespace: "default", vault_role: "mongo-dynamic-secret" },
            });
        });
    });
});
