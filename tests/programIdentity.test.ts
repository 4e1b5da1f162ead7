// The workload-identity setup the program asks for, from the settings.
import * as assert from "assert";
import { workloadIdentityArgs } from "../program/identity";
import { loadSettings } from "../settings";

const PUBKEY = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAnomadkey\n-----END PUBLIC KEY-----";
const JWKS = { jwksUrl: "http://127.0.0.1:4646/.well-known/jwks.json", checkFirstSeconds: 120 };

describe("the workload-identity setup", () => {
    it("gives Vault the JWKS URL when no static keys are configured", () => {
        assert.deepStrictEqual(workloadIdentityArgs(loadSettings({}, "dev", {}), JWKS).keys, JWKS);
    });
    it("gives Vault the static public keys instead, when configured", () => {
        const settings = loadSettings({ "vaultnomad:jwtValidationPubkeys": PUBKEY }, "dev", {});
        assert.deepStrictEqual(workloadIdentityArgs(settings, JWKS).keys, { jwtValidationPubkeys: [PUBKEY] });
    });
});
