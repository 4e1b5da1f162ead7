// Vault's refusals of a JWT login, as its JWT method words them, each read for its cause with the
// concrete URL, role, path or kid it concerns.
import * as assert from "assert";
import { diagnoseRefusal, LoginContext } from "../verify/loginRefusal";

const URL = "https://nomad.example:4646/.well-known/jwks.json";
const context: LoginContext = {
    jwtPath: "jwt-nomad",
    role: "nomad-workloads",
    jwksUrl: URL,
    kid: "kid-1",
    aud: ["nomad.io"],
    boundAudiences: ["vault.io"],
};
const GET_KEYS = `error validating token: error verifying token signature: fetching keys oidc: get keys failed: Get "${URL}"`;

describe("verify: Vault's login refusal, read for its cause", () => {
    const cases: Array<[string, string, Partial<LoginContext>, RegExp]> = [
        [
            "a Nomad demanding client certificates",
            `${GET_KEYS}: remote error: tls: certificate required`,
            {},
            /client certificate when Vault fetches https:\/\/nomad\.example/,
        ],
        [
            "an untrusted CA",
            `${GET_KEYS}: tls: failed to verify certificate: x509: certificate signed by unknown authority`,
            {},
            /does not trust the certificate of https:\/\/nomad\.example.*jwks_ca_pem of auth\/jwt-nomad\/config/,
        ],
        [
            "a wrong JWKS path",
            "error validating token: error verifying token signature: fetching keys oidc: get keys failed: 404 Not Found: 404 page not found",
            {},
            /answers Vault with 404 Not Found: a wrong path or port/,
        ],
        [
            "an unreachable JWKS URL",
            `${GET_KEYS}: dial tcp 127.0.0.1:4646: connect: connection refused`,
            {},
            /cannot reach https:\/\/nomad\.example.* from its own network/,
        ],
        [
            "an unknown kid",
            "error validating token: error verifying token signature: failed to verify id token signature",
            {},
            /its kid kid-1 is not served there/,
        ],
        [
            "Vault's stale cached keys",
            "error validating token: error verifying token signature: failed to verify id token signature",
            { kidServedHere: true },
            /kid kid-1 is served at https:\/\/nomad\.example.* now, but Vault's cached keys lack it/,
        ],
        ["an expired identity", "error validating token: token is expired (exp)", {}, /expired on its own clock/],
        ["an identity from the future", "error validating token: token is not yet valid (nbf)", {}, /Vault's clock is behind/],
        [
            "a wrong audience",
            "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
            {},
            /aud \[nomad\.io\] is not among role nomad-workloads's bound_audiences \[vault\.io\]/,
        ],
        [
            "a missing role",
            'role "nomad-workloads" could not be found',
            {},
            /role nomad-workloads does not exist at auth\/jwt-nomad\/role\/nomad-workloads/,
        ],
        [
            "a bound subject left behind",
            "error validating token: invalid subject (sub) claim",
            {},
            /Role nomad-workloads has a bound_subject/,
        ],
        [
            "unmet bound claims",
            'error validating claims: claim "/nomad_job_id" does not match any associated bound claim values',
            {},
            /claims do not satisfy role nomad-workloads's bound_claims/,
        ],
        [
            "a missing JWT mount",
            'no handler for route "auth/jwt-nomad/login". route entry not found.',
            {},
            /no auth method at auth\/jwt-nomad\//,
        ],
    ];
    for (const [what, message, extra, cause] of cases) {
        it(`names ${what}`, () => {
            assert.match(diagnoseRefusal(message, { ...context, ...extra }).cause, cause);
        });
    }
    it("names the config's jwks_url when it does not know the URL", () => {
        assert.match(
            diagnoseRefusal(`${GET_KEYS}: x509: certificate signed by unknown authority`, { ...context, jwksUrl: undefined }).cause,
            /certificate of the jwks_url of auth\/jwt-nomad\/config/,
        );
    });
    it("says only that Vault refused when it does not know the message", () => {
        assert.deepStrictEqual(diagnoseRefusal("permission denied", context), {
            cause: "Vault refused the probe's identity; its message above says why.",
            fix: "See the identity check, and the role's bound claims.",
        });
    });
    it("gives the fix that sets Nomad's CA for an untrusted certificate", () => {
        assert.match(diagnoseRefusal("x509: certificate signed by unknown authority", context).fix, /pulumi config set nomadCaPem/);
    });
});
