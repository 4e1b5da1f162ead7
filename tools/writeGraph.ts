// `npm run graph`: records the program under mocks and writes its resource graph into README.md.
import * as fs from "fs";
import * as path from "path";
import { renderMermaid, withGraph } from "./mermaid";
import { PROJECT_ROOT, runProgram } from "./programRecorder";

async function main(): Promise<void> {
    const readmePath = path.join(PROJECT_ROOT, "README.md");
    const readme = fs.readFileSync(readmePath, "utf8");
    const updated = withGraph(readme, renderMermaid(await runProgram()));
    fs.writeFileSync(readmePath, updated);
    console.log(updated === readme ? "README.md: the resource graph is up to date." : "README.md: resource graph updated.");
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
