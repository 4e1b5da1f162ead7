// A Nomad workload identity's login against a JWT role, judged in the order of the JWT plugin's login path
// (vault-plugin-auth-jwt v0.26.3 path_login.go, cap v0.13.0 jwt/jwt.go), with the texts Vault sends. The role is
// the tutorial's as Vault reads it back (tests/fixtures/api/vault.jwt-role.json), the identity a Nomad 2.0.5 one
// with extra claims (tests/fixtures/identities/).
import * as assert from "assert";
import { readFixture } from "./apiFixtures";
import { JsonNumber } from "../policy/goValues";
import { JwtRole } from "../policy/jwtClaims";
import { judgeLogin, LoginContext, LoginRefusal } from "../policy/jwtLogin";
import { identity205 } from "./identityFixtures";

const tutorialRole: JwtRole = { ...readFixture("vault.jwt-role").body.data, name: "nomad-workloads" };
const role = (change: Partial<JwtRole>): JwtRole => ({ ...tutorialRole, ...change });
const claims = identity205.claims;
const NOW = identity205.claims.iat + 60;

describe("policy: a JWT login as Vault judges it", () => {
    describe("admitted", () => {
        it("admits the identity with the tutorial's role", () => {
            assert.deepStrictEqual(judgeLogin(tutorialRole, claims, { now: NOW }).refusals, []);
        });
        it("names the alias by the job ID and maps the role's metadata", () => {
            assert.deepStrictEqual(judgeLogin(tutorialRole, claims).alias, {
                name: "mongo-query",
                metadata: { nomad_job_id: "mongo-query", nomad_namespace: "default", nomad_task: "mongo-query", role: "nomad-workloads" },
            });
        });
        it("admits a role bound to an extra claim the identity carries", () => {
            assert.strictEqual(judgeLogin(role({ bound_claims: { "/extra_claims/nomad_team": "payments" } }), claims).admitted, true);
        });
        it("names the alias by an extra claim, as Nomad's own Vault tests do", () => {
            const e2eRole = role({ user_claim: "/extra_claims/nomad_workload_id", claim_mappings: { nomad_namespace: "nomad_namespace" } });
            assert.deepStrictEqual(judgeLogin(e2eRole, claims).alias, {
                name: "default:mongo-query",
                metadata: { nomad_namespace: "default", role: "nomad-workloads" },
            });
        });
        it("sends nothing when it admits", () => {
            assert.deepStrictEqual(judgeLogin(tutorialRole, claims).vaultSends, []);
        });
    });

    describe("bound claims", () => {
        it("refuses a role bound to nomad_group, which Nomad never signs, naming the role and the claim", () => {
            const [refusal] = judgeLogin(role({ bound_claims: { nomad_group: "mongo-query" } }), claims).refusals;
            assert.deepStrictEqual(refusal, {
                role: "nomad-workloads",
                check: "bound_claims",
                claim: "nomad_group",
                wants: "mongo-query",
                has: undefined,
                vaultError: 'error validating claims: claim "nomad_group" is missing',
                message:
                    'role "nomad-workloads" binds the claim "nomad_group" to "mongo-query", but the identity has no such claim (Vault: error validating claims: claim "nomad_group" is missing)',
            });
        });
        it("refuses a different extra claim value, naming the claim and both values", () => {
            const judgement = judgeLogin(role({ bound_claims: { "/extra_claims/nomad_team": "billing" } }), claims);
            assert.deepStrictEqual(
                judgement.refusals.map((r) => r.message),
                [
                    'role "nomad-workloads" binds the claim "/extra_claims/nomad_team" to "billing", but the identity has "payments" (Vault: error validating claims: claim "/extra_claims/nomad_team" does not match any associated bound claim values)',
                ],
            );
        });
        it("refuses a flat name for a nested claim: extra_claims/nomad_team is no pointer", () => {
            assert.strictEqual(
                judgeLogin(role({ bound_claims: { "extra_claims/nomad_team": "payments" } }), claims).refusals[0].has,
                undefined,
            );
        });
        it("says the glob of a bound claim in the message", () => {
            const [refusal] = judgeLogin(role({ bound_claims_type: "glob", bound_claims: { nomad_job_id: "web-*" } }), claims).refusals;
            assert.match(refusal.message, /binds the claim "nomad_job_id" to glob "web-\*", but the identity has "mongo-query"/);
        });
        it("refuses a number claim under glob: Vault globs strings only", () => {
            const judgement = judgeLogin(role({ bound_claims_type: "glob", bound_claims: { iat: "17*" } }), claims);
            assert.deepStrictEqual(judgement.vaultSends, [
                'error validating claims: claim "iat" does not match any associated bound claim values',
            ]);
        });
        it("shows the identity's number as it is in the message", () => {
            const [refusal] = judgeLogin(role({ bound_claims_type: "glob", bound_claims: { iat: "17*" } }), claims).refusals;
            assert.match(refusal.message, /but the identity has 1767225600 /);
        });
        it("lets Vault send any one of several failing bound claims", () => {
            const judgement = judgeLogin(role({ bound_claims: { nomad_group: "x", nomad_task: "web" } }), claims);
            assert.deepStrictEqual(judgement.vaultSends, [
                'error validating claims: claim "nomad_group" is missing',
                'error validating claims: claim "nomad_task" does not match any associated bound claim values',
            ]);
        });
        it("gives no alias when it refuses", () => {
            assert.strictEqual(judgeLogin(role({ bound_claims: { nomad_group: "x" } }), claims).alias, undefined);
        });
    });

    describe("each refusal's claim, wants and has", () => {
        const fields = (r: LoginRefusal) => [r.check, r.claim, r.wants, r.has];
        const first = (change: Partial<JwtRole>, token: Record<string, unknown> = claims, context: LoginContext = {}) =>
            fields(judgeLogin(role(change), token as any, context).refusals[0]);
        it("the issuer", () => {
            assert.deepStrictEqual(first({}, { ...claims, iss: "other" }, { boundIssuer: "https://nomad.example" }), [
                "bound_issuer",
                "iss",
                "https://nomad.example",
                "other",
            ]);
        });
        it("the subject", () => {
            assert.deepStrictEqual(first({ bound_subject: "x" }), ["bound_subject", "sub", "x", claims.sub]);
        });
        it("a bound audience", () => {
            assert.deepStrictEqual(first({ bound_audiences: ["a"] }), ["bound_audiences", "aud", ["a"], "vault.io"]);
        });
        it("an audience the role does not bind", () => {
            assert.deepStrictEqual(first({ bound_audiences: [] }), ["bound_audiences", "aud", [], "vault.io"]);
        });
        it("a token without times", () => {
            assert.deepStrictEqual(first({}, { nomad_job_id: "x", aud: "vault.io" }, { now: NOW }), [
                "token_times",
                "exp",
                undefined,
                undefined,
            ]);
        });
        it("an expired token", () => {
            assert.deepStrictEqual(first({}, claims, { now: claims.exp + 61 }), [
                "token_times",
                "exp",
                `at least ${claims.exp + 1}`,
                claims.exp,
            ]);
        });
        it("a token not yet valid", () => {
            assert.deepStrictEqual(first({}, { ...claims, nbf: NOW + 100 }, { now: NOW }), [
                "token_times",
                "nbf",
                `at most ${NOW + 60}`,
                NOW + 100,
            ]);
        });
        it("a token issued in the future", () => {
            assert.deepStrictEqual(first({}, { ...claims, nbf: NOW, iat: NOW + 100 }, { now: NOW }), [
                "token_times",
                "iat",
                `at most ${NOW + 60}`,
                NOW + 100,
            ]);
        });
        it("the user claim", () => {
            assert.deepStrictEqual(first({ user_claim: "iat" }), ["user_claim", "iat", "a string", new JsonNumber(String(claims.iat))]);
        });
        it("a claim mapping", () => {
            assert.deepStrictEqual(first({ claim_mappings: { iat: "issued" } }), [
                "claim_mappings",
                "iat",
                "a string",
                new JsonNumber(String(claims.iat)),
            ]);
        });
        it("the groups claim", () => {
            assert.deepStrictEqual(first({ groups_claim: "extra_claims" }), [
                "groups_claim",
                "extra_claims",
                "a string or a list of strings",
                claims.extra_claims,
            ]);
        });
        it("a bound claim", () => {
            assert.deepStrictEqual(first({ bound_claims: { nomad_task: ["a", 1] } }), [
                "bound_claims",
                "nomad_task",
                ["a", new JsonNumber("1")],
                "mongo-query",
            ]);
        });
        it("shows a Go int as a number in the message", () => {
            const [refusal] = judgeLogin(role({ bound_claims: { team: "a" } }), { ...claims, team: 42n }).refusals;
            assert.match(
                refusal.message,
                /but the identity has 42 \(Vault: error validating claims: received claim is not a string, bool, int or list: 42\)$/,
            );
        });
    });

    describe("the login path's order", () => {
        const everything = role({
            bound_subject: "global:default:web:web:web:vault_default",
            bound_audiences: ["nomadproject.io"],
            user_claim: "/nomad_group",
            claim_mappings: { iat: "issued", nbf: "not_before" },
            groups_claim: "groups",
            bound_claims: { nomad_group: "web" },
        });
        it("lists the refusals in the order the login path checks", () => {
            const checks = judgeLogin(everything, claims, { boundIssuer: "https://nomad.example", now: NOW + 86400 }).refusals.map(
                (r) => r.check,
            );
            assert.deepStrictEqual(checks, [
                "bound_issuer",
                "bound_subject",
                "bound_audiences",
                "token_times",
                "user_claim",
                "claim_mappings",
                "claim_mappings",
                "groups_claim",
                "bound_claims",
            ]);
        });
        it("sends the first refusal's text only", () => {
            assert.deepStrictEqual(judgeLogin(everything, claims, { boundIssuer: "https://nomad.example" }).vaultSends, [
                "error validating token: invalid issuer (iss) claim",
            ]);
        });
        it("sends the subject refusal when the issuer passes", () => {
            assert.deepStrictEqual(judgeLogin(everything, claims).vaultSends, ["error validating token: invalid subject (sub) claim"]);
        });
        it("lets Vault send either of two failing claim mappings", () => {
            const judgement = judgeLogin(
                role({ user_claim: "/nomad_job_id", claim_mappings: { iat: "issued", nbf: "not_before" } }),
                claims,
            );
            assert.deepStrictEqual(judgement.vaultSends, [
                "error converting claim 'iat' to string",
                "error converting claim 'nbf' to string",
            ]);
        });
        it("sends only the first check's texts when it walks a map", () => {
            const judgement = judgeLogin(role({ claim_mappings: { iat: "issued" }, bound_claims: { nomad_group: "x" } }), claims);
            assert.deepStrictEqual(judgement.vaultSends, ["error converting claim 'iat' to string"]);
        });
        it("judges the audience the role binds before the token's times", () => {
            const judgement = judgeLogin(role({ bound_audiences: ["nomadproject.io"] }), claims, { now: NOW + 86400 });
            assert.deepStrictEqual(judgement.vaultSends, [
                "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
            ]);
        });
        it("judges an audience the role does not bind after the token's times", () => {
            const judgement = judgeLogin(role({ bound_audiences: [] }), claims, { now: NOW + 86400 });
            assert.deepStrictEqual(judgement.vaultSends, ["error validating token: invalid expiration time (exp) claim: token is expired"]);
        });
    });

    describe("issuer, subject and audience", () => {
        it("admits the mount's bound issuer", () => {
            assert.strictEqual(
                judgeLogin(tutorialRole, { ...claims, iss: "https://nomad.example" }, { boundIssuer: "https://nomad.example" }).admitted,
                true,
            );
        });
        it("refuses a token without iss on a mount that binds one", () => {
            const [refusal] = judgeLogin(tutorialRole, claims, { boundIssuer: "https://nomad.example" }).refusals;
            assert.strictEqual(
                refusal.message,
                'role "nomad-workloads" is on a mount that binds the issuer "https://nomad.example", but the identity has no such claim (Vault: error validating token: invalid issuer (iss) claim)',
            );
        });
        it("admits the bound subject", () => {
            assert.strictEqual(judgeLogin(role({ bound_subject: claims.sub as string }), claims).admitted, true);
        });
        it("refuses another subject, naming both", () => {
            const [refusal] = judgeLogin(role({ bound_subject: "global:default:web:web:web:vault_default" }), claims).refusals;
            assert.strictEqual(
                refusal.message,
                'role "nomad-workloads" binds the subject "global:default:web:web:web:vault_default", but the identity has "global:default:mongo-query:mongo-query:mongo-query:vault_default" (Vault: error validating token: invalid subject (sub) claim)',
            );
        });
        it("refuses an aud the role does not bind, naming both", () => {
            const [refusal] = judgeLogin(role({ bound_audiences: ["nomadproject.io", "consul.io"] }), claims).refusals;
            assert.strictEqual(
                refusal.message,
                'role "nomad-workloads" binds the audiences ["nomadproject.io","consul.io"], but the identity has "vault.io" (Vault: error validating token: invalid audience (aud) claim: audience claim does not match any expected audience)',
            );
        });
        it("refuses an aud when the role binds none", () => {
            const [refusal] = judgeLogin(role({ bound_audiences: null }), claims).refusals;
            assert.strictEqual(
                refusal.message,
                'role "nomad-workloads" binds no audience, but the identity has "vault.io" (Vault: audience claim found in JWT but no audiences bound to the role)',
            );
        });
        it("admits a token without aud on a role that binds none", () => {
            const { aud: _aud, ...withoutAud } = claims;
            assert.strictEqual(judgeLogin(role({ bound_audiences: [] }), withoutAud).admitted, true);
        });
    });

    describe("the token's times", () => {
        const { iat, nbf, exp } = claims as Record<string, number>;
        const times = (now: number, change: Partial<JwtRole> = {}, token: Record<string, unknown> = claims) =>
            judgeLogin(role(change), token as any, { now }).refusals.map((r) => r.vaultError);
        const EXPIRED = "error validating token: invalid expiration time (exp) claim: token is expired";
        const NOT_YET = "error validating token: invalid not before (nbf) claim: token not yet valid";
        const FUTURE = "error validating token: invalid issued at (iat) claim: token issued in the future";
        const withoutExp = { ...claims, exp: undefined };
        const onlyExp = { ...claims, iat: undefined, nbf: undefined };

        it("judges no times without Vault's clock", () => {
            assert.deepStrictEqual(judgeLogin(tutorialRole, { ...claims, exp: 1 }).refusals, []);
        });
        it("judges no missing times without Vault's clock", () => {
            assert.deepStrictEqual(judgeLogin(tutorialRole, { ...claims, exp: undefined, iat: undefined, nbf: undefined }).refusals, []);
        });
        it("derives exp from iat alone when nbf and exp are missing", () => {
            assert.deepStrictEqual(times(iat + 150 + 61, {}, { ...claims, exp: undefined, nbf: undefined }), [EXPIRED]);
        });
        it("admits a token 60 s past exp, the default clock skew leeway", () => {
            assert.deepStrictEqual(times(exp + 60), []);
        });
        it("refuses a token 61 s past exp", () => {
            assert.deepStrictEqual(times(exp + 61), [EXPIRED]);
        });
        it("uses the role's clock skew leeway", () => {
            assert.deepStrictEqual(times(exp + 61, { clock_skew_leeway: 120 }), []);
        });
        it("uses no leeway when the role's is negative", () => {
            assert.deepStrictEqual(times(exp + 1, { clock_skew_leeway: -1 }), [EXPIRED]);
        });
        it("admits a token exactly at exp with no leeway", () => {
            assert.deepStrictEqual(times(exp, { clock_skew_leeway: -1 }), []);
        });
        it("admits a token 60 s before nbf", () => {
            assert.deepStrictEqual(times(nbf - 60, {}, { ...claims, iat: nbf - 60 }), []);
        });
        it("refuses a token 61 s before nbf", () => {
            assert.deepStrictEqual(times(nbf - 61, {}, { ...claims, iat: nbf - 61 }), [NOT_YET]);
        });
        it("refuses a token issued more than 60 s ahead", () => {
            assert.deepStrictEqual(times(nbf - 61, {}, { ...claims, nbf: nbf - 100 }), [FUTURE]);
        });
        it("admits a token issued 60 s ahead", () => {
            assert.deepStrictEqual(times(iat - 60, {}, { ...claims, nbf: nbf - 100 }), []);
        });
        it("takes nbf from iat when nbf is missing", () => {
            assert.deepStrictEqual(times(iat - 61, {}, { ...claims, nbf: undefined }), [NOT_YET, FUTURE]);
        });
        it("derives exp from iat plus 150 s when exp is missing", () => {
            assert.deepStrictEqual(times(iat + 150 + 60, {}, withoutExp), []);
        });
        it("refuses past the derived exp", () => {
            assert.deepStrictEqual(times(iat + 150 + 61, {}, withoutExp), [EXPIRED]);
        });
        it("derives exp from the later of nbf and iat", () => {
            assert.deepStrictEqual(times(iat + 100 + 150 + 60, {}, { ...withoutExp, nbf: iat + 100 }), []);
        });
        it("derives exp with the role's expiration leeway", () => {
            assert.deepStrictEqual(times(iat + 10 + 61, { expiration_leeway: 10 }, withoutExp), [EXPIRED]);
        });
        it("derives exp with no leeway when the role's is negative", () => {
            assert.deepStrictEqual(times(iat + 61, { expiration_leeway: -1 }, withoutExp), [EXPIRED]);
        });
        it("derives nbf from exp minus 150 s when only exp is given", () => {
            assert.deepStrictEqual(times(exp - 150 - 61, {}, onlyExp), [NOT_YET]);
        });
        it("admits within the derived nbf", () => {
            assert.deepStrictEqual(times(exp - 150 - 60, {}, onlyExp), []);
        });
        it("derives nbf with the role's not-before leeway", () => {
            assert.deepStrictEqual(times(exp - 10 - 61, { not_before_leeway: 10 }, onlyExp), [NOT_YET]);
        });
        it("derives nbf with no leeway when the role's is negative", () => {
            assert.deepStrictEqual(times(exp - 61, { not_before_leeway: -1 }, onlyExp), [NOT_YET]);
        });
        it("truncates fractional seconds as a NumericDate does", () => {
            assert.deepStrictEqual(times(exp + 61, {}, { ...claims, exp: exp + 0.9 }), [EXPIRED]);
        });
        it("refuses a token with none of iat, nbf and exp", () => {
            assert.deepStrictEqual(times(NOW, {}, { nomad_job_id: "mongo-query", aud: "vault.io" }), [
                "error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token",
            ]);
        });
        it("says a token without times needs one", () => {
            const [refusal] = judgeLogin(tutorialRole, { nomad_job_id: "x", aud: "vault.io" }, { now: NOW }).refusals;
            assert.match(refusal.message, /^role "nomad-workloads" needs an iat, nbf or exp claim, but the identity has no such claim/);
        });
        it("names the effective nbf, Vault's time and leeway", () => {
            const [refusal] = judgeLogin(tutorialRole, { ...claims, nbf: NOW + 100 }, { now: NOW }).refusals;
            assert.match(
                refusal.message,
                new RegExp(`accepts tokens from ${NOW + 100} on, at Vault's time ${NOW} with 60 s of clock skew leeway, but`),
            );
        });
        it("names the latest iat Vault accepts", () => {
            const [refusal] = judgeLogin(tutorialRole, { ...claims, nbf: NOW, iat: NOW + 100 }, { now: NOW }).refusals;
            assert.match(refusal.message, new RegExp(`accepts tokens issued by ${NOW + 60}, but the identity has ${NOW + 100} `));
        });
        it("names Vault's time and leeway in the message", () => {
            const [refusal] = judgeLogin(tutorialRole, claims, { now: exp + 61 }).refusals;
            assert.strictEqual(
                refusal.message,
                `role "nomad-workloads" accepts tokens until ${exp}, at Vault's time ${exp + 61} with 60 s of clock skew leeway, but the identity has ${exp} (Vault: ${EXPIRED})`,
            );
        });
    });

    describe("user claim, claim mappings and groups", () => {
        it("refuses a user claim the identity lacks", () => {
            const [refusal] = judgeLogin(role({ user_claim: "/nomad_group" }), claims).refusals;
            assert.strictEqual(
                refusal.message,
                'role "nomad-workloads" names its aliases by the claim "/nomad_group", but the identity has no such claim (Vault: claim "/nomad_group" not found in token)',
            );
        });
        it("refuses a pointer user claim without user_claim_json_pointer", () => {
            assert.deepStrictEqual(judgeLogin(role({ user_claim_json_pointer: false }), claims).vaultSends, [
                'claim "/nomad_job_id" not found in token',
            ]);
        });
        it("refuses a user claim that is a number", () => {
            assert.deepStrictEqual(judgeLogin(role({ user_claim: "iat" }), claims).vaultSends, [
                'claim "iat" could not be converted to string',
            ]);
        });
        it("refuses a claim mapping of a number, naming the metadata key", () => {
            const [refusal] = judgeLogin(role({ claim_mappings: { exp: "expires" } }), claims).refusals;
            assert.strictEqual(
                refusal.message,
                `role "nomad-workloads" maps the claim "exp" to metadata "expires", but the identity has ${claims.exp} (Vault: error converting claim 'exp' to string)`,
            );
        });
        it("refuses a groups claim the identity lacks", () => {
            assert.deepStrictEqual(judgeLogin(role({ groups_claim: "groups" }), claims).vaultSends, [
                'failed to fetch groups: "groups" claim not found in token',
            ]);
        });
        it("refuses a groups claim that is a map", () => {
            assert.deepStrictEqual(judgeLogin(role({ groups_claim: "extra_claims" }), claims).vaultSends, [
                '"extra_claims" claim could not be converted to string list',
            ]);
        });
        it("refuses a number among the groups, printed as Go prints it", () => {
            assert.deepStrictEqual(judgeLogin(role({ groups_claim: "groups" }), { ...claims, groups: ["ops", 1e6] }).vaultSends, [
                "value 1e+06 in groups claim could not be parsed as string",
            ]);
        });
        it("admits a string groups claim", () => {
            assert.strictEqual(judgeLogin(role({ groups_claim: "nomad_namespace" }), claims).admitted, true);
        });
        it("names the groups claim in the message", () => {
            const [refusal] = judgeLogin(role({ groups_claim: "groups" }), claims).refusals;
            assert.match(
                refusal.message,
                /^role "nomad-workloads" reads groups from the claim "groups", but the identity has no such claim/,
            );
        });
    });
});
