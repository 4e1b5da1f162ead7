// verify's identity and login checks, one behaviour each: what a real workload identity must be
// (a JWT, signed by a served key, for a bound audience, valid on Vault's clock, with the claims the
// role maps) and what its login must give (a periodic token, revoked after). One fake Vault and Nomad
// per block; each test changes one thing of the World. The checks that need a key set jwks-from-vault
// does not reach (another cluster's, none) are run on their own, with the probe's identity handed in.
import * as assert from "assert";
import { declaredStateCheck, identityCheck, loginCheck, NO_PROBE } from "../verify/identityChecks";
import { runView } from "../verify/run";
import { Outcome, RunContext, Target } from "../verify/types";
import { readFixture } from "./apiFixtures";
import { closedAddresses, FakeServer, fakeServer } from "./fakeHttp";
import {
    checkOnly,
    healthyWorld,
    jwksOf,
    KEYS,
    nomadApi,
    probeIdentity,
    sharedFakeStack,
    TLS,
    VAULT_TOKEN,
    vaultApi,
    World,
} from "./fakeStack";

const PROBE_TOKEN: string = readFixture("vault.jwt-login").body.auth.client_token;
const SERVED = `[${KEYS.rsa.kid}, ${KEYS.ed25519.kid}]`;
const UNKNOWN_KID = {
    cause: 'Vault answers "failed to verify id token signature": the signing key is not served (diverged keyring, or a key not yet propagated after rotation).',
    fix: "Compare `nomad operator root keyring list` on every server with the JWKS; wait for propagation, or rotate again.",
};
const WRONG_AUDIENCE = {
    cause: 'Vault refuses the login: "invalid audience (aud) claim: audience claim does not match any expected audience".',
    fix: "Align the job's identity aud with the role.",
};
const NOT_PERIODIC = {
    cause: 'Tokens that are not periodic, or capped, expire mid-task: "failed to renew the vault token … lease expired".',
    fix: "token_period set and token_explicit_max_ttl 0 on the role (the policy pack enforces both).",
};
const DRIFT = {
    cause: "The role was changed outside the stack, or a role update did not overwrite every field.",
    fix: "npm run stack -- refresh, then up, to write the declared role back.",
};
const BAD_GATEWAY = "<html><body><h1>502 Bad Gateway</h1></body></html>";
const CLOCKS_AGREE = "Vault's clock agrees with this machine's";

/** A run's context on `t` whose probe hands over `jwt` (or fails the test if a check asks for one). */
const handing = (t: Target, jwt?: string): RunContext => ({
    view: runView(t),
    probe: { identity: async () => (jwt ? { jwt } : assert.fail("the check ran the probe")) },
});

/** The same claims as the served identity, under its header and signature: a payload changed after signing. */
function tampered(jwt: string, claims: Record<string, unknown>): string {
    const [header, payload, signature] = jwt.split(".");
    const changed = { ...JSON.parse(Buffer.from(payload, "base64url").toString()), ...claims };
    return [header, Buffer.from(JSON.stringify(changed)).toString("base64url"), signature].join(".");
}

