// The vaultnomad-verify package (packages/vaultnomad-verify): what its bundle carries and declares,
// and a bin that reads its command line before it loads the checks. `npm run test:pack` installs it.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundledPackageDirs, dependencyMismatches, thirdPartyLicences } from "../packages/vaultnomad-verify/build";
import { CLI_PACKAGE_DIR } from "../tools/packedCli";
import { PROJECT_ROOT } from "../tools/programRecorder";

const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));

/** The modules a fresh process has loaded after `vaultnomad-verify <args>`, relative to the project, node_modules/ for packages. */
function modulesLoadedBy(args: string[]): string[] {
    const script = `
        const before = new Set(Object.keys(require.cache));
        require("./verify/cli").runCluster(${JSON.stringify(args)}, { env: {}, out: () => {}, err: () => {} }).then(() =>
            console.log(JSON.stringify(Object.keys(require.cache).filter((file) => !before.has(file)))));`;
    const loaded: string[] = JSON.parse(
        execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" }),
    );
    return loaded.map((file) => path.relative(PROJECT_ROOT, file)).filter((file) => !/^node_modules\/(typescript|ts-node)\//.test(file));
}

describe("vaultnomad-verify's package", function () {
    this.timeout(20_000);

    it("answers --help with only the command line's modules loaded: no check, no jose, no HCL parser", () => {
        assert.deepStrictEqual(modulesLoadedBy(["--help"]).sort(), ["verify/cli.ts", "verify/readLimit.ts", "verify/roleMeaning.ts"]);
    });
    it("names a missing variable with no check loaded either", () => {
        assert.deepStrictEqual(
            modulesLoadedBy([]).filter((file) => file.startsWith("node_modules/") || file.startsWith("verify/discover")),
            [],
        );
    });
    it("declares only dependencies the project has, at the project's range", () => {
        assert.deepStrictEqual(dependencyMismatches(manifest(CLI_PACKAGE_DIR), manifest(PROJECT_ROOT)), []);
    });
    it("refuses a dependency at another range than the project's, or one the project lacks", () => {
        const cli = { name: "cli", version: "1.0.0", dependencies: { jose: "^5.0.0", leftpad: "^1.0.0", "@cdktf/hcl2json": "^0.21.0" } };
        const project = { name: "project", version: "1.0.0", dependencies: { jose: "^6.2.19", "@cdktf/hcl2json": "^0.21.0" } };
        assert.deepStrictEqual(dependencyMismatches(cli, project), [
            "jose ^5.0.0 (the project's: ^6.2.19)",
            "leftpad ^1.0.0 (the project's: none)",
        ]);
    });
    it("finds each npm package the bundle carries once, scoped and nested ones included", () => {
        const inputs = [
            "verify/cli.ts",
            "node_modules/jose/dist/webapi/index.js",
            "node_modules/jose/dist/webapi/jwt/decode.js",
            "node_modules/@scope/pkg/lib/a.js",
            "node_modules/outer/node_modules/inner/index.js",
        ];
        assert.deepStrictEqual(bundledPackageDirs(inputs), [
            "node_modules/@scope/pkg",
            "node_modules/jose",
            "node_modules/outer/node_modules/inner",
        ]);
    });
    describe("licences of what it bundles", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-licences-"));
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bundled", version: "1.2.3", license: "MIT" }));
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("carries each package's licence text under its name, version and licence", () => {
            fs.writeFileSync(path.join(dir, "LICENSE.md"), "The MIT License\n\nCopyright (c) the authors\n");
            assert.strictEqual(
                thirdPartyLicences([dir]),
                "# Packages bundled into dist/cli.js\n\n## bundled 1.2.3 (MIT)\n\nThe MIT License\n\nCopyright (c) the authors\n",
            );
        });
        it("refuses a package that ships no licence file, saying to install it beside the bundle", () => {
            assert.throws(() => thirdPartyLicences([dir]), /carries bundled, which ships no licence file: add it to .*dependencies/);
        });
    });
});
