// Reads the files that the tutorial (../shared/seeds/001_*.txt) asks the reader to create, so
// that tests compare the program with the tutorial's own values rather than with copies.
import * as fs from "fs";
import * as path from "path";
import { parse } from "@cdktf/hcl2json";

const SEEDS = path.resolve(__dirname, "../../shared/seeds");

function tutorialLines(): string[] {
    const file = fs.readdirSync(SEEDS).find((name) => name.startsWith("001_"));
    if (!file) {
        throw new Error(`the tutorial seed 001_*.txt is missing from ${SEEDS}`);
    }
    return fs.readFileSync(path.join(SEEDS, file), "utf8").split("\n");
}

/** The lines that follow the tutorial's own line naming `fileName`, up to the end of the block. */
function fileBlock(fileName: string, isMore: (line: string, depth: number) => boolean): string[] {
    const lines = tutorialLines();
    const start = lines.findIndex((line, i) => line.trim() === fileName && /^[{a-z]/.test(lines[i + 1] ?? ""));
    if (start < 0) {
        throw new Error(`the tutorial has no file named ${fileName}`);
    }
    const block: string[] = [];
    let depth = 0;
    for (const line of lines.slice(start + 1)) {
        if (!isMore(line, depth)) {
            break;
        }
        block.push(line);
        depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    }
    return block;
}

/** A JSON file of the tutorial, such as "vault-role-nomad-workloads.json", parsed. */
export function seedJson(fileName: string): Record<string, any> {
    let done = false;
    const block = fileBlock(fileName, (line, depth) => {
        if (done) {
            return false;
        }
        done = depth === 1 && line.trim() === "}";
        return true;
    });
    return JSON.parse(block.join("\n"));
}

/** The text of an HCL file of the tutorial, such as "mongo.nomad.hcl". */
export function seedHcl(fileName: string): string {
    // Outside any block, only HCL statements continue the file; the tutorial's prose ends it.
    return fileBlock(fileName, (line, depth) => depth > 0 || /^[a-z_]+\s*(\{|"|=)/.test(line)).join("\n") + "\n";
}

export async function parseHcl(text: string, name = "file.hcl"): Promise<Record<string, any>> {
    return (await parse(name, text)) as Record<string, any>;
}
