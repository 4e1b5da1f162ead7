// A JWT mount that trusts several clusters through jwks_pairs (vault-plugin-auth-jwt path_config.go, pathConfigRead:
// jwks_url and jwks_ca_pem "", each pair a map whose keys Go sends sorted): verify finds this cluster's pair, at its
// URL or by its keys, and fails a mount without one, naming the mount and the URLs, with a fix that keeps the others.
import * as assert from "assert";
import { createClusterView } from "../verify/clusterView";
import { jwksPairs, pairSource } from "../verify/jwksPairs";
import { closedAddresses, fakeServer, FakeServer } from "./fakeHttp";
import { checkOnly, jwksOf, KEYS, sharedFakeStack, TLS } from "./fakeStack";

const OTHER_CLUSTER = "https://nomad.other.example.com:4646/.well-known/jwks.json";
const pair = (jwks_url: string, jwks_ca_pem = "") => ({ jwks_ca_pem, jwks_url });

describe("jwks_pairs: the mount's JWKS for several clusters", function () {
    this.timeout(20_000);
    const fake = sharedFakeStack();
    const ownUrl = () => `${fake.stack.nomad.address}/.well-known/jwks.json`;
    const withPairs = (...pairs: Array<ReturnType<typeof pair>>) => {
        fake.world.authConfig = { jwks_url: "", jwks_pairs: pairs };
    };
    const view = () => createClusterView(fake.stack.target(), { deadline: Date.now() + 60_000 });

    describe("reading the config", () => {
        it("takes each pair's URL and CA", () => {
            assert.deepStrictEqual(jwksPairs({ jwks_pairs: [pair(OTHER_CLUSTER, TLS.ca)] }), [
                { jwks_url: OTHER_CLUSTER, jwks_ca_pem: TLS.ca },
            ]);
        });
        it("reads a pair written without a CA as one with an empty CA", () => {
            assert.deepStrictEqual(jwksPairs({ jwks_pairs: [{ jwks_url: OTHER_CLUSTER }] }), [
                { jwks_url: OTHER_CLUSTER, jwks_ca_pem: "" },
            ]);
        });
        it("finds no pairs in a config from a plugin before 0.20, which has no such field", () => {
            assert.deepStrictEqual(jwksPairs({ jwks_url: OTHER_CLUSTER }), []);
        });
        it("finds no pairs in a config whose jwks_pairs is null", () => {
            assert.deepStrictEqual(jwksPairs({ jwks_pairs: null }), []);
        });
    });

    describe("this cluster's pair", () => {
        it("is none for a config with a single jwks_url", async () => {
            assert.strictEqual(await pairSource(fake.stack.target(), view(), { jwks_url: ownUrl(), jwks_pairs: [] }), undefined);
        });
        it("is the pair at this cluster's JWKS URL, with that pair's CA", async () => {
            const config = { jwks_url: "", jwks_pairs: [pair(OTHER_CLUSTER, "other CA"), pair(ownUrl(), TLS.ca)] };
            assert.deepStrictEqual(await pairSource(fake.stack.target(), view(), config), { url: ownUrl(), ca: TLS.ca });
        });
        describe("at another address", () => {
            let proxy: FakeServer;
            let gone: string;
            before(async () => {
                proxy = await fakeServer(() => ({ status: 200, body: JSON.stringify(fake.world.jwks) }));
                [gone] = await closedAddresses(1);
            });
            after(() => proxy.close());

            it("is the pair whose keys are this cluster's", async () => {
                const config = { jwks_url: "", jwks_pairs: [pair(`${gone}/jwks`), pair(`${proxy.address}/jwks`, "proxy CA")] };
                assert.deepStrictEqual(await pairSource(fake.stack.target(), view(), config), {
                    url: `${proxy.address}/jwks`,
                    ca: "proxy CA",
                });
            });
            it("is none when the keys there are another cluster's", async () => {
                fake.world.jwks = jwksOf(KEYS.rogue);
                const config = { jwks_url: "", jwks_pairs: [pair(`${proxy.address}/jwks`)] };
                const source = await pairSource(
                    fake.stack.target(),
                    { ...view(), jwks: async () => ({ status: 200, body: JSON.stringify(jwksOf(KEYS.rsa)) }) },
                    config,
                );
                assert.strictEqual((source as { status: string }).status, "fail");
            });
        });
    });

    describe("the jwks-from-vault check", () => {
        it("passes a mount whose pairs hold this cluster's, fetching its keys there", async () => {
            withPairs(pair(OTHER_CLUSTER), pair(ownUrl()));
            const result = await checkOnly(fake.stack.target(), "jwks-from-vault");
            assert.strictEqual(result.evidence, `${ownUrl()}: 2 key(s), the same on 1 server(s)`);
        });
        it("fails a mount whose pairs lack this cluster's, naming the mount and the URLs", async () => {
            withPairs(pair(OTHER_CLUSTER, TLS.ca));
            const result = await checkOnly(fake.stack.target(), "jwks-from-vault");
            assert.strictEqual(
                result.evidence,
                `auth/jwt-nomad/config: jwks_pairs [${OTHER_CLUSTER}] has no pair for this cluster's JWKS ${ownUrl()}, and none serves its keys`,
            );
        });
        it("fixes a missing pair by adding this cluster's to the pairs Vault has, every other field written back", async () => {
            withPairs(pair(OTHER_CLUSTER, TLS.ca));
            const result = await checkOnly(fake.stack.target(), "jwks-from-vault");
            assert.ok(
                result.fix?.includes(
                    `vault read -format=json auth/jwt-nomad/config | jq --arg ca "" '.data | .jwks_pairs += [{"jwks_url": "${ownUrl()}", "jwks_ca_pem": $ca}]' | vault write auth/jwt-nomad/config -`,
                ),
                result.fix,
            );
        });
        it("names the CA file in the fix for a JWKS served over HTTPS", async () => {
            const target = { ...fake.stack.target(), nomadAddress: "https://nomad.example.com:4646" };
            withPairs(pair(OTHER_CLUSTER, TLS.ca));
            const source = await pairSource(
                target,
                { ...view(), jwks: async () => ({ status: 200, body: JSON.stringify(fake.world.jwks) }) },
                fake.world.authConfig,
            );
            assert.match((source as { fix: string }).fix, /jq --arg ca "\$\(cat nomad-ca\.pem\)"/);
        });
    });

    describe("the identity check", () => {
        it("verifies the probe's identity with the keys of this cluster's pair", async () => {
            withPairs(pair(OTHER_CLUSTER), pair(ownUrl()));
            const result = await checkOnly(fake.stack.target(), "identity");
            assert.match(result.evidence, /^kid 110a70ac-76a5-16a7-4ae7-bb0865ecd1a5 \(RS256\), aud \[vault\.io\]/);
        });
    });
});
