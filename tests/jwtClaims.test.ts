// Vault's JWT plugin's claim logic against the plugin's own test tables (tests/fixtures/jwt-claims/, each naming
// its upstream file and tag), then the behaviours those tables leave out, each read from the plugin's source.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { JsonNumber, GoValue } from "../policy/goValues";
import { listIndex } from "../policy/jsonPointer";
import {
    aliasName,
    claimMappingsErrors,
    extractMetadata,
    getClaim,
    glob,
    normalizeList,
    validateAudience,
    validateBoundClaims,
} from "../policy/jwtClaims";

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/jwt-claims", `${name}.json`), "utf8"));

/** A fixture value with its Go types: {"go": "int" | "json.Number" | "float32" | "float64", "value"} tags. */
function goValue(value: any): GoValue {
    if (Array.isArray(value)) return value.map(goValue);
    if (value === null || typeof value !== "object") return value;
    if ("go" in value) {
        return value.go === "int" ? BigInt(value.value) : value.go === "json.Number" ? new JsonNumber(value.value) : value.value;
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, goValue(inner)]));
}

describe("policy: the JWT plugin's claims", () => {
    describe("upstream tables", () => {
        for (const row of fixture("getClaim").rows) {
            it(`TestGetClaim: ${JSON.stringify(row.claim)} reads ${JSON.stringify(row.value)}`, () => {
                const want = goValue(row.value) ?? undefined;
                assert.deepStrictEqual(getClaim(goValue(fixture("getClaim").claims) as any, row.claim), want);
            });
        }

        for (const row of fixture("validateBoundClaims").rows) {
            it(`TestValidateBoundClaims: ${row.name} ${row.errExpected ? "fails" : "passes"}`, () => {
                const failures = validateBoundClaims(row.boundClaimsType, goValue(row.boundClaims) as any, goValue(row.allClaims) as any);
                assert.strictEqual(failures.length > 0, row.errExpected, JSON.stringify(failures.map((f) => f.error)));
            });
        }

        for (const row of fixture("validateAudience").rows) {
            const label = `[${row.boundAudiences}] against [${row.audience}]${row.strict ? ", strict" : ""}`;
            it(`TestValidateAudience: ${label} ${row.errExpected ? "fails" : "passes"}`, () => {
                assert.strictEqual(validateAudience(row.boundAudiences, row.audience, row.strict) !== undefined, row.errExpected);
            });
        }

        for (const row of fixture("extractMetadata").rows) {
            it(`TestExtractMetadata: ${row.testCase}`, () => {
                const { metadata, failures } = extractMetadata(row.claimMappings, (goValue(row.allClaims) ?? {}) as any);
                assert.strictEqual(failures.length > 0, row.errExpected);
                if (!row.errExpected) assert.deepStrictEqual(metadata, row.expected);
            });
        }

        for (const row of fixture("normalizeList").rows) {
            it(`Test_normalizeList: ${JSON.stringify(row.raw)} is ${row.ok ? "a list" : "not a value"}`, () => {
                assert.deepStrictEqual(normalizeList(goValue(row.raw)), goValue(row.normalized) ?? undefined);
            });
        }

        const globTable = fixture("glob");
        for (const row of globTable.rows) {
            const pattern =
                typeof row.pattern === "string" ? row.pattern : row.pattern.prefix + "*".repeat(row.pattern.stars) + row.pattern.suffix;
            const label =
                typeof row.pattern === "string"
                    ? JSON.stringify(pattern)
                    : `${row.pattern.prefix}*×${row.pattern.stars}${row.pattern.suffix}`;
            it(`go-glob: ${label} ${row.match ? "matches" : "does not match"} ${JSON.stringify(row.subject)}`, () => {
                assert.strictEqual(glob(pattern, row.subject), row.match);
            });
        }
    });

    describe("glob", () => {
        it("consumes the subject part by part, so two parts cannot match one place", () => {
            assert.strictEqual(glob("*a*a", "a"), false);
        });
        it("matches parts found in order", () => {
            assert.strictEqual(glob("*a*a", "aba"), true);
        });
    });

    describe("listIndex", () => {
        const cases: Array<[string, bigint | undefined]> = [
            ["100", 100n],
            ["017", 15n],
            ["0_17", 15n],
            ["0", 0n],
            ["0x1F", 31n],
            ["0b101", 5n],
            ["0O17", 15n],
            ["-5", -5n],
            ["+7", 7n],
            ["1_000", 1000n],
            ["", 0n],
            ["08", undefined],
            ["1.5", undefined],
        ];
        for (const [part, index] of cases) {
            it(`reads ${JSON.stringify(part)} as ${index ?? "no index"}`, () => {
                assert.strictEqual(listIndex(part), index);
            });
        }
    });

    describe("getClaim", () => {
        const claims = {
            extra_claims: { nomad_team: "payments", "a/b": "slash", "m~n": "tilde" },
            list: ["x", "y", "z"],
            nothing: null,
            ratio: -2.7,
        };
        it("reads a pointer into a nested map", () => {
            assert.strictEqual(getClaim(claims, "/extra_claims/nomad_team"), "payments");
        });
        it("reads a flat name as a top-level claim only", () => {
            assert.strictEqual(getClaim(claims, "extra_claims/nomad_team"), undefined);
        });
        it("unescapes ~1 to a slash in a pointer", () => {
            assert.strictEqual(getClaim(claims, "/extra_claims/a~1b"), "slash");
        });
        it("unescapes ~0 to a tilde in a pointer", () => {
            assert.strictEqual(getClaim(claims, "/extra_claims/m~0n"), "tilde");
        });
        it("unescapes ~01 to the text ~1, not to a slash", () => {
            assert.strictEqual(getClaim({ "~1": "literal", "/": "slash" }, "/~01"), "literal");
        });
        it("treats a null claim as missing", () => {
            assert.strictEqual(getClaim(claims, "nothing"), undefined);
        });
        it("finds nothing through a null", () => {
            assert.strictEqual(getClaim(claims, "/nothing/x"), undefined);
        });
        it("finds nothing inside a string", () => {
            assert.strictEqual(getClaim(claims, "/extra_claims/nomad_team/0"), undefined);
        });
        it("takes no inherited property for a claim", () => {
            assert.strictEqual(getClaim(claims, "constructor"), undefined);
        });
        it("takes no inherited property through a pointer", () => {
            assert.strictEqual(getClaim(claims, "/extra_claims/toString"), undefined);
        });
        it("truncates a float claim to its integer part", () => {
            assert.deepStrictEqual(getClaim(claims, "ratio"), new JsonNumber("-2"));
        });
        it("leaves a float inside a list a float", () => {
            assert.deepStrictEqual(getClaim({ ids: [1.5] }, "ids"), [1.5]);
        });
        it("converts a float reached by a pointer", () => {
            assert.deepStrictEqual(getClaim({ ids: [1.5] }, "/ids/0"), new JsonNumber("1"));
        });
        const indices: Array<[string, string | undefined]> = [
            ["0", "x"],
            ["2", "z"],
            ["3", undefined],
            ["-1", undefined],
            ["-0", "x"],
            ["+1", "y"],
            ["", "x"],
            ["01", "y"],
            ["02", "z"],
            ["08", undefined],
            ["0x2", "z"],
            ["0X1", "y"],
            ["0b10", "z"],
            ["0o2", "z"],
            ["0_2", "z"],
            ["0x_1", "y"],
            ["1_0", undefined],
            ["1__0", undefined],
            ["_1", undefined],
            ["1_", undefined],
            ["0x", undefined],
            [" 1", undefined],
            ["1a", undefined],
            ["a1", undefined],
            ["99999999999999999999", undefined],
        ];
        for (const [index, value] of indices) {
            it(`reads list index ${JSON.stringify(index)} as Go's ParseInt does: ${value ?? "nothing"}`, () => {
                assert.strictEqual(getClaim(claims, `/list/${index}`), value);
            });
        }
    });

    describe("validateBoundClaims", () => {
        const identity = { nomad_namespace: "default", nomad_job_id: "web", extra_claims: { nomad_team: "payments" }, iat: 1767225600 };
        const failures = (bound: Record<string, unknown>, type = "string", claims: any = identity) =>
            validateBoundClaims(type, bound, claims).map((f) => f.error);

        it("fails a claim the identity lacks", () => {
            assert.deepStrictEqual(failures({ nomad_group: "web" }), ['claim "nomad_group" is missing']);
        });
        it("names the claim, what the role wants and what the identity has", () => {
            const [failure] = validateBoundClaims("string", { "/extra_claims/nomad_team": "billing" }, identity);
            assert.deepStrictEqual(failure, {
                claim: "/extra_claims/nomad_team",
                wants: "billing",
                has: "payments",
                error: 'claim "/extra_claims/nomad_team" does not match any associated bound claim values',
            });
        });
        it("returns every failing claim", () => {
            assert.deepStrictEqual(failures({ nomad_group: "web", nomad_job_id: "api", nomad_namespace: "default" }), [
                'claim "nomad_group" is missing',
                'claim "nomad_job_id" does not match any associated bound claim values',
            ]);
        });
        it("passes a role without bound claims", () => {
            assert.deepStrictEqual(failures({}), []);
        });
        it("passes a role whose bound claims are null, as Vault reads them when unset", () => {
            assert.deepStrictEqual(validateBoundClaims("string", null, identity), []);
        });
        it("compares strings exactly when the type is string", () => {
            assert.deepStrictEqual(failures({ nomad_job_id: "w*" }), [
                'claim "nomad_job_id" does not match any associated bound claim values',
            ]);
        });
        it("globs when the type is glob", () => {
            assert.deepStrictEqual(failures({ nomad_job_id: "w*" }, "glob"), []);
        });
        it("skips a number claim under glob, so it never matches", () => {
            assert.deepStrictEqual(failures({ iat: "1767*" }, "glob"), ['claim "iat" does not match any associated bound claim values']);
        });
        it("skips a boolean claim under glob", () => {
            assert.deepStrictEqual(failures({ admin: "*" }, "glob", { admin: true }), [
                'claim "admin" does not match any associated bound claim values',
            ]);
        });
        it("refuses a bound number under glob with the plugin's %e text", () => {
            assert.deepStrictEqual(failures({ nomad_job_id: 42 }, "glob"), [
                "received claim is not a glob string: %!e(json.Number=42)xpVal",
            ]);
        });
        it("refuses a bound boolean under glob with the plugin's %e text", () => {
            assert.deepStrictEqual(failures({ nomad_job_id: [true] }, "glob"), [
                "received claim is not a glob string: %!e(bool=true)xpVal",
            ]);
        });
        it("matches a glob before it meets a later bound number", () => {
            assert.deepStrictEqual(failures({ nomad_job_id: ["w*", 42] }, "glob"), []);
        });
        it("never reaches a bound number under glob when the claim is an empty list", () => {
            assert.deepStrictEqual(failures({ groups: [42] }, "glob", { groups: [] }), [
                'claim "groups" does not match any associated bound claim values',
            ]);
        });
        it("matches a number claim against a bound number, both as Vault holds them", () => {
            assert.deepStrictEqual(failures({ iat: 1767225600 }), []);
        });
        it("does not match a number claim against the same number written as a string", () => {
            assert.deepStrictEqual(failures({ iat: "1767225600" }), ['claim "iat" does not match any associated bound claim values']);
        });
        it("does not match a number inside a claim list against a bound number", () => {
            assert.deepStrictEqual(failures({ ids: 7 }, "string", { ids: [7] }), [
                'claim "ids" does not match any associated bound claim values',
            ]);
        });
        it("matches a boolean claim against a bound boolean", () => {
            assert.deepStrictEqual(failures({ admin: true }, "string", { admin: true }), []);
        });
        it("does not match a boolean claim against its text", () => {
            assert.deepStrictEqual(failures({ admin: "true" }, "string", { admin: true }), [
                'claim "admin" does not match any associated bound claim values',
            ]);
        });
        it("matches when any bound value is in the claim's list", () => {
            assert.deepStrictEqual(failures({ groups: ["ops", "dev"] }, "string", { groups: ["qa", "dev"] }), []);
        });
        it("refuses a map claim with Go's %v of it", () => {
            assert.deepStrictEqual(failures({ extra_claims: "payments" }), [
                "received claim is not a string, bool, int or list: map[nomad_team:payments]",
            ]);
        });
        it("refuses a bound map with Go's %v of it", () => {
            assert.deepStrictEqual(failures({ nomad_job_id: { a: 1 } }), ["bound claim is not a string, bool, int or list: map[a:1]"]);
        });
        it("refuses a bound null", () => {
            assert.deepStrictEqual(failures({ nomad_job_id: null }), ["bound claim is not a string, bool, int or list: <nil>"]);
        });
    });

    describe("validateAudience", () => {
        it("passes when one bound audience is the token's single aud", () => {
            assert.strictEqual(validateAudience(["vault.io", "other"], "vault.io"), undefined);
        });
        it("refuses an aud that matches no bound audience with cap's text behind the login's prefix", () => {
            assert.strictEqual(
                validateAudience(["vault.io"], "nomadproject.io"),
                "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
            );
        });
        it("refuses a token without aud when the role binds audiences", () => {
            assert.notStrictEqual(validateAudience(["vault.io"], undefined), undefined);
        });
        it("refuses an aud when the role binds none, as the login path does by default", () => {
            assert.strictEqual(validateAudience([], "vault.io"), "audience claim found in JWT but no audiences bound to the role");
        });
        it("refuses an aud list when the role's audiences are null", () => {
            assert.strictEqual(validateAudience(null, ["vault.io"]), "audience claim found in JWT but no audiences bound to the role");
        });
        it("passes an empty aud string when the role binds none", () => {
            assert.strictEqual(validateAudience([], ""), undefined);
        });
        it("passes an empty aud list when the role binds none", () => {
            assert.strictEqual(validateAudience([], []), undefined);
        });
        it("refuses an aud that is a number: it matches no bound audience", () => {
            assert.notStrictEqual(validateAudience(["5"], 5), undefined);
        });
        it("passes a token without aud when the role binds none", () => {
            assert.strictEqual(validateAudience(undefined, undefined), undefined);
        });
    });

    describe("extractMetadata", () => {
        it("maps a string claim reached by a pointer", () => {
            assert.deepStrictEqual(
                extractMetadata({ "/extra_claims/nomad_team": "team" }, { extra_claims: { nomad_team: "payments" } }).metadata,
                { team: "payments" },
            );
        });
        it("fails a number claim, which the plugin holds as a json.Number", () => {
            assert.deepStrictEqual(extractMetadata({ iat: "issued" }, { iat: 1767225600 }).failures, [
                { claim: "iat", target: "issued", has: new JsonNumber("1767225600"), error: "error converting claim 'iat' to string" },
            ]);
        });
        it("maps nothing for a null claim", () => {
            assert.deepStrictEqual(extractMetadata({ team: "team" }, { team: null }), { metadata: {}, failures: [] });
        });
    });

    describe("claimMappingsErrors", () => {
        it("refuses the reserved metadata key role", () => {
            assert.deepStrictEqual(claimMappingsErrors({ nomad_job_id: "role" }), [
                'metadata key "role" is reserved and may not be a mapping destination',
            ]);
        });
        it("refuses two claims mapped to one key, naming it once", () => {
            assert.deepStrictEqual(claimMappingsErrors({ a: "job", b: "job", c: "job" }), [
                'multiple keys are mapped to metadata key "job"',
            ]);
        });
        it("accepts the tutorial's mappings", () => {
            assert.deepStrictEqual(claimMappingsErrors({ nomad_job_id: "nomad_job_id", nomad_namespace: "nomad_namespace" }), []);
        });
        it("accepts no mappings", () => {
            assert.deepStrictEqual(claimMappingsErrors(null), []);
        });
    });

    describe("aliasName", () => {
        it("reads a JSON pointer user claim", () => {
            assert.deepStrictEqual(aliasName({ user_claim: "/nomad_job_id", user_claim_json_pointer: true }, { nomad_job_id: "web" }), {
                name: "web",
            });
        });
        it("reads a pointer into extra claims", () => {
            const role = { user_claim: "/extra_claims/nomad_workload_id", user_claim_json_pointer: true };
            assert.deepStrictEqual(aliasName(role, { extra_claims: { nomad_workload_id: "default:web" } }), { name: "default:web" });
        });
        it("reads a flat user claim by its name", () => {
            assert.deepStrictEqual(aliasName({ user_claim: "nomad_job_id" }, { nomad_job_id: "web" }), { name: "web" });
        });
        it("takes a '/' user claim literally without user_claim_json_pointer", () => {
            assert.deepStrictEqual(aliasName({ user_claim: "/nomad_job_id", user_claim_json_pointer: false }, { nomad_job_id: "web" }), {
                error: 'claim "/nomad_job_id" not found in token',
                has: undefined,
            });
        });
        it("refuses a user claim that is not a string", () => {
            assert.deepStrictEqual(aliasName({ user_claim: "iat" }, { iat: 1767225600 }), {
                error: 'claim "iat" could not be converted to string',
                has: 1767225600,
            });
        });
        it("refuses a null user claim as not found", () => {
            assert.deepStrictEqual(aliasName({ user_claim: "sub" }, { sub: null }), {
                error: 'claim "sub" not found in token',
                has: undefined,
            });
        });
    });
});
