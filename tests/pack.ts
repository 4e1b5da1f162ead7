// `npm run test:pack`: vaultnomad-verify as a user gets it. Packs packages/vaultnomad-verify (its
// prepack bundles the bin), installs the tarball in an empty folder with install scripts off, and
// runs the installed bin: --help, a run against a port nothing may connect to (exit code 1), and a
// whole run against a healthy cluster on the fakes (exit code 0), which loads every module the
// checks import. Separate from `npm test` because it packs and installs; .ci/run runs it first.
import * as assert from "assert";
import { execFile } from "child_process";
import { promisify } from "util";
import { installPackedCli, InstalledCli } from "../tools/packedCli";
import { NOMAD_SETUP_VAULT, startFakeCluster } from "./fakeCluster";

/** What the installed package may take on disk. */
const MAX_INSTALLED_BYTES = 10 * 2 ** 20;

/** The machine's environment without its own Vault and Nomad settings, and with `env`. */
const environment = (env: Record<string, string>) => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VAULT|NOMAD)_/.test(name))),
    ...env,
});

/** Runs the installed bin; its exit code and what it printed. Asynchronous: the fakes answer from this process. */
async function runBin(cli: InstalledCli, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
    try {
        const { stdout, stderr } = await promisify(execFile)(cli.bin, args, { cwd: cli.dir, env: environment(env) });
        return { code: 0, out: stdout + stderr };
    } catch (err) {
        const failed = err as { code?: unknown; stdout?: string; stderr?: string };
        if (typeof failed.code !== "number") {
            throw err;
        }
        return { code: failed.code, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
    }
}

function checkInstall(cli: InstalledCli): void {
    assert.deepStrictEqual(
        cli.tarball.files.filter((f) => !/^(dist\/.*\.(js|md)|docs\/verify\.md|LICENSE|README\.md|package\.json)$/.test(f)),
        [],
        "the tarball carries more than the bundle, its licences and docs",
    );
    assert.deepStrictEqual(
        cli.packages.filter((name) => /pulumi/i.test(name)),
        [],
        "the install brought Pulumi",
    );
    assert.ok(cli.bytes <= MAX_INSTALLED_BYTES, `the install takes ${(cli.bytes / 2 ** 20).toFixed(1)} MB, more than 10 MB`);
}

async function checkRuns(cli: InstalledCli): Promise<void> {
    const help = await runBin(cli, ["--help"]);
    assert.deepStrictEqual([help.code, /^Usage: vaultnomad-verify \[options\]/.test(help.out)], [0, true], help.out);

    const blocked = await runBin(cli, [], { VAULT_ADDR: "http://127.0.0.1:1", VAULT_TOKEN: "unused", NOMAD_ADDR: "http://127.0.0.1:1" });
    assert.deepStrictEqual([blocked.code, /FAIL {2}vault-health .*no answer \(bad port\)/.test(blocked.out)], [1, true], blocked.out);

    const cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
    try {
        const healthy = await runBin(cli, ["--probe", "--json"], cluster.env);
        const checks: Array<{ id: string; status: string }> = JSON.parse(healthy.out).checks ?? [];
        assert.deepStrictEqual(
            [healthy.code, checks.filter((c) => c.status !== "pass").map((c) => `${c.id}: ${c.status}`)],
            [0, ["declared-state: skip"]],
            healthy.out,
        );
    } finally {
        await cluster.close();
    }
}

async function main(): Promise<void> {
    const cli = installPackedCli();
    try {
        checkInstall(cli);
        await checkRuns(cli);
        console.log(
            `test:pack ok: ${cli.tarball.filename} installs ${cli.packages.length} packages in ` +
                `${(cli.bytes / 2 ** 20).toFixed(1)} MB, none of Pulumi; its bin answers --help, fails on a blocked port ` +
                "and passes a healthy cluster on the fakes.",
        );
    } finally {
        cli.remove();
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
