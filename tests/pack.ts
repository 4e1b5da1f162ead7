// `npm run test:pack`: the package as a user gets it. Packs it (prepack compiles the bin to bin/),
// installs the tarball in an empty folder, and runs `npx vaultnomad-verify --help` there. Separate
// from `npm test` because the install takes seconds; .ci/run runs it after the suite.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";

const run = (cwd: string, command: string, args: string[]) =>
    execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function main(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-pack-"));
    try {
        const [packed] = JSON.parse(run(PROJECT_ROOT, "npm", ["pack", "--json", "--pack-destination", dir]));
        const files: string[] = packed.files.map((f: { path: string }) => f.path);
        assert.ok(files.includes("bin/verify/cli.js"), `the tarball lacks the bin: ${files.join(", ")}`);
        // npm always packs package.json's main: index.ts, the Pulumi program's entry.
        assert.deepStrictEqual(
            files.filter((f) => f !== "index.ts" && (f.endsWith(".ts") || f.startsWith("tests/") || f.includes("Pulumi"))),
            [],
            "the tarball carries sources, tests or stack files",
        );
        const app = path.join(dir, "app");
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "pack-check", version: "1.0.0", private: true }));
        run(app, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", path.join(dir, packed.filename)]);
        const help = run(app, "npx", ["--no-install", "vaultnomad-verify", "--help"]);
        assert.match(help, /^Usage: vaultnomad-verify \[options\]/);
        assert.match(help, /--job <namespace>\/<job>/);
        console.log(`test:pack ok: ${packed.filename} (${files.length} files) installs; npx vaultnomad-verify --help answers.`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main();
