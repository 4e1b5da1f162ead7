// The Vault calls found in a template, against Go's own template parser and consul-template's tests and docs
// (tests/fixtures/consul-template/, each naming its upstream source).
import * as assert from "assert";
import { TemplateCall, vaultCalls } from "../policy/templateCalls";
import { consulTemplateFixture } from "./consulTemplateFixtures";

/** The dependency consul-template's funcs.go builds for a call. */
function query(call: TemplateCall) {
    const [first, ...rest] = call.args;
    const data = Object.fromEntries(
        rest.flatMap((arg) => ("value" in arg && arg.value !== "" ? [arg.value.split(/=(.*)/s).slice(0, 2)] : [])),
    );
    const kind = {
        secrets: "NewVaultListQuery",
        pkiCert: "NewVaultPKIQuery",
        secret: rest.length ? "NewVaultWriteQuery" : "NewVaultReadQuery",
    }[call.name];
    return {
        query: kind,
        path: "value" in first ? first.value : { expression: first.expression },
        ...(rest.length || call.name === "pkiCert" ? { data } : {}),
    };
}

describe("Vault calls in a template", () => {
    describe("as Go's text/template parses it", () => {
        for (const row of consulTemplateFixture("go-template-calls").rows) {
            it(`${row.name}`, () => {
                assert.deepStrictEqual(vaultCalls(row.contents, { left: row.left, right: row.right }), row.calls);
            });
        }
    });

    describe("in consul-template's tests and docs", () => {
        for (const row of consulTemplateFixture("template-queries").rows) {
            it(`${row.from}`, () => {
                assert.deepStrictEqual(vaultCalls(row.contents).map(query), row.queries);
            });
        }
    });

    it("leaves a string with an escape JSON does not share with Go as an expression", () => {
        assert.deepStrictEqual(vaultCalls('{{ secret "kv/\\x41" }}'), [{ name: "secret", args: [{ expression: '"kv/\\x41"' }] }]);
    });
    it("reads an empty delimiter as Go's default", () => {
        assert.deepStrictEqual(vaultCalls('{{ secret "kv/a" }}', { left: "", right: "" }), [{ name: "secret", args: [{ value: "kv/a" }] }]);
    });
    it("finds no call in a template without actions", () => {
        assert.deepStrictEqual(vaultCalls('secret "kv/a"'), []);
    });
    it("finds no call in a template whose quote is never closed, which Go refuses", () => {
        assert.deepStrictEqual(vaultCalls('{{ secret "kv/a }}'), []);
    });
    it("reads a character constant as a word, not a path", () => {
        assert.deepStrictEqual(vaultCalls("{{ secret 'k' }}"), [{ name: "secret", args: [{ expression: "'k'" }] }]);
    });
    it("reads a parenthesis left open up to the action's end (Go refuses the template)", () => {
        assert.deepStrictEqual(vaultCalls('{{ secret (printf "kv/%s" .x }}'), [
            { name: "secret", args: [{ expression: '(printf "kv/%s" .x' }] },
        ]);
    });
});
