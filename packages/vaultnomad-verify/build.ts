// `npm pack` here runs this (prepack): esbuild bundles verify/cli.ts and everything it imports into
// dist/cli.js, so that the package installs only what the bin runs. Imports are followed, not listed:
// a module verify imports tomorrow is in the next bundle. The package's own dependencies stay outside
// (`@cdktf/hcl2json` reads its WebAssembly from its own folder) and npm installs them beside it.
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";

const PACKAGE_DIR = __dirname;
const ROOT = path.resolve(PACKAGE_DIR, "../..");

interface Manifest {
    readonly name: string;
    readonly version: string;
    readonly license?: string;
    readonly engines?: { node?: string };
    readonly dependencies?: Record<string, string>;
}

const manifestOf = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));

/** The package's dependencies the project does not have at the same range: the bundle was built and tested against another version. */
export function dependencyMismatches(cli: Manifest, project: Manifest): string[] {
    return Object.entries(cli.dependencies ?? {})
        .filter(([name, range]) => project.dependencies?.[name] !== range)
        .map(([name, range]) => `${name} ${range} (the project's: ${project.dependencies?.[name] ?? "none"})`);
}

/** The folders of the npm packages a bundle carries, from its inputs (paths under node_modules/). */
export function bundledPackageDirs(inputs: string[]): string[] {
    const dirs = inputs.flatMap((input) => {
        const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
        return match ? [match[1]] : [];
    });
    return [...new Set(dirs)].sort();
}

const LICENCE_FILE = /^licen[cs]e(\.md|\.txt)?$/i;

/** Each bundled package's name, version, licence and licence text: MIT and the like ask that it travel with the code. */
export function thirdPartyLicences(packageDirs: string[]): string {
    const sections = packageDirs.map((dir) => {
        const { name, version, license } = manifestOf(dir);
        const file = fs.readdirSync(dir).find((entry) => LICENCE_FILE.test(entry));
        if (!file) {
            throw new Error(
                `The bundle carries ${name}, which ships no licence file: add it to packages/vaultnomad-verify/package.json's ` +
                    "dependencies (at the project's range) so that npm installs it beside the bundle.",
            );
        }
        return [`## ${name} ${version} (${license ?? "no licence field"})`, "", fs.readFileSync(path.join(dir, file), "utf8").trim()].join(
            "\n",
        );
    });
    return ["# Packages bundled into dist/cli.js", ...sections].join("\n\n") + "\n";
}

async function build(): Promise<void> {
    const cli = manifestOf(PACKAGE_DIR);
    const mismatches = dependencyMismatches(cli, manifestOf(ROOT));
    if (mismatches.length) {
        throw new Error(`packages/vaultnomad-verify/package.json: dependencies not at the project's range: ${mismatches.join(", ")}.`);
    }
    const dist = path.join(PACKAGE_DIR, "dist");
    fs.rmSync(dist, { recursive: true, force: true });
    const result = await esbuild.build({
        entryPoints: [path.join(ROOT, "verify/cli.ts")],
        outfile: path.join(dist, "cli.js"),
        absWorkingDir: ROOT,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: `node${cli.engines?.node?.replace(/^>=/, "") ?? "22"}`,
        external: Object.keys(cli.dependencies ?? {}),
        banner: { js: "// vaultnomad-verify: verify/cli.ts of the vaultnomad project and what it imports, bundled by esbuild (build.ts)." },
        metafile: true,
        write: false,
        logLevel: "silent",
    });
    // A warning is a bundle that may break at run time (a require esbuild cannot follow, say): refused.
    if (result.warnings.length) {
        const messages = await esbuild.formatMessages(result.warnings, { kind: "warning" });
        throw new Error(`esbuild warned; the bundle is not written:\n${messages.join("\n")}`);
    }
    fs.mkdirSync(dist);
    result.outputFiles.forEach((file) => fs.writeFileSync(file.path, file.contents));
    fs.writeFileSync(
        path.join(dist, "third-party-licenses.md"),
        thirdPartyLicences(bundledPackageDirs(Object.keys(result.metafile.inputs)).map((dir) => path.join(ROOT, dir))),
    );
    fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(PACKAGE_DIR, "LICENSE"));
    fs.mkdirSync(path.join(PACKAGE_DIR, "docs"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "docs/verify.md"), path.join(PACKAGE_DIR, "docs/verify.md"));
}

if (require.main === module) {
    build().catch((err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    });
}
