// Templated policy paths rendered as Vault renders them: identitytpl's own table (templating_test.go, ACL
// mode) and what policy.go does with a path whose template fails.
import * as assert from "assert";
import { hasTemplate, Identity, renderPaths, renderTemplate, TemplateError } from "../policy/policyTemplate";
import { vaultTable } from "./vaultAclFixtures";

const templatingTest = vaultTable("templating_test");
const NOT_FOUND = "no value could be found for one of the template directives";

/** The identity templating_test.go builds for a row. */
function rowIdentity(row: Record<string, any>, now: Date): Identity {
    const groups = [
        ...(row.groupName ? [{ id: "groupID", name: row.groupName, metadata: row.groupMetadata, namespaceId: "root" }] : []),
        ...((row.groupMemberships ?? []) as string[]).map((name, i) => ({ id: `${name}_${i}`, name, namespaceId: "" })),
    ];
    const aliases = row.aliasAccessor
        ? [{ mountAccessor: row.aliasAccessor, id: row.aliasID, name: row.aliasName, metadata: row.aliasMetadata }]
        : undefined;
    const entity = row.nilEntity ? undefined : { id: "entityID", name: row.entityName, metadata: row.metadata, aliases };
    return { entity, groups, now };
}

/** What rendering answers: the text, or Vault's error message. */
function outcome(text: string, identity: Identity): string {
    try {
        return renderTemplate(text, identity);
    } catch (err) {
        if (err instanceof TemplateError) {
            return `error: ${err.message}`;
        }
        throw err;
    }
}

const WEB: Identity = {
    entity: {
        id: "e-1",
        name: "entity_1",
        metadata: { team: "web", empty: "" },
        aliases: [
            {
                mountAccessor: "auth_jwt_X",
                id: "a-1",
                name: "web",
                metadata: { nomad_namespace: "default", nomad_job_id: "web", nomad_team: "payments" },
            },
            { mountAccessor: "auth_jwt_X", name: "second alias on the same mount" },
            { mountAccessor: "auth_userpass_Y", customMetadata: { tier: "gold" } },
        ],
    },
    groups: [{ id: "g-1", name: "ops", metadata: { site: "eu" } }, { id: "g-2", name: "ops-ns", namespaceId: "ns1" }, { id: "g-3" }],
};

