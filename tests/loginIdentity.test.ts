// The identity a login gives, rendered into templated policies: alias metadata from claim_mappings, extra claims
// reached by JSON pointers, on the claims Nomad 2.0.5 signs (tests/fixtures/identities).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { JwtRole } from "../policy/jwtClaims";
import { loginIdentity } from "../policy/loginIdentity";
import { renderTemplate } from "../policy/policyTemplate";
import { PROJECT_ROOT } from "../tools/programRecorder";

const fixture = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/identities/nomad-v2.0.5.vault-identity.extra-claims.json"), "utf8"),
);
const ACCESSOR = "auth_jwt_d34481ad";
const role: JwtRole = {
    name: "nomad-workloads",
    bound_audiences: ["vault.io"],
    user_claim: "/nomad_job_id",
    user_claim_json_pointer: true,
    claim_mappings: { "/extra_claims/nomad_team": "team", nomad_namespace: "nomad_namespace" },
};
const teamPath = `secret/data/teams/{{identity.entity.aliases.${ACCESSOR}.metadata.team}}/*`;

describe("loginIdentity: the identity a JWT login gives its token", () => {
    it("names the alias by the user claim", () => {
        assert.strictEqual(loginIdentity(role, fixture.claims, ACCESSOR)?.entity?.aliases?.[0].name, "mongo-query");
    });
    it("puts the alias on the mount's accessor", () => {
        assert.strictEqual(loginIdentity(role, fixture.claims, ACCESSOR)?.entity?.aliases?.[0].mountAccessor, ACCESSOR);
    });
    it("maps an extra claim through its JSON pointer, and adds the role, as the plugin does", () => {
        assert.deepStrictEqual(loginIdentity(role, fixture.claims, ACCESSOR)?.entity?.aliases?.[0].metadata, {
            team: "payments",
            nomad_namespace: "default",
            role: "nomad-workloads",
        });
    });
    it("renders a templated path from the mapped extra claim", () => {
        assert.strictEqual(renderTemplate(teamPath, loginIdentity(role, fixture.claims, ACCESSOR)!), "secret/data/teams/payments/*");
    });
    it("gives no identity when Vault refuses the login", () => {
        assert.strictEqual(loginIdentity({ ...role, bound_claims: { nomad_group: "x" } }, fixture.claims, ACCESSOR), undefined);
    });
    it("judges the mount's bound issuer when given one", () => {
        assert.strictEqual(loginIdentity(role, fixture.claims, ACCESSOR, { boundIssuer: "https://nomad.example.com" }), undefined);
    });
});
