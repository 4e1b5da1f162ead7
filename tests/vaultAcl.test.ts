// Vault's authorization for a token with several policies, held against Vault's own ACL tables
// (tests/fixtures/vault-acl/acl_test.json, from vault/acl_test.go) and the field cases of a templated
// workload policy next to a freeze, a rotation and another job's deny.
//
// Rows the model does not cover, and why:
// - the help operation rows (Vault allows help on any path; help is no capability);
// - testACLAllowOperation and testACLValuePermissions rows that Vault refuses for the request's parameters or
//   wrapping TTL: the model judges capabilities, and checks only that the deciding rule grants them;
// - TestACL_SegmentWildcardPriority_BareMount: the mount access check (CheckAllowedFromNonExactPaths with
//   bareMount), not a path's capabilities;
// - testACLPolicyMerge: how merged rules combine parameters and wrapping TTLs, which no capability depends on.
import * as assert from "assert";
import { allows, capabilities, decide, explain, NamedPolicy, Operation, readPolicies, tokenAcl } from "../policy/vaultAcl";
import { Capability, parsePolicy } from "../policy/vaultPolicyText";
import { Identity } from "../policy/policyTemplate";
import { vaultTable } from "./vaultAclFixtures";

const aclTest = vaultTable("acl_test");

/** Vault's test policies, named by their own `name =` line as ParseACLPolicy names them. */
const vaultPolicy = (key: string): NamedPolicy => {
    const text = aclTest.policies[key] as string;
    return { name: parsePolicy(text, key).name!, text };
};
const byName = (name: string): NamedPolicy =>
    Object.keys(aclTest.policies)
        .map(vaultPolicy)
        .find((p) => p.name === name)!;

const policy = (name: string, text: string): NamedPolicy => ({ name, text });
const only = (text: string, path: string) => capabilities([text], path);

