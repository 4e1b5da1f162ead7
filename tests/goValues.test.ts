// How the JWT plugin's error texts print values (Go's fmt %v and %e) and which values Go compares equal.
import * as assert from "assert";
import { asStoredByVault, formatE, formatV, goEquals, GoValue, JsonNumber } from "../policy/goValues";

describe("policy: Go's view of claim values", () => {
    describe("formatV (%v)", () => {
        const cases: Array<[string, GoValue, string]> = [
            ["a string as it is", "payments", "payments"],
            ["a boolean", false, "false"],
            ["nil", null, "<nil>"],
            ["undefined as nil", undefined, "<nil>"],
            ["a json.Number by its text", new JsonNumber("1e3"), "1e3"],
            ["a Go int", 42n, "42"],
            ["a small float", 0.5, "0.5"],
            ["a float of six digits", 123456, "123456"],
            ["a float of 1e6 in exponent form", 1e6, "1e+06"],
            ["a long float in exponent form", 1234567, "1.234567e+06"],
            ["a float of 1e-4 plainly", 0.0001, "0.0001"],
            ["a float of 1e-5 in exponent form", 0.00001, "1e-05"],
            ["a float with a three-digit exponent", 1e100, "1e+100"],
            ["negative zero", -0, "-0"],
            ["a negative float", -2.5, "-2.5"],
            ["a list, spaced", ["a", 1, null], "[a 1 <nil>]"],
            ["a map, keys sorted", { b: "2", a: ["x"] }, "map[a:[x] b:2]"],
        ];
        for (const [what, value, text] of cases) {
            it(`prints ${what}: ${text}`, () => {
                assert.strictEqual(formatV(value), text);
            });
        }
    });

    describe("formatE (%e)", () => {
        const cases: Array<[string, GoValue, string]> = [
            ["a json.Number as a bad verb", new JsonNumber("42"), "%!e(json.Number=42)"],
            ["a boolean as a bad verb", true, "%!e(bool=true)"],
            ["a Go int as a bad verb", 42n, "%!e(int=42)"],
            ["nil as a bad verb", null, "%!e(<nil>)"],
            ["undefined as nil, a bad verb", undefined, "%!e(<nil>)"],
            ["undefined in a list as nil", [undefined], "[<nil>]"],
            ["a float in exponent form", 42, "4.200000e+01"],
            ["a small float with a negative exponent", 0.00042, "4.200000e-04"],
            ["a list of strings, each a bad verb", ["a", null], "[%!e(string=a) <nil>]"],
            ["a map, keys and values as bad verbs", { k: "v" }, "map[%!e(string=k):%!e(string=v)]"],
        ];
        for (const [what, value, text] of cases) {
            it(`prints ${what}: ${text}`, () => {
                assert.strictEqual(formatE(value), text);
            });
        }
    });

    describe("goEquals", () => {
        const cases: Array<[string, GoValue, GoValue, boolean]> = [
            ["equal strings", "a", "a", true],
            ["a string and its json.Number", "42", new JsonNumber("42"), false],
            ["a json.Number and its string", new JsonNumber("42"), "42", false],
            ["json.Numbers of one text", new JsonNumber("42"), new JsonNumber("42"), true],
            ["json.Numbers of two texts", new JsonNumber("42"), new JsonNumber("42.0"), false],
            ["a json.Number and a map holding its text", new JsonNumber("42"), { text: "42" }, false],
            ["a float and a json.Number", 42, new JsonNumber("42"), false],
            ["a float and a Go int", 42, 42n, false],
            ["two Go ints", 42n, 42n, true],
            ["nil and nil", null, undefined, true],
            ["nil and false", null, false, false],
            ["two equal lists", ["a"], ["a"], false],
            ["two equal maps", { a: "b" }, { a: "b" }, false],
            ["a string and a list of it", "a", ["a"], false],
        ];
        for (const [what, a, b, equal] of cases) {
            it(`${equal ? "equates" : "tells apart"} ${what}`, () => {
                assert.strictEqual(goEquals(a, b), equal);
            });
        }
    });

    describe("asStoredByVault", () => {
        it("stores a number as a json.Number", () => {
            assert.deepStrictEqual(asStoredByVault(42), new JsonNumber("42"));
        });
        it("stores numbers inside lists and maps as json.Numbers", () => {
            assert.deepStrictEqual(asStoredByVault({ a: [1, "x"] }), { a: [new JsonNumber("1"), "x"] });
        });
        it("keeps a json.Number as it is", () => {
            assert.deepStrictEqual(asStoredByVault(new JsonNumber("1e3")), new JsonNumber("1e3"));
        });
        it("serialises a json.Number as a JSON number", () => {
            assert.strictEqual(JSON.stringify({ n: new JsonNumber("42") }), '{"n":42}');
        });
    });
});
