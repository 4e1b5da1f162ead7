// Writing the generated parts of the project's files, shared by `npm run docs` and `npm run bench`.
import * as fs from "fs";
import * as path from "path";
import { BenchResults, performanceBlock } from "../bench/table";
import { PERFORMANCE_END, PERFORMANCE_START, replaceBetween } from "./configDocs";
import { PROJECT_ROOT } from "./programRecorder";

/** Rewrites `file` (relative to `root`) with `change`; says whether that changed it. */
export function updateFile(file: string, change: (text: string) => string, root = PROJECT_ROOT): string {
    const full = path.join(root, file);
    const before = fs.readFileSync(full, "utf8");
    const after = change(before);
    fs.writeFileSync(full, after);
    return `${file}: ${after === before ? "up to date" : "updated"}`;
}

/** The README with its Performance block made from `results`. */
export function withPerformance(readme: string, results: BenchResults): string {
    return replaceBetween(readme, PERFORMANCE_START, PERFORMANCE_END, performanceBlock(results));
}
