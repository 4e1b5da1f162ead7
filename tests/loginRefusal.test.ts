// Vault's refusals of a JWT login, as its JWT method words them, each read for its cause with the
// concrete URL, role, path or kid it concerns. The texts are Vault's own: vault-plugin-auth-jwt
// path_login.go and claims.go, hashicorp/cap jwt/jwt.go, and go-oidc's jwks.go, which cap wraps.
import * as assert from "assert";
import { diagnoseRefusal, Diagnosis, LoginContext } from "../verify/loginRefusal";

const URL = "https://nomad.example:4646/.well-known/jwks.json";
const context: LoginContext = {
    jwtPath: "jwt-nomad",
    role: "nomad-workloads",
    jwksUrl: URL,
    kid: "kid-1",
    aud: ["nomad.io"],
    boundAudiences: ["vault.io"],
};
/** cap's "error verifying token signature" around go-oidc's "fetching keys" of a JWKS fetch with no answer. */
const NO_KEYS = `error validating token: error verifying token signature: fetching keys oidc: get keys failed Get "${URL}"`;
const BAD_SIGNATURE = "error validating token: error verifying token signature: failed to verify id token signature";
const UP = "then `npm run stack -- up`";

describe("verify: Vault's login refusal, read for its cause", () => {
    const cases: Array<[string, string, Partial<LoginContext>, Diagnosis]> = [
        [
            "a Nomad demanding client certificates",
            `${NO_KEYS}: remote error: tls: certificate required`,
            {},
            {
                cause: `Nomad asks Vault for a client certificate when Vault fetches ${URL} (tls.verify_https_client), and Vault's JWT method cannot present one.`,
                fix: "Serve the JWKS where no client certificate is required (a proxy in front of Nomad), or give Vault static keys (jwtValidationPubkeys).",
            },
        ],
        [
            "an untrusted CA",
            `${NO_KEYS}: tls: failed to verify certificate: x509: certificate signed by unknown authority`,
            {},
            {
                cause: `Vault does not trust the certificate of ${URL}: jwks_ca_pem of auth/jwt-nomad/config is empty or is not the CA that signed Nomad's certificate.`,
                fix: `Set Nomad's CA: pulumi config set nomadCaPem -- "$(cat nomad-ca.pem)", ${UP}.`,
            },
        ],
        [
            "a wrong JWKS path, with the status Nomad answers",
            "error validating token: error verifying token signature: fetching keys oidc: get keys failed: 404 Not Found 404 page not found\n",
            {},
            {
                cause: `${URL} answers Vault with HTTP 404: a wrong path or port (it must be <nomad address>/.well-known/jwks.json).`,
                fix: `Correct jwksUrl (or nomadHttpPort), ${UP}.`,
            },
        ],
        [
            "an unreachable JWKS URL",
            `${NO_KEYS}: dial tcp 127.0.0.1:4646: connect: connection refused`,
            {},
            {
                cause: `Vault cannot reach ${URL} from its own network: nothing listens there as Vault sees it (inside a container, localhost is the container itself).`,
                fix: `Point jwksUrl at an address Vault's network reaches, ${UP}.`,
            },
        ],
        [
            "an unknown kid",
            BAD_SIGNATURE,
            {},
            {
                cause: `No key Vault fetched from ${URL} verifies the identity: its kid kid-1 is not served there (a diverged keyring, a rotation not yet propagated, or jwks_url of another cluster).`,
                fix: "Compare `nomad operator root keyring list` on every server with the JWKS; wait for propagation, or point jwks_url at this cluster.",
            },
        ],
        [
            "Vault's stale cached keys, when this machine's fetch has the kid",
            BAD_SIGNATURE,
            { kidServedHere: true },
            {
                cause: `Vault verifies with a key set it fetched earlier: kid kid-1 is served at ${URL} now, but Vault's cached keys lack it (Vault caches the JWKS, on every HA node; vault issue 9912).`,
                fix: "Write the auth config again so every Vault node fetches the keys afresh: `npm run stack -- up` (or vault write auth/jwt-nomad/config with the same values).",
            },
        ],
        [
            "an expired identity",
            "error validating token: invalid expiration time (exp) claim: token is expired",
            {},
            {
                cause: "Vault judges the identity expired on its own clock: the hosts' clocks differ by more than the role's clock_skew_leeway, or the identity outlived its TTL.",
                fix: "Sync the hosts' clocks (chrony/NTP); see the identity check for the skew.",
            },
        ],
        [
            "an identity from the future (nbf)",
            "error validating token: invalid not before (nbf) claim: token not yet valid",
            {},
            {
                cause: "Vault's clock is behind the Nomad server that signed the identity, by more than the role's clock_skew_leeway.",
                fix: "Sync the hosts' clocks (chrony/NTP).",
            },
        ],
        [
            "an identity from the future (iat)",
            "error validating token: invalid issued at (iat) claim: token issued in the future",
            {},
            {
                cause: "Vault's clock is behind the Nomad server that signed the identity, by more than the role's clock_skew_leeway.",
                fix: "Sync the hosts' clocks (chrony/NTP).",
            },
        ],
        [
            "a wrong audience",
            "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience",
            { aud: ["nomad.io", "consul.io"], boundAudiences: ["vault.io", "vault.example"] },
            {
                cause: "The identity's aud [nomad.io, consul.io] is not among role nomad-workloads's bound_audiences [vault.io, vault.example].",
                fix: `Set the same audience on the agents' vault.default_identity.aud and the role: pulumi config set audience <aud>, ${UP}.`,
            },
        ],
        [
            "an audience on a role that binds none, when neither side is known",
            "audience claim found in JWT but no audiences bound to the role",
            { aud: undefined, boundAudiences: undefined },
            {
                cause: "The identity's aud [] is not among role nomad-workloads's bound_audiences [].",
                fix: `Set the same audience on the agents' vault.default_identity.aud and the role: pulumi config set audience <aud>, ${UP}.`,
            },
        ],
        [
            "a missing role",
            'role "nomad-workloads" could not be found',
            {},
            {
                cause: "The role nomad-workloads does not exist at auth/jwt-nomad/role/nomad-workloads.",
                fix: `Create it: ${UP}.`,
            },
        ],
        [
            "a bound subject left behind",
            "error validating token: invalid subject (sub) claim",
            {},
            {
                cause: "Role nomad-workloads has a bound_subject the identity's sub does not match: a role update left an old field behind.",
                fix: "Write the whole role again (npm run stack -- refresh, then up); the role check lists the fields that differ.",
            },
        ],
        [
            "unmet bound claims",
            'error validating claims: claim "/nomad_job_id" does not match any associated bound claim values',
            {},
            {
                cause: "The identity's claims do not satisfy role nomad-workloads's bound_claims.",
                fix: "vault read auth/jwt-nomad/role/nomad-workloads; compare bound_claims with the job's namespace, job and task.",
            },
        ],
        [
            "a claim the bound claims need and the identity lacks",
            'error validating claims: claim "nomad_task" is missing',
            {},
            {
                cause: "The identity's claims do not satisfy role nomad-workloads's bound_claims.",
                fix: "vault read auth/jwt-nomad/role/nomad-workloads; compare bound_claims with the job's namespace, job and task.",
            },
        ],
        [
            "a missing JWT mount",
            'no handler for route "auth/jwt-nomad/login". route entry not found.',
            {},
            {
                cause: "Vault serves no auth method at auth/jwt-nomad/: the JWT mount is missing or at another path.",
                fix: `Mount it (${UP}), or set jwtAuthPath to the mount the agents use.`,
            },
        ],
    ];
    for (const [what, message, extra, diagnosis] of cases) {
        it(`names ${what}, and its fix`, () => {
            assert.deepStrictEqual(diagnoseRefusal(message, { ...context, ...extra }), diagnosis);
        });
    }
    it("names the config's jwks_url when it does not know the URL", () => {
        assert.match(
            diagnoseRefusal(`${NO_KEYS}: x509: certificate signed by unknown authority`, { ...context, jwksUrl: undefined }).cause,
            /^Vault does not trust the certificate of the jwks_url of auth\/jwt-nomad\/config: /,
        );
    });
    it("gives ? for a kid it could not read from the identity", () => {
        assert.match(diagnoseRefusal(BAD_SIGNATURE, { ...context, kid: undefined }).cause, /: its kid \? is not served there/);
    });
    it("gives ? for a kid it could not read, when Vault's cached keys are stale", () => {
        assert.match(diagnoseRefusal(BAD_SIGNATURE, { ...context, kid: undefined, kidServedHere: true }).cause, /: kid \? is served at /);
    });
    it("does not read a refusal that lacks all the time claims as an expired identity", () => {
        assert.deepStrictEqual(
            diagnoseRefusal(
                "error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token",
                context,
            ),
            {
                cause: "Vault refused the probe's identity; its message above says why.",
                fix: "See the identity check, and the role's bound claims.",
            },
        );
    });
    it("says only that Vault refused when it does not know the message", () => {
        assert.deepStrictEqual(diagnoseRefusal("permission denied", context), {
            cause: "Vault refused the probe's identity; its message above says why.",
            fix: "See the identity check, and the role's bound claims.",
        });
    });
});
