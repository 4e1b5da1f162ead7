// What `npm run bench` leaves behind: bench/results.json and the README's Performance block made from
// it, written together so that the figures and the docs (and so `npm test`) agree.
import * as fs from "fs";
import * as path from "path";
import { updateFile, withPerformance } from "../tools/docFiles";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { BenchResults } from "./table";

/** Writes the results and the README's block; returns what it did, a line per file. */
export function recordResults(results: BenchResults, root = PROJECT_ROOT): string[] {
    fs.writeFileSync(path.join(root, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
    return ["bench/results.json: written", updateFile("README.md", (readme) => withPerformance(readme, results), root)];
}
