// A role read back from Vault, compared by meaning with what the stack declares.
import * as assert from "assert";
import { durationSeconds, roleDrift, shown } from "../verify/roleMeaning";

describe("verify: a role by meaning", () => {
    describe("durationSeconds", () => {
        const cases: Array<[unknown, number | undefined]> = [
            [1800, 1800],
            ["1800", 1800],
            ["30m", 1800],
            ["1h30m", 5400],
            ["90s", 90],
            ["1.5h", 5400],
            ["1.25h", 4500],
            ["1500ms", 1.5],
            [" 30m ", 1800],
            [" 1800 ", 1800],
            ["1h30", undefined],
            ["30 minutes", undefined],
            ["  ", undefined],
            [undefined, undefined],
            [null, undefined],
        ];
        for (const [value, seconds] of cases) {
            it(`reads ${JSON.stringify(value)} as ${seconds ?? "no duration"}`, () => {
                assert.strictEqual(durationSeconds(value), seconds);
            });
        }
    });

    describe("roleDrift", () => {
        it("tells a changed bound audience", () => {
            assert.deepStrictEqual(roleDrift({ bound_audiences: ["nomad.io"] }, { bound_audiences: ["vault.io"] }), ["bound_audiences"]);
        });
        it("tells an audience added to a set field", () => {
            assert.deepStrictEqual(roleDrift({ bound_audiences: ["vault.io", "x"] }, { bound_audiences: ["vault.io"] }), [
                "bound_audiences",
            ]);
        });
        it("tells a changed entry of an ordered list", () => {
            assert.deepStrictEqual(roleDrift({ bound_subject_list: ["a", "b"] }, { bound_subject_list: ["b", "a"] }), [
                "bound_subject_list",
            ]);
        });
        it("equates a set field given in another order or with repeats", () => {
            assert.deepStrictEqual(roleDrift({ token_policies: ["b", "a"] }, { token_policies: ["a", "b", "a"] }), []);
        });
        it("equates an empty list, an empty map, null and an absent field", () => {
            assert.deepStrictEqual(
                roleDrift({ token_policies: [], claim_mappings: {} }, { token_policies: null, claim_mappings: undefined }),
                [],
            );
        });
        for (const field of [
            "bound_audiences",
            "token_policies",
            "policies",
            "allowed_redirect_uris",
            "oidc_scopes",
            "token_bound_cidrs",
            "bound_cidrs",
        ]) {
            it(`equates ${field} in another order, as a set`, () => {
                assert.deepStrictEqual(roleDrift({ [field]: ["b", "a"] }, { [field]: ["a", "b"] }), []);
            });
        }
        const durations = [
            "token_ttl",
            "token_max_ttl",
            "token_explicit_max_ttl",
            "token_period",
            "clock_skew_leeway",
            "expiration_leeway",
            "not_before_leeway",
            "max_age",
        ];
        for (const field of durations) {
            it(`equates ${field} given as a Go duration with Vault's seconds`, () => {
                assert.deepStrictEqual(roleDrift({ [field]: 5400 }, { [field]: "1h30m" }), []);
            });
        }
        it("compares a map's values as given, even under a key named like a duration field", () => {
            assert.deepStrictEqual(roleDrift({ bound_claims: { session_ttl: "1800" } }, { bound_claims: { session_ttl: "30m" } }), [
                "bound_claims",
            ]);
        });
        it("tells a changed value inside a map", () => {
            assert.deepStrictEqual(
                roleDrift({ claim_mappings: { nomad_job_id: "nomad_job_id" } }, { claim_mappings: { nomad_job_id: "job" } }),
                ["claim_mappings"],
            );
        });
    });

    describe("shown", () => {
        it("shows an absent value as nothing", () => {
            assert.strictEqual(shown("bound_audiences", undefined), "nothing");
        });
        it("shows a set field sorted, and a duration in seconds", () => {
            assert.deepStrictEqual([shown("bound_audiences", ["b", "a"]), shown("token_period", "30m")], ['["a","b"]', "1800"]);
        });
    });
});
