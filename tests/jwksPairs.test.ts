// A JWT mount that trusts several clusters through jwks_pairs (vault-plugin-auth-jwt path_config.go, pathConfigRead:
// jwks_url and jwks_ca_pem "", each pair a map whose keys Go sends sorted): verify finds this cluster's pair, at its
// URL or by its keys, and fails a mount without one, naming the mount and the URLs, with a fix that keeps the others.
import * as assert from "assert";
import { createClusterView } from "../verify/clusterView";
import { jwksPairs, ownJwksUrl, pairSource } from "../verify/jwksPairs";
import { closedAddresses, fakeServer, FakeServer } from "./fakeHttp";
import { checkOnly, jwksOf, KEYS, probeIdentity, sharedFakeStack, TLS } from "./fakeStack";

const OTHER_CLUSTER = "https://nomad.other.example.com:4646/.well-known/jwks.json";
const THIRD_CLUSTER = "https://nomad.third.example.com:4646/.well-known/jwks.json";
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
        it("reads a pair written without a URL as one with an empty URL", () => {
            assert.deepStrictEqual(jwksPairs({ jwks_pairs: [{ jwks_ca_pem: TLS.ca }] }), [{ jwks_url: "", jwks_ca_pem: TLS.ca }]);
        });
        it("finds no pairs in a config whose jwks_pairs is null", () => {
            assert.deepStrictEqual(jwksPairs({ jwks_pairs: null }), []);
        });
    });

    describe("this cluster's pair", () => {
        it("is none for a config with a single jwks_url", async () => {
            assert.strictEqual(await pairSource(fake.stack.target(), view(), { jwks_url: ownUrl(), jwks_pairs: [] }), undefined);
        });
        it("is at the JWKS URL of an address given with a trailing slash", () => {
            assert.strictEqual(
                ownJwksUrl({ ...fake.stack.target(), nomadAddress: "http://nomad:4646/" }),
                "http://nomad:4646/.well-known/jwks.json",
            );
        });
        it("is the pair at this cluster's JWKS URL, without fetching it", async () => {
            const target = { ...fake.stack.target(), fetchFromVault: async () => ({ status: 0, body: "", error: "ECONNREFUSED" }) };
            const config = { jwks_url: "", jwks_pairs: [pair(ownUrl(), TLS.ca)] };
            assert.deepStrictEqual(await pairSource(target, view(), config), { url: ownUrl(), ca: TLS.ca });
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
            it("is the pair whose keys are this cluster's in another order", async () => {
                const reversed = { keys: [...fake.world.jwks.keys].reverse() };
                const config = { jwks_url: "", jwks_pairs: [pair(`${proxy.address}/jwks`)] };
                const ours = { ...view(), jwks: async () => ({ status: 200, body: JSON.stringify(reversed) }) };
                assert.deepStrictEqual(await pairSource(fake.stack.target(), ours, config), { url: `${proxy.address}/jwks`, ca: "" });
            });
            it("is none when one of two keys there is another cluster's", async () => {
                fake.world.jwks = jwksOf(KEYS.rsa, KEYS.rogue);
                const config = { jwks_url: "", jwks_pairs: [pair(`${proxy.address}/jwks`)] };
                const ours = { ...view(), jwks: async () => ({ status: 200, body: JSON.stringify(jwksOf(KEYS.rsa, KEYS.ed25519)) }) };
                assert.strictEqual(((await pairSource(fake.stack.target(), ours, config)) as { status: string }).status, "fail");
            });
            it("is none when neither this cluster's keys nor the pair's can be fetched", async () => {
                const config = { jwks_url: "", jwks_pairs: [pair(`${gone}/jwks`)] };
                const ours = { ...view(), jwks: async () => ({ status: 0, body: "", error: "ECONNREFUSED" }) };
                assert.strictEqual(((await pairSource(fake.stack.target(), ours, config)) as { status: string }).status, "fail");
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
        it("names the pair whose CA Vault lacks for a certificate it does not trust", async () => {
            withPairs(pair(OTHER_CLUSTER), pair(ownUrl()));
            const target = {
                ...fake.stack.target(),
                fetchFromVault: async () => ({ status: 0, body: "", error: "SELF_SIGNED_CERT_IN_CHAIN" }),
            };
            const result = await checkOnly(target, "jwks-from-vault");
            assert.strictEqual(
                result.fix,
                `Put Nomad's CA in the jwks_ca_pem of the pair at ${ownUrl()} in auth/jwt-nomad/config's jwks_pairs, writing the other pairs back as they are.`,
            );
        });
        it("says why a mount without this cluster's pair refuses its logins", async () => {
            withPairs(pair(OTHER_CLUSTER, TLS.ca));
            const result = await checkOnly(fake.stack.target(), "jwks-from-vault");
            assert.strictEqual(
                result.cause,
                'Mount jwt-nomad/ verifies identities only with the keys of its jwks_pairs: this cluster\'s logins fail with "failed to verify id token signature".',
            );
        });
        it("fails a mount whose pairs lack this cluster's, naming the mount and the URLs", async () => {
            withPairs(pair(OTHER_CLUSTER, TLS.ca), pair(THIRD_CLUSTER));
            const result = await checkOnly(fake.stack.target(), "jwks-from-vault");
            assert.strictEqual(
                result.evidence,
                `auth/jwt-nomad/config: jwks_pairs [${OTHER_CLUSTER}, ${THIRD_CLUSTER}] has no pair for this cluster's JWKS ${ownUrl()}, and none serves its keys`,
            );
        });
        it("fixes a missing pair by adding this cluster's to the pairs Vault has, every other field written back", async () => {
            withPairs(pair(OTHER_CLUSTER, TLS.ca));
            const result = await checkOnly(fake.stack.target(), "jwks-from-vault");
            assert.strictEqual(
                result.fix,
                "Add this cluster's pair and keep the others; a config write replaces every field, so write back what Vault has: " +
                    `vault read -format=json auth/jwt-nomad/config | jq --arg ca "" '.data | .jwks_pairs += [{"jwks_url": "${ownUrl()}", "jwks_ca_pem": $ca}]' | vault write auth/jwt-nomad/config - ` +
                    "(use the address of this cluster's JWKS as Vault's network reaches it).",
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
        it("names the pair's URL as where the keys came from when none verifies the identity", async () => {
            const proxy = await fakeServer(() => ({ status: 200, body: JSON.stringify(fake.world.jwks) }));
            try {
                withPairs(pair(OTHER_CLUSTER), pair(`${proxy.address}/jwks`));
                fake.world.probe = probeIdentity(KEYS.rogue);
                fake.world.vaultCachedKids = [KEYS.rogue.kid];
                const result = await checkOnly(fake.stack.target(), "identity");
                const served = `${KEYS.rsa.kid}, ${KEYS.ed25519.kid}`;
                assert.strictEqual(result.evidence, `kid ${KEYS.rogue.kid} is not among the JWKS's [${served}] (${proxy.address}/jwks)`);
            } finally {
                await proxy.close();
            }
        });
        it("verifies the probe's identity with the keys of this cluster's pair", async () => {
            withPairs(pair(OTHER_CLUSTER), pair(ownUrl()));
            const result = await checkOnly(fake.stack.target(), "identity");
            assert.match(result.evidence, /^kid 110a70ac-76a5-16a7-4ae7-bb0865ecd1a5 \(RS256\), aud \[vault\.io\]/);
        });
    });
});

describe("jwks_pairs on a cluster whose Nomad speaks HTTPS and wants a client certificate", function () {
    this.timeout(20_000);
    const fake = sharedFakeStack({ external: true });
    const view = () => createClusterView(fake.stack.target(), { deadline: Date.now() + 60_000 });
    // The certificate names both 127.0.0.1 and localhost: the pair at localhost is this cluster at another address.
    const atLocalhost = () => `${fake.stack.nomad.address.replace("127.0.0.1", "localhost")}/.well-known/jwks.json`;

    it("fetches a pair's keys from here with that pair's CA and verify's client certificate", async () => {
        const target = { ...fake.stack.target(), nomadCaPem: undefined };
        const config = { jwks_url: "", jwks_pairs: [pair(atLocalhost(), TLS.ca)] };
        const ours = { ...view(), jwks: async () => ({ status: 200, body: JSON.stringify(fake.world.jwks) }) };
        assert.deepStrictEqual(await pairSource(target, ours, config), { url: atLocalhost(), ca: TLS.ca });
    });
    it("trusts verify's own Nomad CA for a pair without one", async () => {
        const config = { jwks_url: "", jwks_pairs: [pair(atLocalhost())] };
        assert.deepStrictEqual(await pairSource(fake.stack.target(), view(), config), { url: atLocalhost(), ca: "" });
    });
});
