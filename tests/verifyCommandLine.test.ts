// vaultnomad-verify's command line (verify/cli.ts) before it reaches a cluster: --help, the flags
// and files it refuses, and how each refusal is printed. None of these makes a request.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { connection, CONNECTION_FLAGS, runCluster } from "../verify/cli";

interface Printed {
    readonly code: number;
    readonly out: string[];
    readonly err: string[];
}

/** A closed local port: nothing these tests run may get as far as a request. */
const ENV = { VAULT_ADDR: "http://127.0.0.1:9", VAULT_TOKEN: "root", NOMAD_ADDR: "http://127.0.0.1:9" };

async function run(args: string[], env: Record<string, string> = ENV): Promise<Printed> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCluster(args, { env, out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out, err };
}

function tempFile(name: string, text: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-cli-")), name);
    fs.writeFileSync(file, text);
    return file;
}

describe("vaultnomad-verify's command line", () => {
    describe("--help", () => {
        it("prints the usage on stdout and exits 0", async () => {
            const printed = await run(["--help"]);
            assert.deepStrictEqual(
                [printed.code, printed.out[0].split("\n")[0], printed.err],
                [0, "Usage: vaultnomad-verify [options]", []],
            );
        });
        it("takes -h as --help", async () => {
            assert.match((await run(["-h"])).out[0], /^Usage: vaultnomad-verify/);
        });
        it("lists each connection flag with the variable it stands for", async () => {
            const [help] = (await run(["--help"])).out;
            const missing = Object.entries(CONNECTION_FLAGS).filter(([flag, env]) => !help.includes(`  --${flag.padEnd(22)} ${env}\n`));
            assert.deepStrictEqual(missing, []);
        });
    });

    describe("a refused command line", () => {
        it("names an unknown flag on stderr, points at --help, and exits 2", async () => {
            const printed = await run(["--nomad-adr", "x"]);
            assert.deepStrictEqual(
                [printed.code, printed.out, printed.err],
                [2, [], ["Unknown option '--nomad-adr'\nvaultnomad-verify --help lists the options."]],
            );
        });
        it("under --json prints the refusal as the JSON document instead, on stdout", async () => {
            const printed = await run(["--job", "api", "--json"]);
            assert.deepStrictEqual(
                [printed.code, printed.err, JSON.parse(printed.out[0])],
                [2, [], { stack: "cluster", passed: false, error: "--job api: give it as <namespace>/<job>, such as default/api." }],
            );
        });
        for (const job of ["/api", "default/"]) {
            it(`refuses --job ${job}, which lacks a side of the slash`, async () => {
                assert.strictEqual(
                    (await run(["--job", job])).err[0].split("\n")[0],
                    `--job ${job}: give it as <namespace>/<job>, such as default/api.`,
                );
            });
        }
        it("refuses a --wait that is not a duration", async () => {
            const printed = await run(["--wait", "soon"]);
            assert.deepStrictEqual([printed.code, printed.err[0].split("\n")[0]], [2, "--wait soon: want a duration such as 30s or 2m."]);
        });
        it("refuses an --expect file it cannot read, naming it", async () => {
            const file = path.join(os.tmpdir(), "verify-cli-no-such-role.json");
            const [line] = (await run(["--expect", file])).err[0].split("\n");
            assert.match(
                line,
                new RegExp(`^--expect ${file}: not a readable JSON file \\(ENOENT: no such file or directory, open '${file}'\\)\\.$`),
            );
        });
        it("refuses an --expect file that is not JSON", async () => {
            const file = tempFile("role.json", "bound_audiences = vault.io");
            assert.match(
                (await run(["--expect", file])).err[0],
                new RegExp(`^--expect ${file}: not a readable JSON file \\(Unexpected token`),
            );
        });
        for (const [what, text] of [
            ["a list", '[{"bound_audiences": ["vault.io"]}]'],
            ["null", "null"],
            ["a string", '"vault.io"'],
        ]) {
            it(`refuses an --expect file holding ${what}, saying what it wants`, async () => {
                const file = tempFile("role.json", text);
                assert.strictEqual(
                    (await run(["--expect", file])).err[0].split("\n")[0],
                    `--expect ${file}: want a JSON object of the role's fields, such as {"bound_audiences": ["vault.io"], …}.`,
                );
            });
        }
        it("names the certificate file it cannot read, with its variable and flag", async () => {
            const file = path.join(os.tmpdir(), "verify-cli-no-such-ca.pem");
            const printed = await run(["--nomad-cacert", file]);
            assert.deepStrictEqual(
                [printed.code, printed.err[0].split("\n")[0]],
                [2, `NOMAD_CACERT (--nomad-cacert): cannot read ${file}: ENOENT: no such file or directory, open '${file}'`],
            );
        });
    });

    describe("an error of its own", () => {
        it("is printed as it is, without the --help hint, and exits 1", async () => {
            const err: string[] = [];
            const out = () => {
                throw new Error("write EPIPE");
            };
            const code = await runCluster([], { env: ENV, out, err: (t) => err.push(t) });
            assert.deepStrictEqual([code, err], [1, ["write EPIPE"]]);
        });
    });

    describe("the connection it makes of flags and variables", () => {
        const settingOf = (values: Record<string, string>) => (flag: keyof typeof CONNECTION_FLAGS) => values[flag];
        const required = { "vault-addr": "https://vault:8200//", "vault-token": "root", "nomad-addr": "https://nomad:4646/" };

        it("drops the trailing slashes of both addresses", () => {
            const reach = connection(settingOf(required));
            assert.deepStrictEqual([reach.vaultAddress, reach.nomadAddress], ["https://vault:8200", "https://nomad:4646"]);
        });
        it("takes an empty Nomad token when none is set: Nomad without ACLs needs none", () => {
            assert.strictEqual(connection(settingOf(required)).nomadToken, "");
        });
        for (const yes of ["1", "true", "TRUE", "yes"]) {
            it(`skips TLS verification for ${yes}`, () => {
                const reach = connection(settingOf({ ...required, "vault-skip-verify": yes, "nomad-skip-verify": yes }));
                assert.deepStrictEqual([reach.vaultSkipVerify, reach.nomadSkipVerify], [true, true]);
            });
        }
        for (const no of ["0", "false", "no", "truest", "untrue", "1 "]) {
            it(`verifies TLS for ${JSON.stringify(no)}`, () => {
                const reach = connection(settingOf({ ...required, "vault-skip-verify": no, "nomad-skip-verify": no }));
                assert.deepStrictEqual([reach.vaultSkipVerify, reach.nomadSkipVerify], [false, false]);
            });
        }
        it("takes the namespaces and the region as set", () => {
            const reach = connection(
                settingOf({ ...required, "vault-namespace": "platform", "nomad-namespace": "team", "nomad-region": "eu" }),
            );
            assert.deepStrictEqual([reach.vaultNamespace, reach.nomadNamespace, reach.nomadRegion], ["platform", "team", "eu"]);
        });
        it("reads each certificate file into its PEM", () => {
            const [ca, cert, key] = ["ca", "cert", "key"].map((name) => tempFile(`${name}.pem`, `${name} pem`));
            const files = { "vault-cacert": ca, "vault-client-cert": cert, "vault-client-key": key };
            const nomadFiles = { "nomad-cacert": ca, "nomad-client-cert": cert, "nomad-client-key": key };
            const reach = connection(settingOf({ ...required, ...files, ...nomadFiles }));
            assert.deepStrictEqual(
                [
                    reach.vaultCaPem,
                    reach.vaultClientCertPem,
                    reach.vaultClientKeyPem,
                    reach.nomadCaPem,
                    reach.nomadClientCertPem,
                    reach.nomadClientKeyPem,
                ],
                ["ca pem", "cert pem", "key pem", "ca pem", "cert pem", "key pem"],
            );
        });
    });
});
