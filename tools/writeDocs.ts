// `npm run docs`: regenerates what the README and Pulumi.yaml derive from the code: the resource
// graph (recorded under mocks) and the configuration keys. Tests fail when either is stale.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { outputsTable } from "../program/outputs";
import { configTable, OUTPUTS_END, OUTPUTS_START, projectConfigSchema, replaceBetween, TABLE_END, TABLE_START } from "./configDocs";
import { renderMermaid, withGraph } from "./mermaid";
import { PROJECT_ROOT, runProgram } from "./programRecorder";

function update(file: string, change: (text: string) => string): void {
    const full = path.join(PROJECT_ROOT, file);
    const before = fs.readFileSync(full, "utf8");
    const after = change(before);
    fs.writeFileSync(full, after);
    console.log(`${file}: ${after === before ? "up to date" : "updated"}`);
}

async function main(): Promise<void> {
    const mermaid = renderMermaid(await runProgram());
    update("README.md", (readme) =>
        replaceBetween(
            replaceBetween(withGraph(readme, mermaid), TABLE_START, TABLE_END, configTable()),
            OUTPUTS_START,
            OUTPUTS_END,
            outputsTable(),
        ),
    );
    update("Pulumi.yaml", (text) => {
        const project = yaml.load(text) as Record<string, unknown>;
        return yaml.dump({ ...project, config: projectConfigSchema() }, { lineWidth: 140, quotingType: '"' });
    });
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
