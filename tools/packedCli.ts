// vaultnomad-verify as a user gets it: packs packages/vaultnomad-verify (its prepack bundles the bin)
// and installs the tarball in an empty folder, with npm's install scripts off and its cache first.
// For `npm run test:pack`, which checks what is installed, and `npm run bench`, which times it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { directorySize } from "./directorySize";
import { PROJECT_ROOT } from "./programRecorder";

export const CLI_PACKAGE_DIR = path.join(PROJECT_ROOT, "packages/vaultnomad-verify");

export interface InstalledCli {
    /** The folder it is installed in, as a project of its own. */
    readonly dir: string;
    readonly tarball: { readonly filename: string; readonly files: string[] };
    /** node_modules/.bin/vaultnomad-verify in `dir`. */
    readonly bin: string;
    /** Every package the install brought, by name. */
    readonly packages: string[];
    /** What node_modules takes, in bytes. */
    readonly bytes: number;
    remove(): void;
}

const run = (cwd: string, command: string, args: string[]) =>
    execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

export function installPackedCli(): InstalledCli {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-verify-"));
    const remove = () => fs.rmSync(dir, { recursive: true, force: true });
    try {
        const [packed] = JSON.parse(run(CLI_PACKAGE_DIR, "npm", ["pack", "--json", "--pack-destination", dir]));
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cli-user", version: "1.0.0", private: true }));
        const install = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"];
        run(dir, "npm", [...install, path.join(dir, packed.filename)]);
        const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"));
        return {
            dir,
            tarball: { filename: packed.filename, files: packed.files.map((f: { path: string }) => f.path) },
            bin: path.join(dir, "node_modules/.bin/vaultnomad-verify"),
            packages: Object.keys(lock.packages)
                .filter((key) => key !== "")
                .map((key) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length)),
            bytes: directorySize(path.join(dir, "node_modules")),
            remove,
        };
    } catch (err) {
        remove();
        throw err;
    }
}
