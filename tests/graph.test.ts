// The README's resource graph is generated from the program; it must not go stale.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { renderMermaid, withGraph } from "../tools/mermaid";
import { PROJECT_ROOT, ProgramRun, runProgram } from "../tools/programRecorder";

describe("resource graph", function () {
    this.timeout(60_000);
    let run: ProgramRun;

    before(async () => {
        run = await runProgram();
    });

    it("in the README is the program's current graph (run `npm run docs` to update it)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        assert.strictEqual(withGraph(readme, renderMermaid(run)), readme);
    });
    it("draws every custom resource once", () => {
        const mermaid = renderMermaid(run);
        const missing = run.resources.filter((r) => r.custom && mermaid.split(`["${r.name}<br/>`).length !== 2);
        assert.deepStrictEqual(
            missing.map((r) => r.name),
            [],
        );
    });
    it("draws the edge a component's dependsOn gives its children", () => {
        assert.match(renderMermaid(run), /^ {4}kv_mongo_config --> mongo_job$/m);
    });
});