describe("Vault ACL", () => {
    describe("vault/acl_test.go", () => {
        describe("TestACL_Capabilities and testACLCapabilities", () => {
            for (const row of aclTest.testACLCapabilities.rows) {
                it(`${row.path}: [${row.capabilities.join(", ")}], sorted as sys/capabilities sends them`, () => {
                    assert.deepStrictEqual(capabilities([aclTest.policies.aclPolicy], row.path), [...row.capabilities].sort());
                });
            }
            it("the root policy: [root]", () => {
                const [row] = aclTest.TestACL_Capabilities.rows;
                assert.deepStrictEqual(decide([policy("root", "")], row.path).capabilities, row.capabilities);
            });
        });

        for (const table of ["testACLSingle", "testLayeredACL"]) {
            describe(table, () => {
                const policies = (aclTest[table].policies as string[]).map(vaultPolicy);
                it("sys/mount/foo: no sudo", () => {
                    assert.strictEqual(allows(decide(policies, "sys/mount/foo", { operation: "read" }), "sudo"), false);
                });
                for (const row of aclTest[table].rows.filter((r: any) => r.op !== "help")) {
                    it(`${row.op} ${row.path}: ${row.allowed ? "allowed" : "denied"}${row.rootPrivs ? ", with sudo" : ""}`, () => {
                        const decision = decide(policies, row.path, { operation: row.op });
                        assert.deepStrictEqual([allows(decision, row.op), allows(decision, "sudo")], [row.allowed, row.rootPrivs]);
                    });
                }
            });
        }

        describe("TestACL_SegmentWildcardPriority", () => {
            for (const row of aclTest.TestACL_SegmentWildcardPriority.rows) {
                const rules = row.policy.trim().split("\n").join(" over ");
                it(`${row.path}: the update rule outranks the read rule (${rules})`, () => {
                    const acl = tokenAcl([policy("p", row.policy)]);
                    const [update, read] = [acl.decide(row.path, "update"), acl.decide(row.path, "read")];
                    assert.deepStrictEqual([allows(update, "update"), allows(read, "read")], [true, false]);
                });
            }
        });

        describe("TestACLGrantingPolicies", () => {
            for (const row of aclTest.TestACLGrantingPolicies.rows) {
                it(`${row.op} ${row.path} with ${row.policies.join(" + ")}: ${row.allowed ? `granted by ${row.grantingPolicies.join(", ")}` : "denied"}`, () => {
                    const decision = decide(row.policies.map(byName), row.path, { operation: row.op });
                    const granted = allows(decision, row.op);
                    assert.deepStrictEqual(
                        [granted, granted ? decision.rule!.grantedBy[row.op as Capability] : []],
                        [row.allowed, row.grantingPolicies],
                    );
                });
            }
        });

        for (const table of ["testACLAllowOperation", "testACLValuePermissions"]) {
            describe(table, () => {
                const policies = (aclTest[table].policies as string[]).map(vaultPolicy);
                for (const row of aclTest[table].rows) {
                    const refused = row.allowed ? "" : " (Vault refuses the request for its parameters or wrapping TTL)";
                    it(`${row.path} ${row.parameters.join(", ")}: update and create granted${refused}`, () => {
                        const granted = (["update", "create"] as Operation[]).map((op) =>
                            allows(decide(policies, row.path, { operation: op }), op as Capability),
                        );
                        assert.deepStrictEqual(granted, [true, true]);
                    });
                }
            });
        }
    });

    describe("field cases: a job's templated policy", () => {
        const WORKLOADS = policy(
            "nomad-workloads",
            'path "secret/data/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_namespace}}/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_job_id}}/*" { capabilities = ["read"] }',
        );
        const web = (job = "web"): Identity => ({
            entity: {
                id: "e-web",
                aliases: [{ mountAccessor: "auth_jwt_X", name: job, metadata: { nomad_namespace: "default", nomad_job_id: job } }],
            },
        });
        const PATH = "secret/data/default/web/config";
        const FREEZE = policy("freeze", 'path "secret/data/default/web/*" { capabilities = ["deny"] }');
        const ROTATE = policy("rotate-web", 'path "secret/data/default/web/config" { capabilities = ["create", "update"] }');

        it("alone, the job reads its own secret", () => {
            assert.deepStrictEqual(decide([WORKLOADS], PATH, { identity: web() }).capabilities, ["read"]);
        });
        it("(a) an incident freeze denies the read", () => {
            assert.deepStrictEqual(decide([WORKLOADS, FREEZE], PATH, { identity: web() }).capabilities, ["deny"]);
        });
        it("(a) the freeze's rule decides, merged with the job's on the same pattern", () => {
            const rule = decide([WORKLOADS, FREEZE], PATH, { identity: web() }).rule!;
            assert.deepStrictEqual(
                [rule.pattern, rule.capabilities, rule.policies, rule.deniedBy],
                ["secret/data/default/web/*", ["deny"], ["nomad-workloads", "freeze"], ["freeze"]],
            );
        });
        it("(a) the message names the deny rule and policy freeze", () => {
            const { reason } = explain(decide([WORKLOADS, FREEZE], PATH, { identity: web() }), "read");
            assert.match(reason, /^denied by "secret\/data\/default\/web\/\*" \(deny\) in policy freeze/);
        });
        it("(a) no fix is offered against a deny", () => {
            assert.strictEqual(explain(decide([WORKLOADS, FREEZE], PATH, { identity: web() }), "read").fix, undefined);
        });
        it("(b) a rotation policy's exact rule denies the read", () => {
            assert.deepStrictEqual(decide([WORKLOADS, ROTATE], PATH, { identity: web() }).capabilities, ["create", "update"]);
        });
        it("(b) the exact rule decides and outranks the templated glob", () => {
            const decision = decide([WORKLOADS, ROTATE], PATH, { identity: web() });
            assert.deepStrictEqual(
                [
                    decision.rule!.pattern,
                    decision.rule!.exact,
                    decision.rule!.policies,
                    decision.outranked.map((r) => [r.pattern, r.policies, r.capabilities]),
                ],
                [PATH, true, ["rotate-web"], [["secret/data/default/web/*", ["nomad-workloads"], ["read"]]]],
            );
        });
        it("(b) the message names the exact rule, its policy, its grants and the rule it outranks", () => {
            assert.strictEqual(
                explain(decide([WORKLOADS, ROTATE], PATH, { identity: web() }), "read").reason,
                'the exact rule "secret/data/default/web/config" in policy rotate-web grants [create, update], and it outranks "secret/data/default/web/*" in policy nomad-workloads',
            );
        });
        it("(b) the fix adds read to the exact rule", () => {
            assert.strictEqual(
                explain(decide([WORKLOADS, ROTATE], PATH, { identity: web() }), "read").fix,
                'add "read" to "secret/data/default/web/config" in policy rotate-web: an exact rule decides its path alone',
            );
        });
        it("(c) a deny on another job's path changes nothing for this job", () => {
            const other = policy("freeze-api", 'path "secret/data/default/api/*" { capabilities = ["deny"] }');
            assert.deepStrictEqual(decide([WORKLOADS, other], PATH, { identity: web() }).capabilities, ["read"]);
        });
        it("(c) the other job is the one denied", () => {
            const other = policy("freeze-api", 'path "secret/data/default/api/*" { capabilities = ["deny"] }');
            assert.deepStrictEqual(decide([WORKLOADS, other], "secret/data/default/api/config", { identity: web("api") }).capabilities, [
                "deny",
            ]);
        });
        it("(d) the old policy = read form grants read and list", () => {
            const old = policy("old", 'path "secret/data/default/web/*" { policy = "read" }');
            assert.deepStrictEqual(decide([old], PATH).capabilities, ["list", "read"]);
        });
        it("renders the job's path from its own identity, not another job's", () => {
            assert.deepStrictEqual(decide([WORKLOADS], PATH, { identity: web("api") }).capabilities, ["deny"]);
        });
        it("without an identity, the templated path is left out, and the message says why", () => {
            const { reason } = explain(decide([WORKLOADS], PATH), "read");
            assert.match(
                reason,
                /left out for this token: ".*nomad_job_id}}\/\*" in policy nomad-workloads \(string contains entity template directives but no entity was provided\)$/,
            );
        });
    });

    describe("rules", () => {
        it("answers deny when no rule matches", () => {
            assert.deepStrictEqual(only('path "a/*" { capabilities = ["read"] }', "b/c"), ["deny"]);
        });
        it("answers deny for a matching rule that grants nothing", () => {
            assert.deepStrictEqual(only('path "a/b" { }\npath "a/*" { capabilities = ["read"] }', "a/b"), ["deny"]);
        });
        it("sorts the answer as sys/capabilities does", () => {
            assert.deepStrictEqual(only('path "a" { capabilities = ["update", "sudo", "read", "create", "patch"] }', "a"), [
                "create",
                "patch",
                "read",
                "sudo",
                "update",
            ]);
        });
        it("strips a request path's leading slashes", () => {
            assert.deepStrictEqual(only('path "a/b" { capabilities = ["read"] }', "//a/b"), ["read"]);
        });
        it("strips one leading slash of a policy path", () => {
            assert.deepStrictEqual(
                [only('path "/a/b" { capabilities = ["read"] }', "a/b"), only('path "//a/b" { capabilities = ["read"] }', "a/b")],
                [["read"], ["deny"]],
            );
        });
        it("takes the longest prefix among globs", () => {
            assert.deepStrictEqual(only('path "a/*" { capabilities = ["read"] }\npath "a/b*" { capabilities = ["list"] }', "a/bc"), [
                "list",
            ]);
        });
        it("matches a glob on the text, not on whole segments", () => {
            assert.deepStrictEqual(only('path "a/b*" { capabilities = ["read"] }', "a/bc/d"), ["read"]);
        });
        it("does not match a glob that is longer than the path", () => {
            assert.deepStrictEqual(only('path "a/b/*" { capabilities = ["read"] }', "a/b"), ["deny"]);
        });
        it("matches + to exactly one segment", () => {
            const text = 'path "a/+/c" { capabilities = ["read"] }';
            assert.deepStrictEqual([only(text, "a/b/c"), only(text, "a/b/x/c"), only(text, "a/c")], [["read"], ["deny"], ["deny"]]);
        });
        it("matches a lone + to a one-segment path", () => {
            assert.deepStrictEqual(
                [only('path "+" { capabilities = ["read"] }', "a"), only('path "+" { capabilities = ["read"] }', "a/b")],
                [["read"], ["deny"]],
            );
        });
        it("matches a + rule's trailing glob as a prefix of the last segment", () => {
            const text = 'path "a/+/b*" { capabilities = ["read"] }';
            assert.deepStrictEqual([only(text, "a/x/bc/d"), only(text, "a/x/c"), only(text, "a/x")], [["read"], ["deny"], ["deny"]]);
        });
        it("reads + inside a segment literally", () => {
            const text = 'path "a/+b" { capabilities = ["read"] }';
            assert.deepStrictEqual([only(text, "a/+b"), only(text, "a/xb")], [["read"], ["deny"]]);
        });
        it("breaks a tie between equal-ranked + rules by the higher sort order, wherever written", () => {
            const text = 'path "x/+/+/d" { capabilities = ["update"] }\npath "x/+/c/+" { capabilities = ["read"] }';
            assert.deepStrictEqual(only(text, "x/y/c/d"), ["read"]);
        });
        it("breaks the tie the same way when the winner is written first", () => {
            const text = 'path "x/+/c/+" { capabilities = ["read"] }\npath "x/+/+/d" { capabilities = ["update"] }';
            assert.deepStrictEqual(only(text, "x/y/c/d"), ["read"]);
        });
        it("ranks the longer of two + rules higher, whatever their sort order", () => {
            const text = 'path "a/+/+/cccc" { capabilities = ["read"] }\npath "a/+/bb/+" { capabilities = ["update"] }';
            assert.deepStrictEqual(only(text, "a/x/bb/cccc"), ["read"]);
        });
        it("ranks the later first wildcard higher, whatever the order written", () => {
            const text = 'path "a/b/+/d" { capabilities = ["update"] }\npath "a/+/c/d" { capabilities = ["read"] }';
            assert.deepStrictEqual(only(text, "a/b/c/d"), ["update"]);
        });
        it("counts a path's length in bytes, as Go does", () => {
            // 10 bytes in 8 UTF-16 units against 9 in 9; the shorter one sorts higher.
            const text = 'path "a/+/+/éé" { capabilities = ["read"] }\npath "a/+/bbb/+" { capabilities = ["update"] }';
            assert.deepStrictEqual(only(text, "a/x/bbb/éé"), ["read"]);
        });
        it("matches a + rule's last segment whole when it has no glob", () => {
            assert.deepStrictEqual(only('path "a/+/b" { capabilities = ["read"] }', "a/x/bc"), ["deny"]);
        });
        it("matches a + rule's inner segments whole, glob or not", () => {
            assert.deepStrictEqual(only('path "a/+/b/c*" { capabilities = ["read"] }', "a/x/bz/cd"), ["deny"]);
        });
        it("lists the outranked rules highest first", () => {
            const text =
                'path "a/*" { capabilities = ["read"] }\npath "a/+/c" { capabilities = ["list"] }\npath "a/b/*" { capabilities = ["update"] }';
            assert.deepStrictEqual(
                decide([policy("p", text)], "a/b/c").outranked.map((r) => r.pattern),
                ["a/+/c", "a/*"],
            );
        });
        it("lists the wildcard rules an exact rule outranks", () => {
            const text = 'path "a/b" { capabilities = ["list"] }\npath "a/*" { capabilities = ["read"] }';
            const decision = decide([policy("p", text)], "a/b");
            assert.deepStrictEqual([decision.rule!.exact, decision.outranked.map((r) => [r.pattern, r.exact])], [true, [["a/*", false]]]);
        });
    });

    describe("merging", () => {
        it("unites the grants of one pattern across policies", () => {
            const decision = decide(
                [policy("a", 'path "k/*" { capabilities = ["read"] }'), policy("b", 'path "k/*" { capabilities = ["list"] }')],
                "k/x",
            );
            assert.deepStrictEqual([decision.capabilities, decision.rule!.grantedBy], [["list", "read"], { read: ["a"], list: ["b"] }]);
        });
        it("unites the stanzas of one pattern in one policy", () => {
            assert.deepStrictEqual(only('path "k" { capabilities = ["read"] }\npath "k" { capabilities = ["list"] }', "k"), [
                "list",
                "read",
            ]);
        });
        it("names each policy that grants a capability, in the token's order", () => {
            const decision = decide(
                [policy("a", 'path "k" { capabilities = ["read"] }'), policy("b", 'path "k" { capabilities = ["read"] }')],
                "k",
            );
            assert.deepStrictEqual(decision.rule!.grantedBy.read, ["a", "b"]);
        });
        it("names a policy once among the rule's policies", () => {
            const decision = decide([policy("a", 'path "k" { capabilities = ["read"] }\npath "k" { capabilities = ["list"] }')], "k");
            assert.deepStrictEqual(decision.rule!.policies, ["a"]);
        });
        it("keeps deny when a later policy grants on the same pattern", () => {
            const decision = decide(
                [policy("freeze", 'path "k" { capabilities = ["deny"] }'), policy("app", 'path "k" { capabilities = ["read"] }')],
                "k",
            );
            assert.deepStrictEqual(
                [decision.capabilities, decision.rule!.grantedBy, decision.rule!.policies],
                [["deny"], {}, ["freeze", "app"]],
            );
        });
        it("merges /k and k as one rule", () => {
            assert.deepStrictEqual(only('path "/k" { capabilities = ["deny"] }\npath "k" { capabilities = ["read"] }', "k"), ["deny"]);
        });
        it("keeps a glob apart from the exact rule of the same path", () => {
            assert.deepStrictEqual(only('path "k/*" { capabilities = ["deny"] }\npath "k/" { capabilities = ["read"] }', "k/"), ["read"]);
        });
        it("keeps deny in a denied + rule", () => {
            assert.deepStrictEqual(only('path "k/+" { capabilities = ["deny"] }\npath "k/+" { capabilities = ["read"] }', "k/x"), ["deny"]);
        });
    });

    describe("LIST lookups and the trailing slash", () => {
        const text = 'path "a/b" { capabilities = ["list"] }';
        it("applies the exact rule without the slash to sys/capabilities", () => {
            assert.deepStrictEqual(only(text, "a/b/"), ["list"]);
        });
        it("does not apply it to a read", () => {
            assert.deepStrictEqual(decide([policy("p", text)], "a/b/", { operation: "read" }).capabilities, ["deny"]);
        });
        const rules = 'path "a/+" { capabilities = ["read"] }\npath "a/b/+" { capabilities = ["list"] }';
        it("tries the wildcard rules on the path without its slash first", () => {
            assert.deepStrictEqual(only(rules, "a/b/"), ["read"]);
        });
        it("takes the wildcard rules on the path as it is for a read", () => {
            assert.deepStrictEqual(decide([policy("p", rules)], "a/b/", { operation: "read" }).capabilities, ["list"]);
        });
        it("falls back to the path with its slash", () => {
            assert.deepStrictEqual(only('path "a/b/+" { capabilities = ["list"] }', "a/b/"), ["list"]);
        });
        it("lists the rules of both lookups as outranked", () => {
            assert.deepStrictEqual(
                decide([policy("p", rules)], "a/b/").outranked.map((r) => r.pattern),
                ["a/b/+"],
            );
        });
        it("lists the exact rule without the slash as outranked by the one with it", () => {
            const decision = decide(
                [policy("p", 'path "a/b/" { capabilities = ["read"] }\npath "a/b" { capabilities = ["list"] }')],
                "a/b/",
            );
            assert.deepStrictEqual(
                [decision.capabilities, decision.outranked.map((r) => [r.pattern, r.exact])],
                [["read"], [["a/b", true]]],
            );
        });
    });

    describe("root", () => {
        it("decides alone, with no rule", () => {
            assert.deepStrictEqual(decide([policy("root", "")], "/sys/seal"), {
                path: "sys/seal",
                capabilities: ["root"],
                root: true,
                outranked: [],
                policies: ["root"],
                skipped: [],
            });
        });
        it("grants everything", () => {
            assert.deepStrictEqual(
                [decide([policy("root", "")], "sys/seal").root, allows(decide([policy("root", "")], "sys/seal"), "sudo")],
                [true, true],
            );
        });
        it("cannot be held with other policies", () => {
            assert.throws(() => decide([policy("root", ""), policy("default", "")], "a"), {
                message: "other policies present along with root",
            });
        });
        it("is named in the message", () => {
            assert.strictEqual(explain(decide([policy("root", "")], "/a"), "read").reason, "the root policy grants every capability");
        });
    });

    describe("messages", () => {
        it("names the rule and its grants when it grants", () => {
            const decision = decide([policy("p", 'path "k/*" { capabilities = ["read", "list"] }')], "k/x");
            assert.deepStrictEqual(explain(decision, "read"), { granted: true, reason: 'the rule "k/*" in policy p grants [list, read]' });
        });
        it("names every policy of a merged rule", () => {
            const decision = decide(
                [policy("a", 'path "k" { capabilities = ["read"] }'), policy("b", 'path "k" { capabilities = ["list"] }')],
                "k",
            );
            assert.strictEqual(explain(decision, "update").reason, 'the exact rule "k" in policies a, b grants [list, read]');
        });
        it("says when the deciding rule grants nothing", () => {
            assert.strictEqual(
                explain(decide([policy("p", 'path "k" { }')], "k"), "read").reason,
                'the exact rule "k" in policy p grants nothing',
            );
        });
        it("fixes a wildcard rule by adding to it, as it outranks the rest", () => {
            const decision = decide([policy("p", 'path "k/+" { capabilities = ["list"] }\npath "k/*" { capabilities = ["read"] }')], "k/x");
            assert.deepStrictEqual(explain(decision, "read"), {
                granted: false,
                reason: 'the rule "k/+" in policy p grants [list], and it outranks "k/*" in policy p',
                fix: 'add "read" to "k/+" in policy p: it outranks every other rule on this path',
            });
        });
        it("names only the outranked rules that would grant the capability", () => {
            const decision = decide(
                [policy("p", 'path "k/+" { capabilities = ["list"] }\npath "k/*" { capabilities = ["update"] }')],
                "k/x",
            );
            assert.strictEqual(explain(decision, "read").reason, 'the rule "k/+" in policy p grants [list]');
        });
        it("names the policies a deny overrides, and the rules it outranks", () => {
            const decision = decide(
                [
                    policy("app", 'path "k/+" { capabilities = ["read"] }\npath "k/*" { capabilities = ["read"] }'),
                    policy("freeze", 'path "k/+" { capabilities = ["deny"] }'),
                ],
                "k/x",
            );
            assert.strictEqual(
                explain(decision, "read").reason,
                'denied by "k/+" (deny) in policy freeze; the deny overrides what policy app grants on the same path, and it outranks "k/*" in policy app',
            );
        });
        it("names a deny without other policies plainly", () => {
            assert.deepStrictEqual(explain(decide([policy("freeze", 'path "k" { policy = "deny" }')], "k"), "read"), {
                granted: false,
                reason: 'denied by "k" (deny) in policy freeze',
            });
        });
        it("names each templated path left out for the token", () => {
            const text =
                'path "a/{{identity.entity.id}}" { capabilities = ["read"] }\npath "b/{{identity.entity.name}}" { capabilities = ["read"] }';
            assert.strictEqual(
                explain(decide([policy("p", text)], "k"), "read").reason,
                'no rule of policy p matches "k"; left out for this token: "a/{{identity.entity.id}}" in policy p (string contains entity template directives but no entity was provided), "b/{{identity.entity.name}}" in policy p (string contains entity template directives but no entity was provided)',
            );
        });
        it("names each outranked rule that would grant the capability", () => {
            const text =
                'path "k/x" { capabilities = ["list"] }\npath "k/+" { capabilities = ["read"] }\npath "k/*" { capabilities = ["read"] }';
            assert.strictEqual(
                explain(decide([policy("p", text)], "k/x"), "read").reason,
                'the exact rule "k/x" in policy p grants [list], and it outranks "k/+" in policy p, "k/*" in policy p',
            );
        });
        it("says no rule matches, naming the policies, and how to grant", () => {
            assert.deepStrictEqual(explain(decide([policy("a", ""), policy("b", "")], "/k"), "list"), {
                granted: false,
                reason: 'no rule of policies a, b matches "k"',
                fix: `grant "list" on "k" in one of the token's policies`,
            });
        });
    });

    describe("reading the policies once", () => {
        it("refuses a text Vault would refuse when the policies are read, naming the policy", () => {
            assert.throws(() => readPolicies([policy("ok", ""), policy("broken", 'path "x" { policy = "all" }')]), {
                message: 'policy broken, line 1: path "x": invalid policy "all"',
            });
        });
        it("builds one ACL per identity from one reading", () => {
            const read = readPolicies([
                policy("jobs", 'path "kv/{{identity.entity.aliases.acc.metadata.nomad_job_id}}/*" { capabilities = ["read"] }'),
            ]);
            const job = (id: string) => read.acl({ entity: { aliases: [{ mountAccessor: "acc", metadata: { nomad_job_id: id } }] } });
            assert.deepStrictEqual([job("a").decide("kv/a/x").capabilities, job("b").decide("kv/a/x").capabilities], [["read"], ["deny"]]);
        });
    });

    describe("one ACL for many paths", () => {
        it("answers each path from the same policies", () => {
            const acl = tokenAcl([policy("p", 'path "a/*" { capabilities = ["read"] }')]);
            assert.deepStrictEqual([acl.decide("a/1").capabilities, acl.decide("b/1").capabilities], [["read"], ["deny"]]);
        });
        it("names unnamed texts by their place in the error", () => {
            assert.throws(() => capabilities(["", 'path "x" { policy = "all" }'], "x"), { message: /^policy #2, line 1: / });
        });
    });
});
