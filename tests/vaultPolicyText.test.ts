// Policy texts read as Vault reads them: the project's and the tutorial's policies, Vault's own test policies
// (tests/fixtures/vault-acl/), and what Vault refuses.
import * as assert from "assert";
import { readProjectFile } from "../components/assets";
import { durationSeconds } from "../policy/goDuration";
import { policyStanzas } from "../policy/hcl";
import { parsePolicy, PolicyTextError } from "../policy/vaultPolicyText";
import { seedHcl } from "./seed";
import { vaultTable } from "./vaultAclFixtures";

const aclTest = vaultTable("acl_test");
const policyTest = vaultTable("policy_test");

/** One `it` per text: refused at `line`, its reason holding `reason`. */
function itRefuses(cases: Array<[what: string, text: string, line: number, reason: string]>): void {
    for (const [what, text, line, reason] of cases) {
        it(`refuses ${what}, naming the line`, () => {
            const found = refusal(text);
            assert.deepStrictEqual([found.line, found.reason.includes(reason)], [line, true], found.reason);
        });
    }
}

/** The reason a text is refused, with the policy's name and the line. */
function refusal(text: string, name = "p"): { policy: string; line: number; reason: string } {
    try {
        parsePolicy(text, name);
    } catch (err) {
        if (err instanceof PolicyTextError) {
            return { policy: err.policy, line: err.line, reason: err.reason };
        }
        throw err;
    }
    throw new Error("the text was accepted");
}

const stanzas = (text: string) => parsePolicy(text, "p").stanzas;
const caps = (text: string) => stanzas(text).map((s) => s.capabilities);

