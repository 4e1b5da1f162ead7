// Every rule of the policy pack: the program itself complies (the happy path), and one change
// to one resource makes the rule report its violation.
import * as assert from "assert";
import { containersLoopbackOnly } from "../policy/containers";
import { jwtRolesBindAudiences, jwtRolesBindClaims, renewableServiceTokens, tokenLifetimesBounded } from "../policy/jwtRoles";
import { agentAudienceMatchesRoles, jobsUseExistingRoles } from "../policy/nomad";
import { POLICIES } from "../policy/policies";
import { secretsStayInSecretFields } from "../policy/secrets";
import { kvPolicyPathsMatch, vaultPoliciesGrantNoBroadPaths } from "../policy/vaultPolicies";
import { changed, happyPath, PlainResource, previewPath, UNKNOWN, violations } from "./policyHarness";

describe("policy pack", function () {
    this.timeout(60_000);
    let program: PlainResource[];

    before(async () => {
        program = await happyPath();
    });

    it("has at least 8 rules, each with a kebab-case name and a description", () => {
        const bad = POLICIES.filter((p) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(p.name) || !p.description);
        assert.deepStrictEqual([POLICIES.length >= 8, bad.map((p) => p.name)], [true, []]);
    });
    it("leaves every rule mandatory (the pack's default)", () => {
        assert.deepStrictEqual(
            POLICIES.filter((p) => p.enforcementLevel !== undefined).map((p) => p.name),
            [],
        );
    });
    for (const policy of POLICIES) {
        it(`${policy.name}: the program complies`, async () => {
            assert.deepStrictEqual(await violations(policy, program), []);
        });
    }

    describe("in preview, with the values a new stack does not know yet", () => {
        const modes: Array<[string, Record<string, string>]> = [["demo", {}]];
        const previews = new Map<string, PlainResource[]>();
        before(async () => {
            for (const [mode, config] of modes) {
                previews.set(mode, await previewPath(config));
            }
        });
        it("has unknowns where a preview has them: the accessor-rendered policy, the tokens", () => {
            const unknownProps = previews.get("demo")!.flatMap((r) =>
                Object.entries(r.props)
                    .filter(([, v]) => JSON.stringify(v).includes(UNKNOWN))
                    .map(([k]) => `${r.type}.${k}`),
            );
            assert.deepStrictEqual(
                ["vault:index/policy:Policy.policy", "pulumi:providers:vault.token", "vault:jwt/authBackend:AuthBackend.jwksUrl"].filter(
                    (p) => !unknownProps.includes(p),
                ),
                [],
            );
        });
        for (const [mode] of modes) {
            for (const policy of POLICIES) {
                it(`${policy.name} (${mode}): runs, and reports nothing`, async () => {
                    assert.deepStrictEqual(await violations(policy, previews.get(mode)!), []);
                });
            }
        }
        it("still reports a broad grant whose text is known", async () => {
            const resources = changed(previews.get("demo")!, "workload-identity-policy", (props) => {
                props.policy = 'path "sys/*" { capabilities = ["read"] }';
            });
            assert.strictEqual((await violations(vaultPoliciesGrantNoBroadPaths, resources)).length, 1);
        });
    });

    describe("vault-policy-no-broad-grants", () => {
        it("reports a grant on sys/", async () => {
            const broad = changed(
                program,
                "workload-identity-policy",
                (p) => (p.policy += '\npath "sys/*" {\n  capabilities = ["read"]\n}\n'),
            );
            assert.deepStrictEqual(await violations(vaultPoliciesGrantNoBroadPaths, broad), [
                'Policy nomad-workloads grants [read] on "sys/*": workloads need neither every path nor sys/.',
            ]);
        });
        it("reports a grant on a bare *", async () => {
            const broad = changed(
                program,
                "mongo-dynamic-secret-policy",
                (p) => (p.policy = 'path "*" {\n  capabilities = ["read", "list"]\n}\n'),
            );
            assert.deepStrictEqual(await violations(vaultPoliciesGrantNoBroadPaths, broad), [
                'Policy mongo-dynamic-secret grants [read, list] on "*": workloads need neither every path nor sys/.',
            ]);
        });
        it("reports a grant on sys itself", async () => {
            const broad = changed(
                program,
                "mongo-dynamic-secret-policy",
                (p) => (p.policy = 'path "sys" {\n  capabilities = ["read"]\n}\n'),
            );
            assert.strictEqual((await violations(vaultPoliciesGrantNoBroadPaths, broad)).length, 1);
        });
        it("allows a path that only begins with the letters sys", async () => {
            const near = changed(
                program,
                "mongo-dynamic-secret-policy",
                (p) => (p.policy = 'path "system-kv/*" {\n  capabilities = ["read"]\n}\n'),
            );
            assert.deepStrictEqual(await violations(vaultPoliciesGrantNoBroadPaths, near), []);
        });
    });

    describe("kv-policy-paths-match", () => {
        const FREEZE = 'path "kv/data/default/mongo/*" {\n  capabilities = ["deny"]\n}\n';
        /** The program with a vault secret block `name` at `path` in the mongo job's task (Nomad ≥ 1.11). */
        const withSecretBlock = (resources: PlainResource[], name: string, path: string) =>
            changed(resources, "mongo-job", (p) => {
                p.jobspec = p.jobspec.replace(
                    /(\n\s*vault \{)/,
                    `\n      secret "${name}" {\n        provider = "vault"\n        path     = "${path}"\n      }\n$1`,
                );
            });
        it("reports a secret outside every job's path (the namespace left out)", async () => {
            const misplaced = changed(program, "kv-mongo-config", (p) => (p.name = "mongo/config"));
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, misplaced), [
                "Secret kv/data/mongo/config is not under the path of a job that uses Vault (kv/data/<namespace>/<job>/…; jobs: default/mongo, default/mongo-query).",
            ]);
        });
        it("reports a job's secret that the templated policy does not let it read", async () => {
            const narrow = changed(
                program,
                "workload-identity-policy",
                (p) =>
                    (p.policy = p.policy
                        .replace(/nomad_job_id\}\}\/\*"/, 'nomad_job_id}}/app/*"')
                        .replace(/nomad_job_id\}\}" \{/, 'nomad_job_id}}/app" {')),
            );
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, narrow), [
                'No templated policy lets job mongo in namespace default read kv/data/default/mongo/config (no rule of policy nomad-workloads matches "kv/data/default/mongo/config"): write it under kv/data/<namespace>/<job>/.',
                `Job mongo in namespace default: task mongo asks read kv/data/default/mongo/config, which role nomad-workloads's policies do not grant (no rule of policy nomad-workloads matches "kv/data/default/mongo/config").`,
            ]);
        });
        it("reports a KV v2 path without its data/ segment", async () => {
            const noData = changed(program, "workload-identity-policy", (p) => (p.policy = p.policy.replaceAll("kv/data/", "kv/")));
            assert.match((await violations(kvPolicyPathsMatch, noData))[0], /on a KV v2 mount, secrets are read at kv\/data\//);
        });
        it("reports a path on a mount that is not KV v2", async () => {
            const v1 = changed(program, "kv-mount", (p) => (p.options = { version: "1" }));
            assert.match((await violations(kvPolicyPathsMatch, v1))[0], /but kv\/ is not a KV v2 mount/);
        });
        it("accepts a KV v2 path with its metadata/ segment", async () => {
            const metadata = changed(
                program,
                "workload-identity-policy",
                (p) => (p.policy += '\npath "kv/metadata/*" {\n  capabilities = ["list"]\n}\n'),
            );
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, metadata), []);
        });
        it("takes a mount of type kv-v2 as KV v2", async () => {
            const v2 = changed(program, "kv-mount", (p) => {
                p.type = "kv-v2";
                delete p.options;
            });
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, v2), []);
        });
        it("reports a secret of a job whose own role's policies do not grant it", async () => {
            const secret = program.find((r) => r.name === "kv-mongo-config")!;
            const extra = { ...secret, name: "kv-query-config", props: { ...secret.props, name: "default/mongo-query/config" } };
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, [...program, extra]), [
                `Role mongo-dynamic-secret's policies do not let job mongo-query in namespace default read kv/data/default/mongo-query/config (no rule of policy mongo-dynamic-secret matches "kv/data/default/mongo-query/config"): grant it read.`,
            ]);
        });
        it("reports a job's secret under a deny merged from another of its role's policies, asking no grant beside it", async () => {
            const freeze = { type: "vault:index/policy:Policy", name: "freeze-policy", props: { name: "freeze", policy: FREEZE } };
            const frozen = changed(
                [...program, freeze],
                "workload-identity-role",
                (p) => (p.tokenPolicies = [...p.tokenPolicies, "freeze"]),
            );
            assert.deepStrictEqual(
                (await violations(kvPolicyPathsMatch, frozen))[0],
                `No templated policy lets job mongo in namespace default read kv/data/default/mongo/config (denied by "kv/data/default/mongo/*" (deny) in policy freeze; the deny overrides what policy nomad-workloads grants on the same path): lift the deny from the role's policies, or write it elsewhere.`,
            );
        });
        it("reports a job whose secret block reads a KV path its role does not grant", async () => {
            const block = withSecretBlock(program, "other", "kv/data/default/web/other");
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, block), [
                `Job mongo in namespace default: task mongo asks read kv/data/default/web/other (secret block "other"), which role nomad-workloads's policies do not grant (no rule of policy nomad-workloads matches "kv/data/default/web/other").`,
            ]);
        });
        it("judges the requests on a mount of type kv-v2, data/ and all", async () => {
            const v2 = changed(withSecretBlock(program, "other", "kv/data/default/web/other"), "kv-mount", (p) => {
                p.type = "kv-v2";
                delete p.options;
            });
            assert.strictEqual((await violations(kvPolicyPathsMatch, v2)).length, 1);
        });
        it("leaves to other rules a job's request on a mount that is not KV", async () => {
            const pki = { type: "vault:index/mount:Mount", name: "pki-mount", props: { path: "pki", type: "pki" } };
            const issuing = withSecretBlock([...program, pki], "cert", "pki/issue/nomad");
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, issuing), []);
        });
        it("reports a secret under a deny in its own role's policies, asking no grant beside it", async () => {
            const secret = program.find((r) => r.name === "kv-mongo-config")!;
            const extra = { ...secret, name: "kv-query-config", props: { ...secret.props, name: "default/mongo-query/config" } };
            const freeze = {
                type: "vault:index/policy:Policy",
                name: "freeze-policy",
                props: { name: "freeze", policy: FREEZE.replace("default/mongo", "default/mongo-query") },
            };
            const frozen = changed(
                [...program, extra, freeze],
                "mongo-dynamic-secret-role",
                (p) => (p.tokenPolicies = [...p.tokenPolicies, "freeze"]),
            );
            assert.match((await violations(kvPolicyPathsMatch, frozen))[0], /\(denied by .*\): lift the deny from the role's policies\.$/);
        });
        it("accepts a job whose secret block reads its own KV path", async () => {
            const block = withSecretBlock(program, "own", "kv/data/default/mongo/own");
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, block), []);
        });
        describe("with values unknown in preview", () => {
            const querySecret = () => {
                const secret = program.find((r) => r.name === "kv-mongo-config")!;
                return { ...secret, name: "kv-query-config", props: { ...secret.props, name: "default/mongo-query/config" } };
            };
            it("leaves a role whose policy is unknown unjudged", async () => {
                const unknownPolicy = changed([...program, querySecret()], "mongo-dynamic-secret-policy", (p) => (p.policy = UNKNOWN));
                assert.deepStrictEqual(await violations(kvPolicyPathsMatch, unknownPolicy), []);
            });
            it("leaves every secret unjudged while a job is unknown", async () => {
                const unknownJob = changed([...program, querySecret()], "mongo-query-job", (p) => (p.jobspec = UNKNOWN));
                assert.deepStrictEqual(await violations(kvPolicyPathsMatch, unknownJob), []);
            });
            it("skips a secret whose name is unknown", async () => {
                const unknownName = changed(program, "kv-mongo-config", (p) => (p.name = UNKNOWN));
                assert.deepStrictEqual(await violations(kvPolicyPathsMatch, unknownName), []);
            });
        });
        it("judges no secret when the stack has no templated policy", async () => {
            const untemplated = changed(
                program,
                "workload-identity-policy",
                (p) => (p.policy = 'path "kv/data/default/other/*" {\n  capabilities = ["read"]\n}\n'),
            );
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, untemplated), []);
        });
        it("takes a kv mount without options as KV v1", async () => {
            const v1 = changed(program, "kv-mount", (p) => delete p.options);
            assert.match((await violations(kvPolicyPathsMatch, v1))[0], /but kv\/ is not a KV v2 mount/);
        });
        it("lets a job read what any one of its role's policies grants, a policy the stack lacks granting nothing", async () => {
            const secret = program.find((r) => r.name === "kv-mongo-config")!;
            const extra = { ...secret, name: "kv-query-config", props: { ...secret.props, name: "default/mongo-query/config" } };
            const twoPolicies = changed(
                [...program, extra],
                "mongo-dynamic-secret-role",
                (p) => (p.tokenPolicies = ["elsewhere", "nomad-workloads"]),
            );
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, twoPolicies), []);
        });
        it("leaves a role unjudged when one of its policies is unknown, even beside one that is absent", async () => {
            const secret = program.find((r) => r.name === "kv-mongo-config")!;
            const extra = { ...secret, name: "kv-query-config", props: { ...secret.props, name: "default/mongo-query/config" } };
            const resources = changed(
                changed([...program, extra], "mongo-dynamic-secret-role", (p) => (p.tokenPolicies = ["elsewhere", "mongo-dynamic-secret"])),
                "mongo-dynamic-secret-policy",
                (p) => (p.policy = UNKNOWN),
            );
            assert.deepStrictEqual(await violations(kvPolicyPathsMatch, resources), []);
        });
    });

    describe("jwt-role-bound-audiences", () => {
        it("reports a role without audiences", async () => {
            const open = changed(program, "workload-identity-role", (p) => (p.boundAudiences = []));
            assert.deepStrictEqual(await violations(jwtRolesBindAudiences, open), [
                'Role nomad-workloads has no bound_audiences: set them to Nomad\'s vault.default_identity.aud ("vault.io").',
            ]);
        });
        it("reports a role whose audiences are not set at all", async () => {
            const open = changed(program, "workload-identity-role", (p) => delete p.boundAudiences);
            assert.strictEqual((await violations(jwtRolesBindAudiences, open)).length, 1);
        });
        it("leaves OIDC roles alone: they take no identity from Nomad", async () => {
            const oidc = changed(program, "workload-identity-role", (p) => {
                p.roleType = "oidc";
                p.boundAudiences = [];
            });
            assert.deepStrictEqual(await violations(jwtRolesBindAudiences, oidc), []);
        });
    });

    describe("jwt-role-bound-claims", () => {
        it("reports a non-default role that binds no claims", async () => {
            const open = changed(program, "mongo-dynamic-secret-role", (p) => delete p.boundClaims);
            assert.match(
                (await violations(jwtRolesBindClaims, open))[0],
                /^Role mongo-dynamic-secret is not the default role of jwt-nomad but binds no claims/,
            );
        });
        it("allows the auth method's default role to bind no claims", async () => {
            const open = changed(program, "workload-identity-role", (p) => delete p.boundClaims);
            assert.deepStrictEqual(await violations(jwtRolesBindClaims, open), []);
        });
        it("takes a role as default only on the auth method that names it", async () => {
            const moved = changed(program, "workload-identity-role", (p) => (p.backend = "jwt-other"));
            assert.match((await violations(jwtRolesBindClaims, moved))[0], /^Role nomad-workloads is not the default role of jwt-other/);
        });
    });

    describe("jwt-role-token-lifetimes", () => {
        it("reports a period over the limit", async () => {
            const long = changed(program, "workload-identity-role", (p) => (p.tokenPeriod = 7 * 86400));
            assert.deepStrictEqual(await violations(tokenLifetimesBounded, long), [
                "Role nomad-workloads: token_period 604800s exceeds the limit of 86400s.",
            ]);
        });
        it("reads its limit from the pack's configuration", async () => {
            const long = changed(program, "workload-identity-role", (p) => (p.tokenPeriod = 7 * 86400));
            assert.deepStrictEqual(await violations(tokenLifetimesBounded, long, { maxTokenPeriodSeconds: 7 * 86400 }), []);
        });
        it("allows a period equal to the limit", async () => {
            const atLimit = changed(program, "workload-identity-role", (p) => (p.tokenPeriod = 86400));
            assert.deepStrictEqual(await violations(tokenLifetimesBounded, atLimit), []);
        });
        it("reports a TTL over the TTL limit", async () => {
            const long = changed(program, "workload-identity-role", (p) => (p.tokenTtl = 86401));
            assert.deepStrictEqual(await violations(tokenLifetimesBounded, long, { maxTokenPeriodSeconds: 10 * 86400 }), [
                "Role nomad-workloads: token_ttl 86401s exceeds the limit of 86400s.",
            ]);
        });
        it("reports a max TTL over the TTL limit", async () => {
            const long = changed(program, "workload-identity-role", (p) => (p.tokenMaxTtl = 86401));
            assert.deepStrictEqual(await violations(tokenLifetimesBounded, long), [
                "Role nomad-workloads: token_max_ttl 86401s exceeds the limit of 86400s.",
            ]);
        });
    });

    describe("jwt-role-renewable-tokens", () => {
        it("reports batch tokens", async () => {
            const batch = changed(program, "workload-identity-role", (p) => (p.tokenType = "batch"));
            assert.deepStrictEqual(await violations(renewableServiceTokens, batch), [
                'Role nomad-workloads issues batch tokens, which Nomad cannot renew; use "service".',
            ]);
        });
        it("reports an explicit max TTL", async () => {
            const capped = changed(program, "mongo-dynamic-secret-role", (p) => (p.tokenExplicitMaxTtl = 3600));
            assert.match((await violations(renewableServiceTokens, capped))[0], /caps tokens at 3600s \(token_explicit_max_ttl\); set 0/);
        });
        it("reports a role without a period", async () => {
            const expiring = changed(program, "workload-identity-role", (p) => delete p.tokenPeriod);
            assert.match((await violations(renewableServiceTokens, expiring))[0], /has no token_period/);
        });
        it("accepts default-service tokens and an unset token type", async () => {
            const defaultService = changed(program, "workload-identity-role", (p) => (p.tokenType = "default-service"));
            const unset = changed(program, "workload-identity-role", (p) => delete p.tokenType);
            assert.deepStrictEqual(
                [...(await violations(renewableServiceTokens, defaultService)), ...(await violations(renewableServiceTokens, unset))],
                [],
            );
        });
    });

    describe("agent-audience-matches-roles", () => {
        it("reports an agent whose identities carry another audience", async () => {
            const other = changed(program, "nomad-container", (p) => {
                p.uploads[0].content = p.uploads[0].content.replace('aud = ["vault.io"]', 'aud = ["nomad.io"]');
            });
            assert.deepStrictEqual(await violations(agentAudienceMatchesRoles, other), [
                "Nomad agent vaultnomad-dev-nomad signs identities for [nomad.io], but role nomad-workloads binds [vault.io].",
                "Nomad agent vaultnomad-dev-nomad signs identities for [nomad.io], but role mongo-dynamic-secret binds [vault.io].",
            ]);
        });
        it("accepts an agent whose audiences include the roles' among others", async () => {
            const more = changed(program, "nomad-container", (p) => {
                p.uploads[0].content = p.uploads[0].content.replace('aud = ["vault.io"]', 'aud = ["nomad.io", "vault.io"]');
            });
            assert.deepStrictEqual(await violations(agentAudienceMatchesRoles, more), []);
        });
        it("reports a role whose audiences are not set at all", async () => {
            const open = changed(program, "mongo-dynamic-secret-role", (p) => delete p.boundAudiences);
            assert.deepStrictEqual(await violations(agentAudienceMatchesRoles, open), [
                "Nomad agent vaultnomad-dev-nomad signs identities for [vault.io], but role mongo-dynamic-secret binds [].",
            ]);
        });
        it("names every audience of the agent and of the role", async () => {
            const other = changed(
                changed(program, "nomad-container", (p) => {
                    p.uploads[0].content = p.uploads[0].content.replace('aud = ["vault.io"]', 'aud = ["nomad.io", "other.io"]');
                }),
                "mongo-dynamic-secret-role",
                (p) => (p.boundAudiences = ["vault.io", "third.io"]),
            );
            assert.deepStrictEqual(await violations(agentAudienceMatchesRoles, other), [
                "Nomad agent vaultnomad-dev-nomad signs identities for [nomad.io, other.io], but role nomad-workloads binds [vault.io].",
                "Nomad agent vaultnomad-dev-nomad signs identities for [nomad.io, other.io], but role mongo-dynamic-secret binds [vault.io, third.io].",
            ]);
        });
        it("takes a vault block without default_identity as signing for no audience", async () => {
            const none = changed(
                program,
                "nomad-container",
                (p) => (p.uploads[0].content = "# default_identity: none\nvault {\n  enabled = true\n}\n"),
            );
            assert.strictEqual((await violations(agentAudienceMatchesRoles, none)).length, 2);
        });
        it("takes an agent configuration without a vault block as signing for no audience", async () => {
            const none = changed(
                program,
                "nomad-container",
                (p) => (p.uploads[0].content = "# default_identity: none\nserver {\n  enabled = true\n}\n"),
            );
            assert.deepStrictEqual(await violations(agentAudienceMatchesRoles, none), [
                "Nomad agent vaultnomad-dev-nomad signs identities for [], but role nomad-workloads binds [vault.io].",
                "Nomad agent vaultnomad-dev-nomad signs identities for [], but role mongo-dynamic-secret binds [vault.io].",
            ]);
        });
    });

    describe("jobs-use-existing-roles", () => {
        it("reports a job that names a role the stack lacks", async () => {
            const typo = changed(program, "mongo-query-job", (p) => (p.hcl2.vars.vault_role = "mongo-dynamic"));
            assert.deepStrictEqual(await violations(jobsUseExistingRoles, typo), [
                'Task mongo-query of job mongo-query uses Vault role "mongo-dynamic", which the stack does not define.',
            ]);
        });
        it("reports vault.policies, which workload identity ignores", async () => {
            const legacy = changed(
                program,
                "mongo-job",
                (p) => (p.jobspec = p.jobspec.replace("vault {}", 'vault {\n        policies = ["mongo"]\n      }')),
            );
            assert.match((await violations(jobsUseExistingRoles, legacy))[0], /^Task mongo of job mongo sets vault.policies/);
        });
        it("reports a task without a role when no auth method has a default role", async () => {
            const noDefault = changed(program, "workload-identity-jwt", (p) => delete p.defaultRole);
            assert.deepStrictEqual(await violations(jobsUseExistingRoles, noDefault), [
                "Task mongo of job mongo uses Vault without a role, and no JWT auth method has a default role.",
            ]);
        });
        it("skips a job whose jobspec is unknown in preview", async () => {
            const unknown = changed(
                changed(program, "mongo-query-job", (p) => (p.jobspec = UNKNOWN)),
                "mongo-dynamic-secret-role",
                (p) => (p.roleName = "renamed"),
            );
            assert.deepStrictEqual(await violations(jobsUseExistingRoles, unknown), []);
        });
    });

    describe("containers-loopback-only", () => {
        const published = () => changed(program, "vault-container", (p) => (p.ports = [{ internal: 8200, external: 8200 }]));

        it("reports a port published on every interface", async () => {
            assert.deepStrictEqual(await violations(containersLoopbackOnly, published()), [
                "Container vaultnomad-dev-vault publishes port 8200 on 0.0.0.0; bind it to 127.0.0.1.",
            ]);
        });
        it("allows it when the stack opts in", async () => {
            assert.deepStrictEqual(await violations(containersLoopbackOnly, published(), { allowPublicPorts: true }), []);
        });
        it("reports a container that publishes all its ports", async () => {
            const all = changed(program, "vault-container", (p) => (p.publishAllPorts = true));
            assert.deepStrictEqual(await violations(containersLoopbackOnly, all), [
                "Container vaultnomad-dev-vault publishes all its ports on every interface.",
            ]);
        });
        it("names the internal port when no external one is set", async () => {
            const internal = changed(program, "vault-container", (p) => (p.ports = [{ internal: 8200, ip: "0.0.0.0" }]));
            assert.deepStrictEqual(await violations(containersLoopbackOnly, internal), [
                "Container vaultnomad-dev-vault publishes port 8200 on 0.0.0.0; bind it to 127.0.0.1.",
            ]);
        });
        it("allows a port bound to 127.0.0.1", async () => {
            const loopback = changed(program, "vault-container", (p) => (p.ports = [{ internal: 8200, external: 8200, ip: "127.0.0.1" }]));
            assert.deepStrictEqual(await violations(containersLoopbackOnly, loopback), []);
        });
    });

    describe("secrets-stay-in-secret-fields", () => {
        it("reports a token in a container's environment", async () => {
            const token = program.find((r) => r.type === "pulumi:providers:vault")!.props.token;
            const leaked = changed(program, "nomad-container", (p) => (p.envs = [...p.envs, `VAULT_TOKEN=${token}`]));
            assert.deepStrictEqual(await violations(secretsStayInSecretFields, leaked), [
                "docker:index/container:Container nomad-container: envs contains a secret value; pass it through a secret field instead.",
            ]);
        });
        it("reports the mongo password in a job variable", async () => {
            const password = JSON.parse(program.find((r) => r.name === "kv-mongo-config")!.props.dataJson).root_password;
            const leaked = changed(program, "mongo-job", (p) => (p.hcl2.vars.root_password = password));
            assert.strictEqual((await violations(secretsStayInSecretFields, leaked)).length, 1);
        });
        it("names the nested field that holds the secret", async () => {
            const password = JSON.parse(program.find((r) => r.name === "kv-mongo-config")!.props.dataJson).root_password;
            const leaked = changed(program, "mongo-job", (p) => (p.hcl2.vars.root_password = password));
            assert.match(
                (await violations(secretsStayInSecretFields, leaked))[0],
                /^nomad:index\/job:Job mongo-job: hcl2\.vars\.root_password contains a secret value/,
            );
        });
        it("takes secrets of 8 characters or more, not shorter ones", async () => {
            const leak = (token: string) =>
                changed(
                    changed(program, "vault-provider", (p) => (p.token = token)),
                    "nomad-container",
                    (p) => (p.envs = [...p.envs, `TOKEN=${token}`]),
                );
            assert.deepStrictEqual(
                [
                    (await violations(secretsStayInSecretFields, leak("abcdefgh"))).length,
                    (await violations(secretsStayInSecretFields, leak("abcdefg"))).length,
                ],
                [1, 0],
            );
        });
        describe("in a KV secret's JSON", () => {
            const withSecret = (data: Record<string, unknown>, envs: string[]) => {
                const kv = program.find((r) => r.name === "kv-mongo-config")!;
                const extra = {
                    ...kv,
                    name: "kv-extra",
                    props: { ...kv.props, name: "default/mongo/extra", dataJson: JSON.stringify(data) },
                };
                return changed([...program, extra], "nomad-container", (p) => (p.envs = [...p.envs, ...envs]));
            };
            it("finds a value that only the JSON holds", async () => {
                assert.strictEqual(
                    (await violations(secretsStayInSecretFields, withSecret({ api_key: "k-1234567890" }, ["KEY=k-1234567890"]))).length,
                    1,
                );
            });
            it("takes text values of 8 characters or more, not shorter ones nor numbers", async () => {
                const data = { short: "abc1234", port: 123456789, long: "abcd1234" };
                const found = async (env: string) => (await violations(secretsStayInSecretFields, withSecret(data, [env]))).length;
                assert.deepStrictEqual([await found("A=abc1234"), await found("B=123456789"), await found("C=abcd1234")], [0, 0, 1]);
            });
            it("finds a value nested in the JSON", async () => {
                const data = { db: { users: [{ password: "p-1234567890" }] } };
                assert.strictEqual((await violations(secretsStayInSecretFields, withSecret(data, ["PASSWORD=p-1234567890"]))).length, 1);
            });
        });
        describe("in the outputs that hold one, as a stack policy sees them after an update", () => {
            const outputs: Array<[string, string]> = [
                ["kv-mongo-root-password", "result"],
                ["kv-mongo-root-password", "bcryptHash"],
                ["nomad-acl-bootstrap", "secretId"],
            ];
            for (const [name, field] of outputs) {
                it(`reports ${name}'s ${field} copied into a container's environment`, async () => {
                    const secret = "s-0123456789abcdef";
                    const leaked = changed(
                        changed(program, name, (p) => (p[field] = secret)),
                        "nomad-container",
                        (p) => (p.envs = [...p.envs, `SECRET=${secret}`]),
                    );
                    assert.deepStrictEqual(await violations(secretsStayInSecretFields, leaked), [
                        "docker:index/container:Container nomad-container: envs contains a secret value; pass it through a secret field instead.",
                    ]);
                });
            }
        });
        describe("in a KV secret's data map", () => {
            /** A KV secret whose values only its `data` map holds (as Vault reads them back), and a jobspec variable. */
            const withData = (data: Record<string, unknown>, variable: string) => {
                const kv = program.find((r) => r.name === "kv-mongo-config")!;
                const extra = { ...kv, name: "kv-extra", props: { ...kv.props, name: "default/mongo/extra", dataJson: "{}", data } };
                return changed([...program, extra], "mongo-job", (p) => (p.hcl2.vars.api_key = variable));
            };
            it("reports a value that only the map holds, copied into a jobspec", async () => {
                assert.deepStrictEqual(await violations(secretsStayInSecretFields, withData({ api_key: "k-1234567890" }, "k-1234567890")), [
                    "nomad:index/job:Job mongo-job: hcl2.vars.api_key contains a secret value; pass it through a secret field instead.",
                ]);
            });
            it("takes each text value of 8 characters or more, not shorter ones nor numbers", async () => {
                const data = { short: "abc1234", port: 123456789, long: "abcd1234" };
                const found = async (variable: string) => (await violations(secretsStayInSecretFields, withData(data, variable))).length;
                assert.deepStrictEqual([await found("abc1234"), await found("123456789"), await found("abcd1234")], [0, 0, 1]);
            });
        });
        it("ignores secret fields and properties a resource leaves unset", async () => {
            const unset = changed(
                changed(program, "vault-provider", (p) => delete p.token),
                "nomad-container",
                (p) => {
                    p.envs = [...p.envs, "MODE=undefined"];
                    p.hostname = null;
                },
            );
            assert.deepStrictEqual(await violations(secretsStayInSecretFields, unset), []);
        });
        it("ignores a nested secret field whose parent is unset", async () => {
            const noMongo = changed(program, "database-connection", (p) => delete p.mongodb);
            assert.deepStrictEqual(await violations(secretsStayInSecretFields, noMongo), []);
        });
    });
});
