// Cuts the files the reader is asked to create out of the tutorial's text (../shared/seeds/001_*.txt
// in the workspace this project was built in; a clone does not have it).
import * as fs from "fs";
import * as path from "path";

export const TUTORIAL_SEEDS = path.resolve(__dirname, "../../shared/seeds");

/** The tutorial's lines, or undefined when the tutorial is not beside the project. */
export function tutorialLines(): string[] | undefined {
    const file = fs.existsSync(TUTORIAL_SEEDS) ? fs.readdirSync(TUTORIAL_SEEDS).find((name) => name.startsWith("001_")) : undefined;
    return file ? fs.readFileSync(path.join(TUTORIAL_SEEDS, file), "utf8").split("\n") : undefined;
}

/** The lines after the tutorial's own line naming `fileName`, while `isMore` holds. */
function fileBlock(lines: string[], fileName: string, isMore: (line: string, depth: number) => boolean): string[] {
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

/** The text of a file the tutorial shows: a JSON object ends at its closing brace; HCL at the prose. */
export function tutorialFile(lines: string[], fileName: string): string {
    let done = false;
    const isMore = fileName.endsWith(".json")
        ? (line: string, depth: number) => {
              if (done) {
                  return false;
              }
              done = depth === 1 && line.trim() === "}";
              return true;
          }
        : // Outside any block, only HCL statements continue the file; the tutorial's prose ends it.
          (line: string, depth: number) => depth > 0 || /^[a-z_]+\s*(\{|"|=)/.test(line);
    return fileBlock(lines, fileName, isMore).join("\n") + "\n";
}
