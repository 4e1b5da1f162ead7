// Time as Vault judges an identity: the role's leeways and the edges of nbf, exp and iat, as
// hashicorp/cap (jwt/jwt.go) applies them for Vault's JWT auth method.
import * as assert from "assert";
import { roleLeeways, timeRefusal, vaultNow } from "../verify/vaultClock";
import { readFixture, served } from "./apiFixtures";
import { FakeReply, FakeServer, fakeServer } from "./fakeHttp";
import { FakeStack, startFakeStack } from "./fakeStack";

const DEFAULTS = { clockSkew: 60, expiration: 150, notBefore: 150 };
const NOW = 1_700_000_000;

describe("verify: Vault's clock and the role's leeways", () => {
    describe("roleLeeways", () => {
        it("takes Vault's defaults (60, 150, 150) for a role that sets none", () => {
            assert.deepStrictEqual(roleLeeways({}), DEFAULTS);
        });
        it("reads 0 as the default, as Vault does", () => {
            assert.deepStrictEqual(roleLeeways({ clock_skew_leeway: 0, expiration_leeway: 0, not_before_leeway: 0 }), DEFAULTS);
        });
        it("reads a negative leeway as none", () => {
            assert.deepStrictEqual(roleLeeways({ clock_skew_leeway: -1, expiration_leeway: -5, not_before_leeway: -1 }), {
                clockSkew: 0,
                expiration: 0,
                notBefore: 0,
            });
        });
        it("keeps each positive leeway the role sets, field by field", () => {
            assert.deepStrictEqual(roleLeeways({ clock_skew_leeway: 5, expiration_leeway: 7, not_before_leeway: 9 }), {
                clockSkew: 5,
                expiration: 7,
                notBefore: 9,
            });
        });
        it("ignores a leeway that is not a number (a duration string is read by Vault before it answers)", () => {
            assert.deepStrictEqual(roleLeeways({ clock_skew_leeway: "60s" }), DEFAULTS);
        });
    });

    describe("timeRefusal", () => {
        const valid = { iat: NOW - 60, nbf: NOW - 60, exp: NOW + 3600 };
        it("accepts an identity inside its nbf..exp window", () => {
            assert.strictEqual(timeRefusal(valid, DEFAULTS, NOW), undefined);
        });
        it("refuses an identity with no time claims at all", () => {
            assert.strictEqual(timeRefusal({}, DEFAULTS, NOW), "the identity has no iat, nbf or exp claim");
        });
        it("accepts an identity past exp by exactly the clock skew leeway, and refuses one a second later", () => {
            const exp = NOW - 60;
            assert.deepStrictEqual(
                [timeRefusal({ iat: exp - 3600, exp }, DEFAULTS, NOW), timeRefusal({ iat: exp - 3601, exp: exp - 1 }, DEFAULTS, NOW)],
                [undefined, `Vault's clock is 61s after exp (clock_skew_leeway 60s; iat ${exp - 3601}, nbf ${exp - 3601}, exp ${exp - 1})`],
            );
        });
        it("refuses an identity 100 s past exp by default: the expiration leeway stands in only for a missing exp", () => {
            assert.match(timeRefusal({ iat: NOW - 3700, exp: NOW - 100 }, DEFAULTS, NOW) ?? "", /^Vault's clock is 100s after exp/);
        });
        it("accepts an identity before nbf by exactly the clock skew leeway, and refuses one a second earlier", () => {
            assert.deepStrictEqual(
                [
                    timeRefusal({ iat: NOW + 60, nbf: NOW + 60, exp: NOW + 3600 }, DEFAULTS, NOW),
                    timeRefusal({ iat: NOW + 61, nbf: NOW + 61, exp: NOW + 3600 }, DEFAULTS, NOW),
                ],
                [undefined, `Vault's clock is 61s before nbf (clock_skew_leeway 60s; iat ${NOW + 61}, nbf ${NOW + 61}, exp ${NOW + 3600})`],
            );
        });
        it("refuses an identity issued in Vault's future beyond the skew, though nbf has passed", () => {
            assert.strictEqual(
                timeRefusal({ iat: NOW + 61, nbf: NOW - 10, exp: NOW + 3600 }, DEFAULTS, NOW),
                "Vault's clock is 61s before iat (clock_skew_leeway 60s)",
            );
        });
        it("dates a missing exp from the later of iat and nbf plus the expiration leeway", () => {
            const leeways = { clockSkew: 0, expiration: 100, notBefore: 150 };
            assert.deepStrictEqual(
                [
                    timeRefusal({ iat: NOW - 100, nbf: NOW - 200 }, leeways, NOW),
                    timeRefusal({ iat: NOW - 200, nbf: NOW - 101 }, leeways, NOW),
                ],
                [undefined, `Vault's clock is 1s after exp (clock_skew_leeway 0s; iat ${NOW - 200}, nbf ${NOW - 101}, exp ${NOW - 1})`],
            );
        });
        it("dates a missing nbf and iat from exp less the not-before leeway", () => {
            const leeways = { clockSkew: 0, expiration: 150, notBefore: 100 };
            assert.deepStrictEqual(
                [timeRefusal({ exp: NOW + 100 }, leeways, NOW), timeRefusal({ exp: NOW + 101 }, leeways, NOW)],
                [undefined, `Vault's clock is 1s before nbf (clock_skew_leeway 0s; iat 0, nbf ${NOW + 1}, exp ${NOW + 101})`],
            );
        });
        it("takes iat as nbf when nbf is missing", () => {
            assert.match(
                timeRefusal({ iat: NOW + 30, exp: NOW + 3600 }, { ...DEFAULTS, clockSkew: 0 }, NOW) ?? "",
                /^Vault's clock is 30s before nbf .*nbf 1700000030/,
            );
        });
        it("widens nothing with no clock skew leeway", () => {
            assert.match(
                timeRefusal({ iat: NOW - 3601, exp: NOW - 1 }, { ...DEFAULTS, clockSkew: 0 }, NOW) ?? "",
                /^Vault's clock is 1s after exp/,
            );
        });
    });

    describe("vaultNow", () => {
        let stack: FakeStack;
        before(async () => {
            stack = await startFakeStack();
        });
        after(() => stack.close());
        it("reads Vault's own clock from sys/health's server_time_utc, not this machine's", async () => {
            stack.world.vaultClockOffset = 3600;
            const ahead = (await vaultNow(stack.target())) - Date.now() / 1000;
            assert.ok(Math.abs(ahead - 3600) < 5, `Vault's clock read ${ahead}s ahead, not 3600s`);
        });
        describe("which clock it believes", () => {
            /** A Vault (or a proxy before it) whose sys/health answers `health`, and every other path 404. */
            let vault: FakeServer;
            let health: FakeReply;
            before(async () => {
                vault = await fakeServer((req) => (req.url === "/v1/sys/health" ? health : { status: 404, body: { errors: [] } }));
            });
            after(() => vault.close());
            const at = (address: string) => ({ ...stack.target(), vaultAddress: address });
            const httpDate = (seconds: number) => new Date(seconds * 1000).toUTCString();

            it("prefers sys/health's server_time_utc to the Date header, which a proxy before Vault may set", async () => {
                const body = { ...readFixture("vault.sys-health").body, server_time_utc: NOW };
                health = { status: 200, body, headers: { Date: httpDate(NOW - 7200) } };
                assert.strictEqual(await vaultNow(at(vault.address)), NOW);
            });
            it("adds a standby's clock_skew_ms (current Vault): the active node, on its own clock, judges the login", async () => {
                health = served("vault.sys-health-standby", (body) => ({ ...body, server_time_utc: NOW }));
                assert.strictEqual(await vaultNow(at(vault.address)), NOW + 4);
            });
            it("takes a standby's server_time_utc as it is when it sends no clock_skew_ms (Vault 1.18)", async () => {
                health = { status: 429, body: { ...readFixture("vault.sys-health").body, standby: true, server_time_utc: NOW } };
                assert.strictEqual(await vaultNow(at(vault.address)), NOW);
            });
            it("keeps an active node's own clock, whatever clock_skew_ms it last measured as a standby", async () => {
                health = served("vault.sys-health-current", (body) => ({ ...body, server_time_utc: NOW, clock_skew_ms: 4000 }));
                assert.strictEqual(await vaultNow(at(vault.address)), NOW);
            });
            it("asks sys/health without the Vault token, which it does not need", async () => {
                health = { status: 200, body: readFixture("vault.sys-health").body };
                await vaultNow(at(vault.address));
                assert.strictEqual(vault.requests[vault.requests.length - 1].headers["x-vault-token"], undefined);
            });
            it("takes the Date header when sys/health gives no server_time_utc (a proxy's error page)", async () => {
                health = { status: 502, body: "Bad Gateway", contentType: "text/plain", headers: { Date: httpDate(NOW - 7200) } };
                assert.strictEqual(await vaultNow(at(vault.address)), NOW - 7200);
            });
            it("takes this machine's clock when nothing answers", async () => {
                const closed = await fakeServer(() => ({ status: 200 }));
                await closed.close();
                const lag = (await vaultNow(at(closed.address))) - Date.now() / 1000;
                assert.ok(Math.abs(lag) < 5, `read ${lag}s off this machine's clock`);
            });
        });
    });
});