describe("policy templates", () => {
    describe("sdk/helper/identitytpl/templating_test.go (ACL mode)", () => {
        const now = new Date(Date.UTC(2026, 11, 4, 12, 0, 0, 700));
        for (const row of templatingTest.rows) {
            const expected =
                row.err !== undefined
                    ? `error: ${row.err}`
                    : row.now
                      ? String(Math.floor(now.getTime() / 1000) + row.outputSecondsFromNow)
                      : row.output;
            it(`${row.name}: ${row.err ? `fails: ${row.err}` : "renders"}`, () => {
                assert.strictEqual(outcome(row.input, rowIdentity(row, now)), expected);
            });
        }
    });

    describe("values", () => {
        const cases: Array<[string, string]> = [
            ["{{identity.entity.id}}", "e-1"],
            ["{{identity.entity.name}}", "entity_1"],
            ["{{identity.entity.metadata.team}}", "web"],
            ["a{{identity.entity.metadata.empty}}b", "ab"],
            ["{{identity.entity.metadata.absent}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.metadata}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.groups.names}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.nickname}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases.auth_jwt_X.id}}", "a-1"],
            ["{{identity.entity.aliases.auth_jwt_X.name}}", "web"],
            ["{{identity.entity.aliases.auth_jwt_X.metadata.nomad_team}}", "payments"],
            ["{{identity.entity.aliases.auth_jwt_X.metadata.absent}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases.auth_jwt_X.custom_metadata.tier}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases.auth_userpass_Y.custom_metadata.tier}}", "gold"],
            ["{{identity.entity.aliases.auth_userpass_Y.custom_metadata}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases.auth_userpass_Y.id}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases.auth_userpass_Y.name}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases.auth_userpass_Y.metadata.x}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases.auth_jwt_Z.id}}", "error: alias not found"],
            ["{{identity.entity.aliases.auth_jwt_X}}", "error: invalid alias selector"],
            ["{{identity.entity.aliases.auth_jwt_X.}}", `error: ${NOT_FOUND}`],
            ["{{identity.entity.aliases..id}}", "error: alias not found"],
            ["{{identity.entity.metadataXteam}}", `error: ${NOT_FOUND}`],
            ["{{identity.groups.ids.g-1.metadataXsite}}", `error: ${NOT_FOUND}`],
            ["{{identity.groups.ids.g-1.name}}", "ops"],
            ["{{identity.groups.ids.g-1.metadata.site}}", "eu"],
            ["{{identity.groups.ids.g-1.metadata.absent}}", `error: ${NOT_FOUND}`],
            ["{{identity.groups.ids.g-1.type}}", `error: ${NOT_FOUND}`],
            ["{{identity.groups.ids.g-3.name}}", `error: ${NOT_FOUND}`],
            ["{{identity.groups.ids.g-2.name}}", "ops-ns"],
            ["{{identity.groups.names.ops.id}}", "g-1"],
            ["{{identity.groups.names.ops-ns.id}}", 'error: entity is not a member of group "ops-ns"'],
            ["{{identity.groups.ids}}", "error: invalid groups selector"],
            ["{{identity.groups.members.g-1.id}}", "error: invalid groups selector"],
            ["{{identity.groups.ids.g-1}}", "error: invalid groups accessor"],
            ["{{identity.user.id}}", `error: ${NOT_FOUND}`],
            ["{{ identity.entity.id\t}}", "e-1"],
            ["kv/{{identity.entity.metadata.team}}/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_job_id}}/*", "kv/web/web/*"],
        ];
        for (const [template, expected] of cases) {
            it(`${template} → ${expected}`, () => {
                assert.strictEqual(outcome(template, WEB), expected);
            });
        }
        it("takes the first alias of a mount", () => {
            assert.strictEqual(outcome("{{identity.entity.aliases.auth_jwt_X.name}}", WEB), "web");
        });
        it("fails on a groups template when the token has no groups", () => {
            assert.strictEqual(
                outcome("{{identity.groups.ids.g-1.name}}", { entity: WEB.entity, groups: [] }),
                "error: string contains groups template directives but no groups were provided",
            );
        });
        it("fails on a groups template when the identity names no groups", () => {
            assert.strictEqual(
                outcome("{{identity.groups.ids.g-1.name}}", { entity: WEB.entity }),
                "error: string contains groups template directives but no groups were provided",
            );
        });
        it("fails on an alias template when the entity has no aliases", () => {
            assert.strictEqual(outcome("{{identity.entity.aliases.auth_jwt_X.id}}", { entity: { id: "e" } }), "error: alias not found");
        });
        it("fails on a metadata template when the entity has no metadata", () => {
            assert.strictEqual(outcome("{{identity.entity.metadata.team}}", { entity: { id: "e" } }), `error: ${NOT_FOUND}`);
        });
    });

    describe("wildcards in a value", () => {
        for (const value of ["we*b", "+", "a+b"]) {
            it(`refuses a value holding ${JSON.stringify(value)}`, () => {
                assert.strictEqual(
                    outcome("kv/{{identity.entity.name}}/x", { entity: { name: value } }),
                    "error: globs and wildcards are not allowed in template result",
                );
            });
        }
        it("accepts a value holding a slash", () => {
            assert.strictEqual(outcome("kv/{{identity.entity.name}}", { entity: { name: "a/b" } }), "kv/a/b");
        });
    });

    describe("time", () => {
        const now = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 999));
        const at = (text: string) => outcome(text, { now });
        it("renders now in Unix seconds", () => {
            assert.strictEqual(at("{{time.now}}"), "1767225600");
        });
        it("adds a Go duration", () => {
            assert.strictEqual(at("{{time.now.plus.1.5h}}"), String(1767225600 + 5400));
        });
        it("subtracts whole seconds", () => {
            assert.strictEqual(at("{{time.now.minus.30}}"), String(1767225600 - 30));
        });
        it("refuses an operator without an operand", () => {
            assert.strictEqual(at("{{time.now.}}"), "error: missing time operand");
        });
        it("reads the operand after the second dot whole", () => {
            assert.strictEqual(at("{{time.now.minus.0.5m}}"), String(1767225600 - 30));
        });
        it("refuses an unknown operator even with a valid operand", () => {
            assert.strictEqual(at("{{time.now.times.1s}}"), 'error: invalid time operator "times"');
        });
        it("refuses a selector other than now", () => {
            assert.strictEqual(at("{{time.then}}"), 'error: invalid time selector "then"');
        });
        it("refuses an operand that is no duration", () => {
            assert.strictEqual(at("{{time.now.plus.soon}}"), 'error: invalid duration: time: invalid duration "soon"');
        });
        it("defaults to the current time", () => {
            const before = Math.floor(Date.now() / 1000);
            const rendered = Number(outcome("{{time.now}}", {}));
            assert.deepStrictEqual([rendered >= before, rendered <= Math.floor(Date.now() / 1000)], [true, true]);
        });
    });

    describe("checking a path", () => {
        it("finds a template", () => {
            assert.strictEqual(hasTemplate("kv/{{identity.entity.id}}"), true);
        });
        it("finds none in a plain path", () => {
            assert.strictEqual(hasTemplate("kv/data/*"), false);
        });
        it("refuses braces that do not pair up", () => {
            assert.throws(() => hasTemplate("kv/{{a}}}}"), { message: "unbalanced templating characters" });
        });
    });

    describe("rendering a policy's paths", () => {
        const stanzas = [
            { path: "kv/data/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_job_id}}/*", templated: true, line: 1 },
            { path: "kv/data/{{identity.entity.aliases.auth_jwt_X.metadata.nomad_group}}/*", templated: true, line: 2 },
            { path: "kv/metadata/*", templated: false, line: 3 },
        ];
        it("renders the templated paths and keeps the plain ones", () => {
            assert.deepStrictEqual(
                renderPaths(stanzas, WEB).stanzas.map((s) => s.path),
                ["kv/data/web/*", "kv/metadata/*"],
            );
        });
        it("leaves out a path whose value is missing, with Vault's reason", () => {
            assert.deepStrictEqual(
                renderPaths(stanzas, WEB).skipped.map((s) => [s.stanza.line, s.reason]),
                [[2, NOT_FOUND]],
            );
        });
        it("leaves out every templated path when the token has no entity", () => {
            assert.deepStrictEqual(
                renderPaths(stanzas, {}).stanzas.map((s) => s.line),
                [3],
            );
        });
        it("does not render a path marked plain", () => {
            assert.deepStrictEqual(renderPaths([{ path: "{{x}}", templated: false }], WEB).stanzas, [{ path: "{{x}}", templated: false }]);
        });
        it("lets an error other than a template's through", () => {
            const broken = { entity: { aliases: {} } } as unknown as Identity;
            assert.throws(() => renderPaths(stanzas, broken), TypeError);
        });
    });
});