describe("verify: the probe's identity, check by check", function () {
    this.timeout(20_000);
    const shared = sharedFakeStack();
    let nowhere = "";
    before(async () => {
        [nowhere] = await closedAddresses(1);
    });
    const target = (): Target => shared.stack.target();
    const nomadJwksUrl = () => `${shared.stack.nomad.address}/.well-known/jwks.json`;
    const identity = () => checkOnly(target(), "identity");
    const outcome = async (id: string, t: Target = target()) => {
        const { status, evidence, cause, fix } = await checkOnly(t, id);
        return { status, evidence, cause, fix };
    };

    describe("identity", () => {
        it("is skipped without --probe, saying what runs it", async () => {
            const result = await checkOnly({ ...target(), probe: undefined }, "identity");
            assert.deepStrictEqual([result.status, result.evidence, result.runWith], ["skip", "no probe identity", NO_PROBE]);
        });
        it("is skipped without a Nomad token, before any probe job runs", async () => {
            assert.deepStrictEqual(await identityCheck.run({ ...target(), nomadToken: "" }, handing(target())), {
                status: "skip",
                evidence: "no Nomad token to run the probe job with",
                runWith: "NOMAD_TOKEN=<management token> in the environment",
            });
        });
        it("fails what the probe printed when it is not a JWT, showing its first 40 characters", async () => {
            shared.world.probe = "Error: failed to read NOMAD_TOKEN_vault_default from the task's environment";
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: "the probe printed Error: failed to read NOMAD_TOKEN_vault_…, not a JWT",
                cause: "The probe job printed something else.",
                fix: "Check the probe job's logs.",
            });
        });
        it("fails an identity whose kid the JWKS does not serve, naming the kid, the served kids and the JWKS URL", async () => {
            shared.world.probe = probeIdentity(KEYS.rogue);
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: `kid ${KEYS.rogue.kid} is not among the JWKS's ${SERVED} (${nomadJwksUrl()})`,
                ...UNKNOWN_KID,
            });
        });
        it("fails an identity whose claims were changed after signing (bad signature), naming the key and the JWKS URL", async () => {
            shared.world.probe = tampered(probeIdentity(), { nomad_job_id: "mongo" });
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: `the identity does not verify with key ${KEYS.rsa.kid} of ${nomadJwksUrl()}: signature verification failed`,
                cause: "The identity and the served key disagree.",
                fix: "Rotate Nomad's keyring and re-run the probe.",
            });
        });
        it("fails an identity signed by another key under a served kid", async () => {
            shared.world.probe = probeIdentity({ kid: KEYS.ed25519.kid, privateKey: KEYS.rogue.privateKey });
            const result = await identity();
            assert.deepStrictEqual(
                [result.status, result.evidence],
                ["fail", `the identity does not verify with key ${KEYS.ed25519.kid} of ${nomadJwksUrl()}: signature verification failed`],
            );
        });
        it("fails when the default role is missing, naming the role's path rather than the audience", async () => {
            shared.world.role = undefined;
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: 'auth/jwt-nomad/role/nomad-workloads: HTTP 404 {"errors":[]}',
                cause: 'The role nomad-workloads is missing: logins fail with "role could not be found".',
                fix: "npm run stack -- up",
            });
        });
        it("passes an identity with several audiences when one of them is bound", async () => {
            shared.world.probe = probeIdentity(KEYS.rsa, { aud: ["nomad.io", "vault.io"] });
            assert.deepStrictEqual(
                [(await identity()).status, (await identity()).evidence],
                ["pass", `kid ${KEYS.rsa.kid} (RS256), aud [nomad.io, vault.io], 60 min left on Vault's clock; ${CLOCKS_AGREE}`],
            );
        });
        it("fails an identity none of whose audiences the role binds, listing both sides", async () => {
            shared.world.role = { ...shared.world.role!, bound_audiences: ["vault.io", "vault.example.com"] };
            shared.world.probe = probeIdentity(KEYS.rsa, { aud: ["nomad.io", "consul.io"] });
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: "aud [nomad.io, consul.io], role nomad-workloads bound_audiences [vault.io, vault.example.com]",
                ...WRONG_AUDIENCE,
            });
        });
        it("fails an identity without an audience", async () => {
            shared.world.probe = probeIdentity(KEYS.rsa, { aud: undefined });
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: "aud [], role nomad-workloads bound_audiences [vault.io]",
                ...WRONG_AUDIENCE,
            });
        });
        it("fails an identity on a role that binds no audience, quoting Vault's refusal of an aud then", async () => {
            shared.world.role = { ...shared.world.role!, bound_audiences: null };
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: "aud [vault.io], role nomad-workloads bound_audiences []",
                cause: 'Vault refuses the login: "audience claim found in JWT but no audiences bound to the role".',
                fix: WRONG_AUDIENCE.fix,
            });
        });
        it("fails an identity expired on Vault's clock, with the cause and the fix", async () => {
            const past = Math.floor(Date.now() / 1000) - 7200;
            shared.world.probe = probeIdentity(KEYS.rsa, { iat: past, nbf: past, exp: past + 3600 });
            const { evidence, ...rest } = await outcome("identity");
            assert.deepStrictEqual(
                [evidence.endsWith(`; ${CLOCKS_AGREE}`), rest],
                [
                    true,
                    {
                        status: "fail",
                        cause: 'Vault refuses it: "token is expired" or "token not yet valid": clocks differ between hosts by more than the role\'s clock_skew_leeway, or the identity outlived its TTL.',
                        fix: "Sync the hosts' clocks (chrony/NTP); check identityTtl; or raise the role's clock_skew_leeway.",
                    },
                ],
            );
        });
        it("fails an identity not yet valid on a Vault whose clock is behind, saying by how much", async () => {
            // Signed now, so that only the seconds this test takes (on a loaded machine, one or two) move the figures.
            shared.world.probe = probeIdentity();
            shared.world.vaultClockOffset = -300;
            const result = await identity();
            assert.match(
                `${result.status}: ${result.evidence}`,
                /^fail: Vault's clock is (29[89]|30[01])s before nbf \(clock_skew_leeway 60s; .*\); Vault's clock is 30[01]s behind this machine's$/,
            );
        });
        it("passes an identity on a Vault ahead within the leeway, saying by how much", async () => {
            shared.world.vaultClockOffset = 30;
            assert.match((await identity()).evidence, /; Vault's clock is (29|30)s ahead of this machine's$/);
        });
        it("calls clocks a second apart in agreement (server_time_utc has whole seconds)", async () => {
            shared.world.vaultClockOffset = 1;
            assert.match((await identity()).evidence, new RegExp(`; ${CLOCKS_AGREE}$`));
        });
        it("fails an identity without the claims the role maps, naming each", async () => {
            shared.world.probe = probeIdentity(KEYS.rsa, { nomad_job_id: undefined, nomad_task: "" });
            assert.deepStrictEqual(await outcome("identity"), {
                status: "fail",
                evidence: "claims missing: nomad_job_id, nomad_task",
                cause: "The role's claim_mappings read claims this identity lacks.",
                fix: "Use a task identity (not the default Nomad identity).",
            });
        });
        it("passes an identity without exp, which Vault bounds by its expiration leeway, saying so", async () => {
            shared.world.probe = probeIdentity(KEYS.rsa, { exp: undefined });
            assert.deepStrictEqual(
                [(await identity()).status, (await identity()).evidence],
                ["pass", `kid ${KEYS.rsa.kid} (RS256), aud [vault.io], no exp; ${CLOCKS_AGREE}`],
            );
        });
    });

    describe("identity, against the key set of the auth config", () => {
        let other: FakeServer;
        let otherWorld: World;
        before(async () => {
            otherWorld = { ...healthyWorld(), jwks: jwksOf(KEYS.rogue) };
            other = await fakeServer((req) => nomadApi(otherWorld, { server: true, address: () => other.address })(req));
        });
        after(() => other.close());
        const run = (jwt: string) => identityCheck.run(target(), handing(target(), jwt));

        it("fails an identity that jwks_url's keys do not verify, though the stack's Nomad serves its kid", async () => {
            shared.world.jwksUrl = `${other.address}/.well-known/jwks.json`;
            assert.deepStrictEqual(await run(probeIdentity()), {
                status: "fail",
                evidence: `kid ${KEYS.rsa.kid} is not among the JWKS's [${KEYS.rogue.kid}] (${other.address}/.well-known/jwks.json)`,
                ...UNKNOWN_KID,
            });
        });
        it("checks against the stack's Nomad when the auth config holds static keys instead of a jwks_url", async () => {
            shared.world.jwtValidationPubkeys = [KEYS.rsa.publicKey.export({ type: "spki", format: "pem" }).toString()];
            assert.deepStrictEqual(await run(probeIdentity(KEYS.rogue)), {
                status: "fail",
                evidence: `kid ${KEYS.rogue.kid} is not among the JWKS's ${SERVED} (${nomadJwksUrl()})`,
                ...UNKNOWN_KID,
            });
        });
        it("checks against the stack's Nomad when jwks_url does not answer from here, naming Nomad's JWKS", async () => {
            shared.world.jwksUrl = `${nowhere}/.well-known/jwks.json`;
            assert.deepStrictEqual(await run(probeIdentity(KEYS.rogue)), {
                status: "fail",
                evidence: `kid ${KEYS.rogue.kid} is not among the JWKS's ${SERVED} (${nomadJwksUrl()})`,
                ...UNKNOWN_KID,
            });
        });
        it("checks against the stack's Nomad when jwks_url serves no key", async () => {
            shared.world.jwksUrl = `${other.address}/.well-known/jwks.json`;
            otherWorld.jwks = { keys: [] };
            try {
                assert.deepStrictEqual(await run(probeIdentity()), {
                    status: "pass",
                    evidence: `kid ${KEYS.rsa.kid} (RS256), aud [vault.io], 60 min left on Vault's clock; ${CLOCKS_AGREE}`,
                });
            } finally {
                otherWorld.jwks = jwksOf(KEYS.rogue);
            }
        });
        it("checks against the stack's Nomad when jwks_url answers something else than a key set", async () => {
            shared.world.jwksUrl = `${other.address}/v1/agent/self`;
            assert.strictEqual(
                (await run(probeIdentity(KEYS.rogue))).evidence,
                `kid ${KEYS.rogue.kid} is not among the JWKS's ${SERVED} (${nomadJwksUrl()})`,
            );
        });
        it("leaves the signature to the login when no JWKS answers from here, saying so", async () => {
            shared.world.jwksUrl = `${nowhere}/.well-known/jwks.json`;
            shared.world.jwksPath = "/elsewhere/jwks.json";
            assert.deepStrictEqual(await run(probeIdentity()), {
                status: "pass",
                evidence: `kid ${KEYS.rsa.kid} (RS256; JWKS not reachable from here, the login checks it), aud [vault.io], 60 min left on Vault's clock; ${CLOCKS_AGREE}`,
            });
        });
    });

    describe("declared-state", () => {
        it("says drift was not checked, and what would check it", async () => {
            assert.deepStrictEqual(await declaredStateCheck.run(target(), { view: runView(target()) }), {
                status: "skip",
                evidence: "no declared state: drift of the role is not checked",
                runWith: "--expect role.json (the role as you declared it, in Vault's field names), or verify a stack of this program",
            });
        });
    });

    describe("login-and-role", () => {
        const probeCalls = () =>
            shared.stack.vault.requests.filter((r) => r.headers["x-vault-token"] === PROBE_TOKEN).map((r) => `${r.method} ${r.url}`);

        it("reads the token's period, then revokes the token with its own call", async () => {
            const result = await checkOnly(target(), "login-and-role");
            assert.deepStrictEqual(
                [result.status, probeCalls()],
                ["pass", ["GET /v1/auth/token/lookup-self", "POST /v1/auth/token/revoke-self"]],
            );
        });
        it("revokes the token of a login that fails the period check", async () => {
            shared.world.tokenPeriod = 0;
            const result = await outcome("login-and-role");
            assert.deepStrictEqual(
                [result, probeCalls()],
                [
                    { status: "fail", evidence: "token period 0s, explicit_max_ttl 0s", ...NOT_PERIODIC },
                    ["GET /v1/auth/token/lookup-self", "POST /v1/auth/token/revoke-self"],
                ],
            );
        });
        it("names each drifted field and each restricting field the stack leaves unset, with the cause and the fix", async () => {
            shared.world.role = { ...shared.world.role!, token_period: 3600, bound_subject: "global:default:mongo" };
            assert.deepStrictEqual(await outcome("login-and-role"), {
                status: "fail",
                evidence:
                    'token_period: Vault has 3600, the stack declares 1800; bound_subject: Vault has "global:default:mongo", the stack declares none',
                ...DRIFT,
            });
        });
        it("names --expect as the declarer of a cluster's role", async () => {
            shared.world.role = { ...shared.world.role!, token_period: 3600 };
            const result = await checkOnly({ ...target(), source: "cluster" }, "login-and-role");
            assert.strictEqual(result.evidence, "token_period: Vault has 3600, --expect declares 1800");
        });
        it("checks no drift without a declared role, and logs in", async () => {
            shared.world.role = { ...shared.world.role!, token_period: 3600 };
            const result = await checkOnly({ ...target(), declaredRole: undefined }, "login-and-role");
            assert.deepStrictEqual(
                [result.status, result.evidence],
                ["pass", "logged in as nomad-workloads: period 1800s, policies [default, nomad-workloads]; token revoked"],
            );
        });
        it("reads a refusal with a kid this machine's JWKS serves as Vault's stale cache, naming the kid and the URL", async () => {
            shared.world.vaultCachedKids = ["0ld0ld00-0000-0000-0000-000000000000"];
            assert.deepStrictEqual(await outcome("login-and-role"), {
                status: "fail",
                evidence: "login: HTTP 400 error validating token: error verifying token signature: failed to verify id token signature",
                cause: `Vault verifies with a key set it fetched earlier: kid ${KEYS.rsa.kid} is served at ${nomadJwksUrl()} now, but Vault's cached keys lack it (Vault caches the JWKS, on every HA node; vault issue 9912).`,
                fix: "Write the auth config again so every Vault node fetches the keys afresh: `npm run stack -- up` (or vault write auth/jwt-nomad/config with the same values).",
            });
        });
        it("fails a login that Vault does not answer, as a failure that waiting heals", async () => {
            const gone: Target = { ...target(), vaultAddress: nowhere, declaredRole: undefined };
            const result: Outcome = await loginCheck.run(gone, handing(gone, probeIdentity()));
            assert.deepStrictEqual(result, {
                status: "fail",
                evidence: "login: no answer (ECONNREFUSED)",
                cause: "Vault refused the probe's identity; its message above says why.",
                fix: "See the identity check, and the role's bound claims.",
                heals: true,
            });
        });
        it("fails a token whose lookup Vault does not answer, naming the lookup rather than the period, and revokes it", async () => {
            const vaultHandler = vaultApi(shared.world, nomadJwksUrl);
            const proxy = await fakeServer((req) =>
                req.url === "/v1/auth/token/lookup-self" ? { status: 502, body: BAD_GATEWAY, contentType: "text/html" } : vaultHandler(req),
            );
            try {
                const behind = { ...target(), vaultAddress: proxy.address };
                const result = await loginCheck.run(behind, handing(behind, probeIdentity()));
                assert.deepStrictEqual(
                    [result, proxy.requests.filter((r) => r.url === "/v1/auth/token/revoke-self").length],
                    [
                        {
                            status: "fail",
                            evidence: `auth/token/lookup-self: HTTP 502 ${BAD_GATEWAY}`,
                            cause: "Vault logged the probe in, but did not answer the lookup of its token: its period is unknown.",
                            fix: "Run verify again; if it persists, Vault's server log says why the lookup failed.",
                            heals: true,
                        },
                        1,
                    ],
                );
            } finally {
                await proxy.close();
            }
        });
        it("is skipped without --probe, saying what runs it", async () => {
            assert.deepStrictEqual(await loginCheck.run(target(), { view: runView(target()) }), {
                status: "skip",
                evidence: "no probe identity",
                runWith: NO_PROBE,
            });
        });
    });
});

describe("verify: the identity against a Nomad over mutual TLS", function () {
    this.timeout(20_000);
    const shared = sharedFakeStack({ external: true });

    it("fetches jwks_url with the CA of the auth config when this machine has none for Nomad", async () => {
        shared.world.jwksCaPem = TLS.ca;
        const t: Target = { ...shared.stack.target(), nomadCaPem: undefined, vaultToken: VAULT_TOKEN };
        assert.deepStrictEqual(await identityCheck.run(t, handing(t, probeIdentity(KEYS.rogue))), {
            status: "fail",
            evidence: `kid ${KEYS.rogue.kid} is not among the JWKS's ${SERVED} (${shared.stack.nomad.address}/.well-known/jwks.json)`,
            ...UNKNOWN_KID,
        });
    });
});
