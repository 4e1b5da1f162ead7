// What a folder takes on disk, as the sum of its files' sizes (node_modules for `npm run bench`, an
// installed package for `npm run test:pack`).
import * as fs from "fs";
import * as path from "path";

export function directorySize(dir: string): number {
    let bytes = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        bytes += entry.isDirectory() ? directorySize(full) : entry.isFile() ? fs.statSync(full).size : 0;
    }
    return bytes;
}