describe("Vault policy text", () => {
    describe("real policies", () => {
        const texts: Record<string, string> = {
            "components/assets/nomad-workloads.policy.hcl": readProjectFile("components/assets/nomad-workloads.policy.hcl"),
            "components/assets/nomad-creds.policy.hcl": readProjectFile("components/assets/nomad-creds.policy.hcl"),
            "tutorial vault-policy-nomad-workloads.hcl": seedHcl("vault-policy-nomad-workloads.hcl"),
            "tutorial vault-policy-mongo-dynamic-secret.hcl": seedHcl("vault-policy-mongo-dynamic-secret.hcl"),
            ...Object.fromEntries(
                Object.entries(aclTest.policies as Record<string, string>).map(([name, text]) => [`acl_test.go ${name}`, text]),
            ),
            "policy_test.go rawPolicy": policyTest.TestPolicy_Parse.policy,
        };
        for (const [name, text] of Object.entries(texts)) {
            it(`${name}: the same stanzas as the HCL parser of policy/hcl.ts`, async () => {
                // The HCL2 parser knows no old `policy =` form: there only the paths compare.
                const ours = stanzas(text).map((s) => (s.policy ? s.path : `${s.path} [${s.capabilities.join(", ")}]`));
                const theirs = (await policyStanzas(text)).map((s) => {
                    const old = stanzas(text).find((o) => o.path === s.path)!.policy;
                    return old ? s.path : `${s.path} [${[...s.capabilities].sort().join(", ")}]`;
                });
                assert.deepStrictEqual(ours.sort(), theirs.sort());
            });
        }
        it("reads the templated workloads policy's paths with their templates, as templated", () => {
            const parsed = parsePolicy(texts["tutorial vault-policy-nomad-workloads.hcl"], "nomad-workloads");
            assert.deepStrictEqual([parsed.templated, parsed.stanzas.map((s) => s.templated)], [true, [true, true, true, false]]);
        });
    });

    describe("vault/policy_test.go", () => {
        it("TestPolicy_Parse: name, paths, capabilities, parameters and wrapping TTLs", () => {
            const parsed = parsePolicy(policyTest.TestPolicy_Parse.policy, "dev");
            const seen = parsed.stanzas.map((s) =>
                Object.fromEntries(Object.entries(s).filter(([k, v]) => v !== undefined && !["line", "templated"].includes(k))),
            );
            assert.deepStrictEqual([parsed.name, seen], [policyTest.TestPolicy_Parse.name, policyTest.TestPolicy_Parse.stanzas]);
        });
        for (const row of policyTest.refused) {
            it(`${row.test}: refused at line ${row.line}, naming ${row.mentions.join(" and ")}`, () => {
                const { policy, line, reason } = refusal(row.policy, "bad");
                assert.deepStrictEqual([policy, line, row.mentions.filter((m: string) => !reason.includes(m))], ["bad", row.line, []]);
            });
        }
    });

    describe("syntax", () => {
        it("skips #, // and /* */ comments, counting the lines a block comment spans", () => {
            const text = '# a\n// b\n/* c\nd */ path "x" { # e\n capabilities = ["read"] // f\n}\npath "y" {';
            assert.deepStrictEqual(refusal(text).line, 7);
        });
        it("reads a stanza after comments", () => {
            assert.deepStrictEqual(
                stanzas('# a\n/* b */ path "x" { capabilities = ["read"] } // c').map((s) => [s.path, s.line]),
                [["x", 2]],
            );
        });
        it("keeps several stanzas for one path apart: the ACL merges them", () => {
            assert.deepStrictEqual(caps('path "x" { capabilities = ["read"] }\npath "x" { capabilities = ["list"] }'), [
                ["read"],
                ["list"],
            ]);
        });
        it("reads stanzas one after another on a line, with or without a comma", () => {
            assert.deepStrictEqual(caps('path "x" { policy = "read" }, path "y" { capabilities = ["list",] } name = "n"'), [
                ["list", "read"],
                ["list"],
            ]);
        });
        it("reads an unquoted path label with digits, dots and dashes", () => {
            assert.deepStrictEqual(
                stanzas("path kv-v2.x1 { }").map((s) => s.path),
                ["kv-v2.x1"],
            );
        });
        it("reads true and false", () => {
            assert.deepStrictEqual(stanzas('path "x" { allowed_parameters = { a = [true, false] } }')[0].allowedParameters, {
                a: [true, false],
            });
        });
        it("reads a \\u escape of four hex digits only", () => {
            assert.deepStrictEqual(refusal('path "\\u12" { }').reason, "the escape \\u is not one this reader knows");
        });
        it("reads a \\u escape right after the u", () => {
            assert.deepStrictEqual(refusal('path "\\uZZZZ0041" { }').reason, "the escape \\u is not one this reader knows");
        });
        it("reads hex digits after another escape as text", () => {
            assert.deepStrictEqual(stanzas('path "a\\n0041" { }')[0].path, "a\n0041");
        });
        it("reads the rest of a string after a \\u escape", () => {
            assert.deepStrictEqual(stanzas('path "\\u0041bc" { }')[0].path, "Abc");
        });
        it("is not templated without templates", () => {
            assert.strictEqual(parsePolicy(seedHcl("vault-policy-mongo-dynamic-secret.hcl"), "mongo").templated, false);
        });
        it("reads the block form of a parameter map", () => {
            assert.deepStrictEqual(stanzas('path "x" { allowed_parameters { "A" = ["v", 1, true] } }')[0].allowedParameters, {
                a: ["v", 1, true],
            });
        });
        it("reads string escapes", () => {
            assert.deepStrictEqual(stanzas('path "a\\"b\\\\c\\/d\\u0041\\n\\t\\r" { }')[0].path, 'a"b\\c/dA\n\t\r');
        });
        it("keeps a control group as written", () => {
            const text = 'path "x" { control_group = { ttl = "4h" factor "ops" { identity { group_names = ["ops"] approvals = 1 } } } }';
            assert.deepStrictEqual(stanzas(text)[0].controlGroup, {
                ttl: "4h",
                "factor.ops": { identity: { group_names: ["ops"], approvals: 1 } },
            });
        });
        it("keeps a comment, required parameters, MFA methods and event types", () => {
            const text =
                'path "x" { comment = "c" required_parameters = ["r"] mfa_methods = ["m"] subscribe_event_types = ["kv*"] capabilities = ["subscribe"] }';
            const [s] = stanzas(text);
            assert.deepStrictEqual([s.comment, s.requiredParameters, s.mfaMethods, s.subscribeEventTypes], ["c", ["r"], ["m"], ["kv*"]]);
        });
        it("reads an empty text as a policy without stanzas", () => {
            assert.deepStrictEqual(parsePolicy(" \n", "p"), { name: undefined, stanzas: [], templated: false });
        });
        itRefuses([
            ["an unclosed string", 'path "x\n" { }', 1, "string is not closed"],
            ["a string open at the end of the text", '\npath "x', 2, "string is not closed"],
            ["a block comment opened as /*/", 'path "x" { }\n/*/ path "y" { }', 2, "comment is not closed"],
            ["an unknown top-level block", '\nrole "x" { capabilities = ["read"] }', 2, 'invalid key "role"'],
            ["an unclosed block comment", 'path "x" { }\n/* open', 2, "comment is not closed"],
            ["an unknown character", 'path "x" { capabilities = ["read"] }\n@', 2, 'unexpected "@"'],
            ["an unknown escape", 'path "\\q" { }', 1, "escape \\q"],
            ["a list without commas", 'path "x" { capabilities = ["read" "list"] }', 1, 'expected ","'],
            ["a key without a value", 'path "x" { capabilities }', 1, 'expected "=" or "{" after "capabilities", found "}"'],
            ["a value where a key belongs", 'path "x" { = 1 }', 1, 'expected a key, found "="'],
            ["a bare word as a value", 'path "x" { policy = read }', 1, 'expected a value, found "read"'],
            ["an unclosed stanza", 'path "x" {\n', 2, "expected a key, found the end of the text"],
            ["a path assigned with =", 'path "x" = { }', 1, 'expected "{" after "x", found "="'],
            ["a path without its label", "path { }", 1, 'path "<path>"'],
            ["a path with two labels", 'path "a" "b" { }', 1, 'path "<path>"'],
            ["a block for the name", "name { }", 1, 'name = "<name>"'],
            ["a name that is not a string", "name = 1", 1, "name: expected a string"],
            ["an unknown top-level key", '\nrole = "x"', 2, 'invalid key "role"'],
            ["an unknown stanza key", 'path "x" {\n capabilites = ["read"] }', 2, 'path "x": invalid key "capabilites"'],
            ["an unknown stanza key with digits", 'path "x" { cap1 = ["read"] }', 1, 'path "x": invalid key "cap1"'],
            ["a stanza key with a label", 'path "x" { capabilities "a" { } }', 1, 'path "x": invalid key "capabilities"'],
            ["a key set twice", 'path "x" { policy = "read"\npolicy = "read" }', 2, "policy is set twice"],
            ["capabilities that are not a list", 'path "x" { capabilities = "read" }', 1, 'path "x": capabilities: expected a list'],
            ["a capability that is not a string", 'path "x" { capabilities = [1] }', 1, 'path "x": capabilities: expected a string'],
            ["a policy that is not a string", 'path "x" { policy = ["read"] }', 1, 'path "x": policy: expected a string'],
            ["parameters that are not an object", 'path "x" { allowed_parameters = ["a"] }', 1, "allowed_parameters: expected an object"],
            [
                "parameter values that are not a list",
                'path "x" { denied_parameters = { a = "b" } }',
                1,
                "denied_parameters: expected a list",
            ],
            ["a wildcard right before the glob", 'path "/a/+*" { }', 1, "'+*' is forbidden"],
            [
                "unpaired template braces",
                'path "a/{{identity.entity.id" { }',
                1,
                'path "a/{{identity.entity.id": unbalanced templating characters',
            ],
            [
                "a wrapping TTL that is not a duration",
                'path "x" { capabilities = ["read"]\n\nmin_wrapping_ttl = "soon" }',
                3,
                "min_wrapping_ttl is not a duration",
            ],
            [
                "a wrapping TTL that is a list",
                'path "x" { capabilities = ["read"]\nmax_wrapping_ttl = [\n1] }',
                2,
                "max_wrapping_ttl is not a duration",
            ],
            [
                "a wrapping TTL that is true",
                'path "x" { capabilities = ["read"] max_wrapping_ttl = true }',
                1,
                "max_wrapping_ttl is not a duration",
            ],
        ]);
        it("names the policy in the message", () => {
            assert.throws(() => parsePolicy('path "x" { capabilities = ["fly"] }', "freeze"), {
                message: 'policy freeze, line 1: path "x": invalid capability "fly"',
            });
        });
    });

    describe("capabilities", () => {
        it("maps policy = write to create, delete, list, read and update", () => {
            assert.deepStrictEqual(caps('path "x" { policy = "write" }'), [["create", "delete", "list", "read", "update"]]);
        });
        it("maps policy = sudo to write and sudo", () => {
            assert.deepStrictEqual(caps('path "x" { policy = "sudo" }'), [["create", "delete", "list", "read", "sudo", "update"]]);
        });
        it("adds the old form's capabilities to those listed", () => {
            assert.deepStrictEqual(caps('path "x" { policy = "read"\ncapabilities = ["update", "read"] }'), [["list", "read", "update"]]);
        });
        it("reads policy = deny as deny alone, whatever the capabilities list", () => {
            assert.deepStrictEqual(caps('path "x" { policy = "deny"\ncapabilities = ["read", "fly"] }'), [["deny"]]);
        });
        it("ignores an empty old form", () => {
            assert.deepStrictEqual(caps('path "x" { policy = ""\ncapabilities = ["read"] }'), [["read"]]);
        });
        it("refuses an unknown old form", () => {
            assert.match(refusal('path "x" { policy = "admin" }').reason, /invalid policy "admin"/);
        });
        it("refuses an old form that only an object has", () => {
            assert.match(refusal('path "x" { policy = "toString" }').reason, /invalid policy "toString"/);
        });
        it("keeps deny alone when a capability list holds it", () => {
            assert.deepStrictEqual(caps('path "x" { capabilities = ["read", "deny", "update"] }'), [["deny"]]);
        });
        it("stops at deny: a capability after it is not checked", () => {
            assert.deepStrictEqual(caps('path "x" { capabilities = ["deny", "fly"] }'), [["deny"]]);
        });
        it("refuses an unknown capability before deny", () => {
            assert.match(refusal('path "x" { capabilities = ["fly", "deny"] }').reason, /invalid capability "fly"/);
        });
        it("knows patch, recover and subscribe, and removes repeats", () => {
            assert.deepStrictEqual(caps('path "x" { capabilities = ["subscribe", "recover", "patch", "patch"] }'), [
                ["patch", "recover", "subscribe"],
            ]);
        });
        it("grants nothing from a stanza without capabilities", () => {
            assert.deepStrictEqual(caps('path "x" { comment = "none" }'), [[]]);
        });
    });

    describe("wrapping TTLs", () => {
        const ttls = (body: string) => {
            const [s] = stanzas(`path "x" { capabilities = ["read"]\n${body} }`);
            return [s.minWrappingTtl, s.maxWrappingTtl];
        };
        it("reads numbers as seconds, fractions cut", () => {
            assert.deepStrictEqual(ttls("min_wrapping_ttl = 90.95\nmax_wrapping_ttl = 3600"), [90, 3600]);
        });
        it("reads numbers with exponents", () => {
            assert.deepStrictEqual(ttls("min_wrapping_ttl = 1e3\nmax_wrapping_ttl = 2.5E+3"), [1000, 2500]);
        });
        it("reads a negative exponent", () => {
            assert.deepStrictEqual(ttls("min_wrapping_ttl = 25e-1"), [2, undefined]);
        });
        it("reads duration strings", () => {
            assert.deepStrictEqual(ttls('min_wrapping_ttl = "1m30s"\nmax_wrapping_ttl = "2d"'), [90, 172_800]);
        });
        it("accepts a maximum equal to the minimum", () => {
            assert.deepStrictEqual(ttls("min_wrapping_ttl = 60\nmax_wrapping_ttl = 60"), [60, 60]);
        });
        it("accepts a maximum below the minimum when either is zero", () => {
            assert.deepStrictEqual(ttls("min_wrapping_ttl = 60\nmax_wrapping_ttl = 0"), [60, 0]);
        });
        it("refuses a maximum below the minimum", () => {
            assert.match(
                refusal('path "x" { policy = "read"\nmin_wrapping_ttl = 61\nmax_wrapping_ttl = 60 }').reason,
                /max_wrapping_ttl cannot be less/,
            );
        });
        it("does not read the TTLs of a denying stanza, as Vault does not", () => {
            assert.deepStrictEqual(stanzas('path "x" { policy = "deny"\nmin_wrapping_ttl = "soon" }')[0].minWrappingTtl, undefined);
        });
    });

    describe("JSON", () => {
        it("reads paths, capabilities and the name", () => {
            const parsed = parsePolicy(' {"name": "n", "path": {"a/*": {"capabilities": ["read"]}, "b": {"policy": "write"}}}', "p");
            assert.deepStrictEqual(
                [parsed.name, parsed.stanzas.map((s) => [s.path, s.capabilities])],
                [
                    "n",
                    [
                        ["a/*", ["read"]],
                        ["b", ["create", "delete", "list", "read", "update"]],
                    ],
                ],
            );
        });
        it("reads a list of path objects, repeated paths included", () => {
            const text = '{"path": [{"a": {"capabilities": ["read"]}}, {"a": {"capabilities": ["list"]}}]}';
            assert.deepStrictEqual(caps(text), [["read"], ["list"]]);
        });
        it("keeps a path written twice in one object as two stanzas", () => {
            assert.deepStrictEqual(caps('{"path": {"a": {"capabilities": ["read"]}, "a": {"capabilities": ["list"]}}}'), [
                ["read"],
                ["list"],
            ]);
        });
        it("reads an empty stanza", () => {
            assert.deepStrictEqual(caps('{"path": {"a": {}}}'), [[]]);
        });
        it("reads parameters", () => {
            const text = '{"path": {"a": {"capabilities": ["update"], "allowed_parameters": {"Key": ["v", 2]}}}}';
            assert.deepStrictEqual(stanzas(text)[0].allowedParameters, { key: ["v", 2] });
        });
        itRefuses([
            ["a stanza whose values are all objects", '{"path": {"a": {\n"allowed_parameters": {"k": []}}}}', 1, "values are all objects"],
            ["a path that is not an object", '{"path": {"a": ["read"]}}', 1, 'path "a": expected an object'],
            ["a path list that holds no objects", '{"path": ["a"]}', 1, '"path": expected an object'],
            ["an unknown top-level key", '{\n"paths": {}}', 2, 'invalid key "paths"'],
            ["a trailing comma", '{"path": {}, }', 1, 'expected "string", found "}"'],
            ["a missing colon", '{"path" {}}', 1, 'expected ":"'],
            ["text after the object", '{"path": {}} x', 1, 'expected "eof", found "x"'],
            ["a bare word as a value", '{"name": null}', 1, 'expected a value, found "null"'],
            ["a name that is not a string", '{"name": 1}', 1, "name: expected a string"],
        ]);
        it("reads a JSON list value in JSON", () => {
            assert.deepStrictEqual(
                stanzas('{"path": {"a": {"required_parameters": [], "capabilities": ["read", "list"]}}}')[0].requiredParameters,
                [],
            );
        });
    });

    describe("durations", () => {
        const cases: Array<[string, number | undefined]> = [
            ["300", 300],
            ["-5", -5],
            ["+7", 7],
            ["2d", 172_800],
            ["-1d", -86_400],
            ["1h30m", 5400],
            ["1.5h", 5400],
            [".5s", 0.5],
            ["-90s", -90],
            ["+1m", 60],
            ["250ms", 0.25],
            ["1500us", 0.0015],
            ["2µs", 2e-6],
            ["3ns", 3e-9],
            ["1.d", undefined],
            ["12d", 1_036_800],
            ["10.5h", 37_800],
            [".55s", 0.55],
            ["x5", undefined],
            ["x5d", undefined],
            ["5dx", undefined],
            ["5d5s", undefined],
            ["5x", undefined],
            ["h", undefined],
            ["", undefined],
            ["1h 30m", undefined],
            ["d", undefined],
        ];
        for (const [text, seconds] of cases) {
            it(`reads ${JSON.stringify(text)} as ${seconds === undefined ? "no duration" : `${seconds} s`}`, () => {
                assert.strictEqual(durationSeconds(text), seconds);
            });
        }
    });
});
