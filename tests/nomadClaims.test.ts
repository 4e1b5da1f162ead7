// The claims Nomad signs in a workload identity, against Nomad's own TestNewIdentityClaims tables (v2.0.5 and
// v1.10.5) and real-shape identities with and without extra claims (tests/fixtures/identities/).
import * as assert from "assert";
import {
    identityClaims,
    namespaceExtraClaimsSupported,
    NomadIdentityRequest,
    nomadSignsClaim,
    signedClaimNames,
} from "../policy/nomadClaims";
import { identity1105, identity205, IdentityTable, readIdentityFixture } from "./identityFixtures";

/** What TestNewIdentityClaims compares: all but the random jti, the allocation ID and the times. */
function compared(claims: Record<string, unknown>): Record<string, unknown> {
    const { jti: _jti, nomad_allocation_id: _alloc, iat: _iat, nbf: _nbf, ...rest } = claims;
    return rest;
}

const mongoQuery: NomadIdentityRequest = identity205.request;
const FULL_NODE = { id: "n1", datacenter: "dc2", pool: "p1", class: "c1" };
const claimsOf = (change: Partial<NomadIdentityRequest>) => identityClaims({ ...mongoQuery, ...change }) as Record<string, any>;

describe("policy: the claims Nomad signs", () => {
    for (const table of ["nomad-v2.0.5.TestNewIdentityClaims", "nomad-v1.10.5.TestNewIdentityClaims"]) {
        describe(table, () => {
            for (const row of readIdentityFixture<IdentityTable>(table).rows) {
                it(`signs ${row.name} as Nomad's test expects`, () => {
                    assert.deepStrictEqual(compared(identityClaims(row.request)), row.expected);
                });
            }
        });
    }

    describe("real-shape identities", () => {
        it("signs a Nomad 2.0.5 Vault identity with extra claims exactly", () => {
            assert.deepStrictEqual(identityClaims(identity205.request), identity205.claims);
        });
        it("signs the Nomad 2.0.5 claims in sorted key order", () => {
            assert.deepStrictEqual(Object.keys(identityClaims(identity205.request)), Object.keys(identity205.claims));
        });
        it("signs the extra claims in sorted key order", () => {
            assert.deepStrictEqual(Object.keys(identityClaims(identity205.request).extra_claims), [
                "nomad_cost_center",
                "nomad_team",
                "nomad_workload_id",
            ]);
        });
        it("signs a Nomad 1.10.5 Vault identity exactly", () => {
            assert.deepStrictEqual(identityClaims(identity1105.request), identity1105.claims);
        });
        it("signs the Nomad 1.10.5 claims in sorted key order", () => {
            assert.deepStrictEqual(Object.keys(identityClaims(identity1105.request)), Object.keys(identity1105.claims));
        });
    });

    describe("extra claims by version", () => {
        it("ignores namespace extra claims before Nomad 2.0.3", () => {
            assert.deepStrictEqual(claimsOf({ nomadVersion: "2.0.2" }).extra_claims, { nomad_workload_id: "default:mongo-query" });
        });
        it("takes namespace extra claims from Nomad 2.0.3", () => {
            assert.strictEqual(claimsOf({ nomadVersion: "2.0.3" }).extra_claims.nomad_team, "payments");
        });
        it("leaves ${job.meta.…} as it is before Nomad 2.0.3", () => {
            const vaultDefaultIdentity = { extraClaims: { team: "${job.meta.team}" } };
            assert.strictEqual(claimsOf({ nomadVersion: "1.10.5", vaultDefaultIdentity }).extra_claims.team, "${job.meta.team}");
        });
        it("replaces known attributes before Nomad 2.0.3 even inside another ${…}", () => {
            const vaultDefaultIdentity = { extraClaims: { id: "${${job.id}}" } };
            assert.strictEqual(claimsOf({ nomadVersion: "1.10.5", vaultDefaultIdentity }).extra_claims.id, "${mongo-query}");
        });
        it("leaves a ${…} around a known attribute as it is from Nomad 2.0.3", () => {
            const vaultDefaultIdentity = { extraClaims: { id: "${${job.id}}" } };
            assert.strictEqual(claimsOf({ vaultDefaultIdentity }).extra_claims.id, "${${job.id}}");
        });
        it("says which releases take extra claims from namespaces", () => {
            assert.deepStrictEqual(["1.10.5", "2.0.2", "2.0.3", "2.1.0", "3.0.0"].map(namespaceExtraClaimsSupported), [
                false,
                false,
                true,
                true,
                true,
            ]);
        });
        it("leaves out the extra_claims key when there are none", () => {
            assert.strictEqual("extra_claims" in claimsOf({ namespaceExtraClaims: undefined, vaultDefaultIdentity: {} }), false);
        });
        it("signs the required claims without the identity asking", () => {
            assert.deepStrictEqual(
                claimsOf({ identity: { name: "vault_default", aud: ["vault.io"] }, vaultDefaultIdentity: {} }).extra_claims,
                {
                    nomad_team: "payments",
                },
            );
        });
        it("signs an optional claim the identity names", () => {
            assert.strictEqual(claimsOf({}).extra_claims.nomad_cost_center, "cc-4200");
        });
        it("ignores an optional claim the namespace lacks", () => {
            const identity = { name: "vault_default", aud: ["vault.io"], extraClaims: ["nomad_secret"] };
            assert.strictEqual("nomad_secret" in claimsOf({ identity }).extra_claims, false);
        });
        it("takes no inherited property for an optional claim", () => {
            const identity = { name: "vault_default", aud: ["vault.io"], extraClaims: ["toString"] };
            assert.strictEqual(Object.hasOwn(claimsOf({ identity }).extra_claims, "toString"), false);
        });
        it("lets the servers' vault extra claims override the namespace's", () => {
            const vaultDefaultIdentity = { extraClaims: { nomad_team: "${job.namespace}" } };
            assert.strictEqual(claimsOf({ vaultDefaultIdentity }).extra_claims.nomad_team, "default");
        });
        it("interpolates the node for a task identity", () => {
            const identity = { name: "vault_default", aud: ["vault.io"], extraClaims: ["nomad_node"] };
            assert.strictEqual(claimsOf({ identity }).extra_claims.nomad_node, "dc1");
        });
        it("interpolates an empty node for the default identity, which the plan applier signs", () => {
            const identity = { name: "default", extraClaims: ["nomad_node"] };
            assert.strictEqual(claimsOf({ identity }).extra_claims.nomad_node, "");
        });
        it("interpolates no node at all for the default identity", () => {
            const namespaceExtraClaims = { required: { node: "${node.id}|${node.datacenter}|${node.pool}|${node.class}" } };
            assert.strictEqual(claimsOf({ identity: { name: "default" }, namespaceExtraClaims, node: FULL_NODE }).extra_claims.node, "|||");
        });
        it("interpolates no node at all for a service identity", () => {
            const namespaceExtraClaims = { required: { node: "${node.id}|${node.datacenter}|${node.pool}|${node.class}" } };
            assert.strictEqual(
                claimsOf({ service: "db", identity: { name: "consul-service_db-http" }, namespaceExtraClaims, node: FULL_NODE })
                    .extra_claims.node,
                "|||",
            );
        });
        it("interpolates a node's missing attributes as empty", () => {
            const namespaceExtraClaims = { required: { node: "${node.id}|${node.datacenter}|${node.pool}|${node.class}" } };
            assert.strictEqual(claimsOf({ node: {}, namespaceExtraClaims }).extra_claims.node, "|||");
        });
        it("leaves a token that only contains ${job.meta.…} as it is", () => {
            const namespaceExtraClaims = { required: { nomad_team: "${x${job.meta.team}}" } };
            assert.strictEqual(claimsOf({ namespaceExtraClaims }).extra_claims.nomad_team, "${x${job.meta.team}}");
        });
        it("leaves ${job.meta.<key>} of a missing key as it is", () => {
            assert.strictEqual(claimsOf({ jobMeta: {} }).extra_claims.nomad_team, "${job.meta.team}");
        });
        it("leaves ${job.meta.…} as it is for a job without meta", () => {
            assert.strictEqual(claimsOf({ jobMeta: undefined }).extra_claims.nomad_team, "${job.meta.team}");
        });
        it("leaves ${job.meta.} without a key as it is", () => {
            const namespaceExtraClaims = { required: { nomad_team: "${job.meta.}" } };
            assert.strictEqual(claimsOf({ namespaceExtraClaims, jobMeta: { "": "x" } }).extra_claims.nomad_team, "${job.meta.}");
        });
        it("takes no inherited property of the job's meta", () => {
            const namespaceExtraClaims = { required: { nomad_team: "${job.meta.constructor}" } };
            assert.strictEqual(claimsOf({ namespaceExtraClaims }).extra_claims.nomad_team, "${job.meta.constructor}");
        });
        it("interpolates every attribute Nomad knows", () => {
            const template =
                "${job.region}|${job.namespace}|${job.id}|${job.node_pool}|${group.name}|${alloc.id}|${node.id}|${node.datacenter}|${node.pool}|${node.class}|${task.name}|${vault.cluster}|${vault.namespace}|${vault.role}";
            const request = {
                region: "eu",
                parentJobId: "batch",
                jobNodePool: "gpu",
                node: { id: "n1", datacenter: "dc2", pool: "p1", class: "c1" },
                vault: { role: "r", namespace: "ns", cluster: "blue" },
                identity: { name: "vault_blue", aud: ["vault.io"] },
                vaultDefaultIdentity: { extraClaims: { all: template } },
            };
            for (const version of ["2.0.5", "1.10.5"]) {
                assert.strictEqual(
                    claimsOf({ ...request, nomadVersion: version }).extra_claims.all,
                    "eu|default|batch|gpu|mongo-query|8d4e0b6a-3f1c-4b7e-9a2d-5c6f7e8a9b0c|n1|dc2|p1|c1|mongo-query|blue|ns|r",
                    version,
                );
            }
        });
        it("interpolates the default attributes: region global, node pool default, vault cluster default", () => {
            const vaultDefaultIdentity = { extraClaims: { all: "${job.region}|${job.node_pool}|${vault.cluster}" } };
            assert.strictEqual(claimsOf({ vaultDefaultIdentity }).extra_claims.all, "global|default|default");
        });
        it("interpolates empty vault attributes for a task without a vault block", () => {
            const vaultDefaultIdentity = { extraClaims: { all: "[${vault.cluster}|${vault.role}|${vault.namespace}]" } };
            assert.strictEqual(claimsOf({ vault: undefined, vaultDefaultIdentity }).extra_claims.all, "[||]");
        });
    });

    describe("identity kinds", () => {
        it("signs nomad_service and no nomad_task for a service identity", () => {
            const claims = claimsOf({ service: "db", identity: { name: "consul-service_mongo-query-db-http", aud: ["consul.io"] } });
            assert.deepStrictEqual([claims.nomad_service, claims.nomad_task], ["db", undefined]);
        });
        it("puts the service in the subject of a service identity", () => {
            const claims = claimsOf({ service: "db", identity: { name: "consul-service_mongo-query-db-http", aud: ["consul.io"] } });
            assert.strictEqual(claims.sub, "global:default:mongo-query:mongo-query:db:consul-service_mongo-query-db-http");
        });
        it("signs no vault claims for a service identity", () => {
            const claims = claimsOf({ service: "db", identity: { name: "vault_default", aud: ["vault.io"] } });
            assert.deepStrictEqual([claims.vault_role, claims.extra_claims], [undefined, { nomad_team: "payments" }]);
        });
        it("signs a group service without a node", () => {
            const namespaceExtraClaims = { required: { node: "[${node.id}]", task: "[${task.name}]" } };
            const claims = claimsOf({ task: undefined, service: "db", namespaceExtraClaims, identity: { name: "consul-service_db-http" } });
            assert.deepStrictEqual(claims.extra_claims, { node: "[]", task: "[]" });
        });
        it("signs no vault claims when the servers have no vault default_identity", () => {
            const claims = claimsOf({ vaultDefaultIdentity: null });
            assert.deepStrictEqual([claims.vault_role, claims.extra_claims.nomad_workload_id], [undefined, undefined]);
        });
        it("signs vault claims when the request leaves the servers' default_identity out", () => {
            assert.strictEqual(claimsOf({ vaultDefaultIdentity: undefined }).vault_role, "mongo-dynamic-secret");
        });
        it("signs vault_namespace from the task's vault block", () => {
            assert.strictEqual(claimsOf({ vault: { role: "r", namespace: "team-a" } }).vault_namespace, "team-a");
        });
        it("leaves out vault_role when the vault block names none", () => {
            assert.strictEqual("vault_role" in claimsOf({ vault: {} }), false);
        });
        it("signs no vault claims for an identity that is not vault_…", () => {
            assert.strictEqual("vault_role" in claimsOf({ identity: { name: "alt", aud: ["x"] } }), false);
        });
        it("signs consul_namespace for a consul identity", () => {
            assert.strictEqual(
                claimsOf({ identity: { name: "consul_default", aud: ["consul.io"] }, consulNamespace: "apps" }).consul_namespace,
                "apps",
            );
        });
        it("signs no consul_namespace for a vault identity", () => {
            assert.strictEqual("consul_namespace" in claimsOf({ consulNamespace: "apps" }), false);
        });
        it("signs the default identity for nomadproject.io, whatever the job says", () => {
            assert.strictEqual(claimsOf({ identity: { name: "default", aud: ["vault.io"] } }).aud, "nomadproject.io");
        });
        it("signs the default identity without exp", () => {
            assert.strictEqual("exp" in claimsOf({ identity: { name: "default", ttl: 3600 } }), false);
        });
        it("takes an unnamed identity for the default one", () => {
            assert.strictEqual(claimsOf({ identity: { name: "" } }).sub, "global:default:mongo-query:mongo-query:mongo-query:default");
        });
        it("refuses a request that names neither task nor service", () => {
            assert.throws(() => claimsOf({ task: undefined }), /name the task \(a task identity\) or the service \(a service identity\)/);
        });
    });

    describe("registered claims", () => {
        it("signs several audiences as a list", () => {
            assert.deepStrictEqual(claimsOf({ identity: { name: "vault_default", aud: ["vault.io", "other"] } }).aud, [
                "vault.io",
                "other",
            ]);
        });
        it("signs no aud for an identity without audiences", () => {
            assert.strictEqual("aud" in claimsOf({ identity: { name: "vault_default" } }), false);
        });
        it("signs no exp without a ttl", () => {
            assert.strictEqual("exp" in claimsOf({ identity: { name: "vault_default", aud: ["vault.io"] } }), false);
        });
        it("floors iat and nbf to whole seconds", () => {
            const claims = claimsOf({ now: 1767225600.9 });
            assert.deepStrictEqual([claims.iat, claims.nbf], [1767225600, 1767225600]);
        });
        it("floors exp from the exact time plus the ttl", () => {
            assert.strictEqual(claimsOf({ now: 1767225600.6, identity: { name: "vault_default", ttl: 0.5 } }).exp, 1767225601);
        });
        it("signs the current time by default", () => {
            const before = Math.floor(Date.now() / 1000);
            const { now: _now, ...request } = mongoQuery;
            const iat = identityClaims(request).iat as number;
            assert.ok(iat >= before && iat <= Math.floor(Date.now() / 1000), String(iat));
        });
        it("draws a random UUID for jti by default", () => {
            const { jti: _jti, ...request } = mongoQuery;
            assert.match(identityClaims(request).jti as string, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        });
        it("signs a child job's identity with the parent's job ID", () => {
            assert.strictEqual(
                claimsOf({ jobId: "mongo-query/periodic-1767225600", parentJobId: "mongo-query" }).nomad_job_id,
                "mongo-query",
            );
        });
        it("puts the parent's job ID in a child job's subject", () => {
            assert.strictEqual(claimsOf({ jobId: "mongo-query/dispatch-1", parentJobId: "mongo-query" }).sub.split(":")[2], "mongo-query");
        });
        it("signs the servers' oidc_issuer as iss", () => {
            assert.strictEqual(claimsOf({ issuer: "https://nomad.example" }).iss, "https://nomad.example");
        });
        it("signs no iss without an oidc_issuer", () => {
            assert.strictEqual("iss" in claimsOf({}), false);
        });
        it("puts the region in the subject", () => {
            assert.strictEqual(claimsOf({ region: "eu" }).sub, "eu:default:mongo-query:mongo-query:mongo-query:vault_default");
        });
    });

    describe("signedClaimNames", () => {
        it("lists no nomad_group: Nomad never signs one", () => {
            assert.strictEqual(signedClaimNames("2.0.5").includes("nomad_group"), false);
        });
        it("lists every claim Nomad 2.0.5 signed for the real-shape identity", () => {
            assert.deepStrictEqual(
                Object.keys(identity205.claims).filter((claim) => !signedClaimNames("2.0.5").includes(claim)),
                [],
            );
        });
        it("lists the claims of the other identity kinds", () => {
            assert.deepStrictEqual(
                ["nomad_service", "consul_namespace", "vault_namespace", "iss"].filter(
                    (claim) => !signedClaimNames("1.10.0").includes(claim),
                ),
                [],
            );
        });
        it("tells a claim Nomad never signs", () => {
            assert.strictEqual(nomadSignsClaim("2.0.5", "nomad_group"), false);
        });
        it("tells a claim Nomad signs", () => {
            assert.strictEqual(nomadSignsClaim("2.0.5", "nomad_job_id"), true);
        });
        it("tells a pointer into extra claims by its first segment", () => {
            assert.strictEqual(nomadSignsClaim("2.0.5", "/extra_claims/nomad_team"), true);
        });
        it("tells a pointer to a claim Nomad never signs", () => {
            assert.strictEqual(nomadSignsClaim("2.0.5", "/nomad_group"), false);
        });
        it("unescapes a pointer's first segment", () => {
            assert.strictEqual(nomadSignsClaim("2.0.5", "/extra~0claims/x"), false);
        });
        it("reads versions with a v, a pre-release or a build", () => {
            assert.deepStrictEqual(["v2.0.5", "2.0.3-rc.1", "2.0.5+ent", "1.10"].map(namespaceExtraClaimsSupported), [
                true,
                true,
                true,
                false,
            ]);
        });
        it("reads major, minor and patch of more than one digit", () => {
            assert.deepStrictEqual(["10.0.0", "2.10.0", "2.0.15"].map(namespaceExtraClaimsSupported), [true, true, true]);
        });
        it("tells 1.10 from 2.0.3 by the major version", () => {
            assert.deepStrictEqual(["1.99.99", "2.0.0"].map(namespaceExtraClaimsSupported), [false, false]);
        });
        it("accepts the oldest supported release, 1.10.0", () => {
            assert.strictEqual(signedClaimNames("1.10.0").length, 16);
        });
        it("refuses text before a version", () => {
            assert.throws(() => signedClaimNames("nomad 2.0.5"), /is not a Nomad version/);
        });
        it("refuses text after a version", () => {
            assert.throws(() => signedClaimNames("2.0.5 beta"), /is not a Nomad version/);
        });
        it("refuses a release older than 1.10, naming it", () => {
            assert.throws(
                () => signedClaimNames("1.9.7"),
                /^Error: nomadVersion "1.9.7": Nomad 1.9.7 is older than 1.10, the oldest release this project supports\.$/,
            );
        });
        it("refuses text that is no version", () => {
            assert.throws(() => signedClaimNames("latest"), /^Error: nomadVersion "latest" is not a Nomad version such as "2.0.5"\.$/);
        });
    });
});
