// The checks on single configuration values, at their edges: what each accepts and refuses.
import * as assert from "assert";
import {
    checkImage,
    checkPem,
    checkPorts,
    checkUrl,
    checkVersions,
    durationOf,
    imageVersion,
    parseDuration,
    pemKeys,
    Values,
} from "../settings/checks";
import { CONFIG_KEYS } from "../settings/keys";
import { DEFAULT_PORTS } from "../settings/ports";

/** The problems `check` reports. */
const problemsOf = (check: (problems: string[]) => void): string[] => {
    const problems: string[] = [];
    check(problems);
    return problems;
};

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("settings checks", () => {
    describe("image references", () => {
        const imageProblems = (image: string) => problemsOf((p) => checkImage("vaultImage", image, p));

        it("accept an image from a registry with a port", () => {
            assert.deepStrictEqual(imageProblems("registry.example.com:5000/team/vault:1.18.1"), []);
        });
        it("accept separators inside every name component", () => {
            assert.deepStrictEqual(imageProblems("ghcr.io/my-org/vault_ent.v2:1.18.1-ent"), []);
        });
        it("refuse text after the tag", () => {
            assert.match(imageProblems("hashicorp/vault:1.18.1 --debug")[0], /is not a valid image reference/);
        });
        it("refuse an image from a registry with a port but no tag", () => {
            assert.match(
                imageProblems("registry.example.com:5000/team/vault")[0],
                /"registry.example.com:5000\/team\/vault" must be pinned/,
            );
        });
        it("accept an image pinned by digest alone", () => {
            assert.deepStrictEqual(imageProblems(`hashicorp/vault@${DIGEST}`), []);
        });
        it("refuse latest even with a digest", () => {
            assert.match(imageProblems(`hashicorp/vault:latest@${DIGEST}`)[0], /must be pinned to a version tag or digest, not latest/);
        });
        it("refuse a tag that starts with a dot", () => {
            assert.match(
                imageProblems("hashicorp/vault:.1")[0],
                /vaultnomad:vaultImage: "hashicorp\/vault:.1" is not a valid image reference/,
            );
        });
        it("accept a tag of 128 characters and refuse one of 129", () => {
            assert.deepStrictEqual(
                [imageProblems(`vault:${"a".repeat(128)}`).length, imageProblems(`vault:${"a".repeat(129)}`).length],
                [0, 1],
            );
        });
        it("refuse a digest that is not 64 hex digits", () => {
            assert.match(imageProblems("hashicorp/vault:1.18.1@sha256:abc")[0], /is not a valid image reference/);
        });
    });

    describe("image versions", () => {
        it("read major, minor and patch from the tag", () => {
            assert.deepStrictEqual(imageVersion("hashicorp/nomad:1.10.2"), [1, 10, 2]);
        });
        it("read numbers of several digits", () => {
            assert.deepStrictEqual(imageVersion("hashicorp/nomad:10.12.13"), [10, 12, 13]);
        });
        it("are unknown for a tag that only begins with a version", () => {
            assert.strictEqual(imageVersion("hashicorp/nomad:1.10.2_beta"), undefined);
        });
        it("take a missing patch as 0", () => {
            assert.deepStrictEqual(imageVersion("hashicorp/nomad:1.10"), [1, 10, 0]);
        });
        it("ignore a pre-release or build suffix", () => {
            assert.deepStrictEqual(
                [imageVersion("hashicorp/nomad:1.10.2-ent"), imageVersion("hashicorp/nomad:1.10.2+ent")],
                [
                    [1, 10, 2],
                    [1, 10, 2],
                ],
            );
        });
        it("ignore a digest after the tag", () => {
            assert.deepStrictEqual(imageVersion(`hashicorp/nomad:1.9.7@${DIGEST}`), [1, 9, 7]);
        });
        it("do not take a registry's port for a version", () => {
            assert.deepStrictEqual(
                [imageVersion("registry.local:5000/nomad:1.9.0"), imageVersion("registry.local:5000/nomad")],
                [[1, 9, 0], undefined],
            );
        });
        it("are unknown for a tag that is no version", () => {
            assert.strictEqual(imageVersion("hashicorp/nomad:stable"), undefined);
        });
    });

    describe("supported versions", () => {
        const versionProblems = (vault: string, nomad: string) =>
            problemsOf((p) => checkVersions(`hashicorp/vault:${vault}`, `hashicorp/nomad:${nomad}`, p));

        it("refuse Nomad 0.x", () => {
            assert.match(
                versionProblems("1.18.1", "0.12.0")[0],
                /vaultnomad:nomadImage: Nomad 0\.12\.0 is older than 1\.10.*Use hashicorp\/nomad:1\.10\.0/,
            );
        });
        it("accept Nomad 1.10.0, the first with workload identity only", () => {
            assert.deepStrictEqual(versionProblems("1.18.1", "1.10.0"), []);
        });
        it("accept Nomad 2.x", () => {
            assert.deepStrictEqual(versionProblems("1.18.1", "2.0.0"), []);
        });
        it("refuse Vault 0.x", () => {
            assert.match(versionProblems("0.11.0", "1.10.0")[0], /vaultnomad:vaultImage: Vault 0\.11\.0 is older than 1\.12/);
        });
        it("accept Vault 1.12.0, the first this flow supports", () => {
            assert.deepStrictEqual(versionProblems("1.12.0", "1.10.0"), []);
        });
        it("accept Vault 2.x", () => {
            assert.deepStrictEqual(versionProblems("2.0.0", "1.10.0"), []);
        });
        it("accept the default images, the newest Vault and Nomad 2.0.x releases confirmed upstream", () => {
            assert.deepStrictEqual(
                [
                    CONFIG_KEYS.vaultImage.default,
                    CONFIG_KEYS.nomadImage.default,
                    ...problemsOf((p) => checkVersions(CONFIG_KEYS.vaultImage.default, CONFIG_KEYS.nomadImage.default, p)),
                ],
                ["hashicorp/vault:2.0.4", "hashicorp/nomad:2.0.5"],
            );
        });
        it("accept the images the project used before, for stacks that pin them", () => {
            assert.deepStrictEqual(versionProblems("1.18.1", "1.10.0"), []);
        });
        it("point a Vault 1.16.1 to the default image", () => {
            assert.match(versionProblems("1.16.1", "2.0.5")[0], /use another version, such as the default hashicorp\/vault:2\.0\.4\.$/);
        });
        it("accept the Vault versions next to 1.16.1", () => {
            assert.deepStrictEqual([...versionProblems("1.16.0", "1.10.0"), ...versionProblems("1.16.2", "1.10.0")], []);
        });
        it("say nothing about images whose tag is no version", () => {
            assert.deepStrictEqual(
                problemsOf((p) => checkVersions(`hashicorp/vault@${DIGEST}`, "hashicorp/nomad:stable", p)),
                [],
            );
        });
    });

    describe("ports", () => {
        const portProblems = (ports: Partial<Values>) => problemsOf((p) => checkPorts({ ...DEFAULT_PORTS, ...ports } as Values, p));

        it("accept 1024 and 65534, the edges of the range", () => {
            assert.deepStrictEqual(portProblems({ nomadHttpPort: 1024, mongoPort: 65534 }), []);
        });
        it("refuse 1023, below the range", () => {
            assert.deepStrictEqual(portProblems({ nomadHttpPort: 1023 }), ["vaultnomad:nomadHttpPort: 1023 is outside 1024..65534."]);
        });
        it("refuse 65535, above the range", () => {
            assert.deepStrictEqual(portProblems({ mongoPort: 65535 }), ["vaultnomad:mongoPort: 65535 is outside 1024..65534."]);
        });
        it("report two ports outside the range once each, not as a clash", () => {
            assert.strictEqual(portProblems({ nomadHttpPort: 80, mongoPort: 80 }).length, 2);
        });
        it("leave ports that are not numbers to the whole-number check", () => {
            assert.deepStrictEqual(portProblems({ nomadHttpPort: NaN, mongoPort: NaN }), []);
        });
        it("name the later key and the earlier owner of a shared port", () => {
            assert.deepStrictEqual(portProblems({ mongoPort: 4646 }), [
                "vaultnomad:mongoPort: port 4646 is already used by vaultnomad:nomadHttpPort; give each port its own number.",
            ]);
        });
    });

    describe("durations", () => {
        it("refuse a trailing number without a unit, such as 1h30", () => {
            assert.strictEqual(parseDuration("1h30"), undefined);
        });
        it("refuse a leading word before the duration", () => {
            assert.strictEqual(parseDuration("x1h"), undefined);
        });
        it("refuse the empty text", () => {
            assert.strictEqual(parseDuration(""), undefined);
        });
        it("add up hours, minutes and seconds", () => {
            assert.strictEqual(parseDuration("2h3m4s"), 2 * 3600 + 3 * 60 + 4);
        });
        it("of one second are positive", () => {
            assert.deepStrictEqual([durationOf("tokenPeriod", "1s", []), problemsOf((p) => durationOf("tokenPeriod", "1s", p))], [1, []]);
        });
        it("left unset are no problem", () => {
            assert.deepStrictEqual([durationOf("tokenTtl", "", []), problemsOf((p) => durationOf("tokenTtl", "", p))], [undefined, []]);
        });
        it("that are malformed are reported with the key and the fix", () => {
            assert.deepStrictEqual(
                problemsOf((p) => durationOf("tokenPeriod", "1h30", p)),
                ['vaultnomad:tokenPeriod: "1h30" is not a positive duration such as "30m" or "1h". Fix: pulumi config set tokenPeriod 1h'],
            );
        });
    });

    describe("URLs", () => {
        const urlProblems = (url: string) => problemsOf((p) => checkUrl("vaultAddress", url, p));

        it("accept http:// and https:// addresses", () => {
            assert.deepStrictEqual([...urlProblems("http://127.0.0.1:8200"), ...urlProblems("https://vault.example.com:8200")], []);
        });
        it("refuse another scheme, naming the key and an example", () => {
            assert.deepStrictEqual(urlProblems("ftp://vault:8200"), [
                'vaultnomad:vaultAddress: "ftp://vault:8200" is not an http(s) URL such as https://vault.example.com:8200.',
            ]);
        });
        it("left unset are no problem", () => {
            assert.deepStrictEqual(urlProblems(""), []);
        });
    });

    describe("PEM", () => {
        it("accepts a block with its BEGIN and END lines", () => {
            assert.deepStrictEqual(
                problemsOf((p) => checkPem("nomadCaPem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", p)),
                [],
            );
        });
        it("refuses a block without its END line, with the fix", () => {
            assert.match(
                problemsOf((p) => checkPem("nomadCaPem", "-----BEGIN CERTIFICATE-----\nMIIB\n", p))[0],
                /vaultnomad:nomadCaPem: not a PEM block.*Fix: pulumi config set nomadCaPem -- "\$\(cat file\.pem\)"/,
            );
        });
        it("finds each public key of several, and no certificate", () => {
            const key = (body: string) => `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`;
            const text = `${key("one")}\n-----BEGIN CERTIFICATE-----\nc\n-----END CERTIFICATE-----\n${key("two")}`;
            assert.deepStrictEqual(pemKeys(text), [key("one"), key("two")]);
        });
    });
});
