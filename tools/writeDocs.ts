// `npm run docs`: regenerates what the README, docs/ and Pulumi.yaml derive from the code and the
// bench's results (see configDocs.ts). Tests fail when any of it is stale.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { outputsTable } from "../program/outputs";
import { POLICIES } from "../policy/policies";
import {
    configTable,
    OUTPUTS_END,
    OUTPUTS_START,
    policyTable,
    POLICY_END,
    POLICY_START,
    projectConfigSchema,
    replaceBetween,
    TABLE_END,
    TABLE_START,
} from "./configDocs";
import { updateFile, withPerformance } from "./docFiles";
import { renderMermaid, withGraph } from "./mermaid";
import { PROJECT_ROOT, runProgram } from "./programRecorder";

const update = (file: string, change: (text: string) => string) => console.log(updateFile(file, change));

async function main(): Promise<void> {
    const mermaid = renderMermaid(await runProgram());
    const bench = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "bench/results.json"), "utf8"));
    update("README.md", (readme) =>
        [
            (text: string) => withGraph(text, mermaid),
            (text: string) => replaceBetween(text, OUTPUTS_START, OUTPUTS_END, outputsTable()),
            (text: string) => withPerformance(text, bench),
        ].reduce((text, change) => change(text), readme),
    );
    update("docs/configuration.md", (text) => replaceBetween(text, TABLE_START, TABLE_END, configTable()));
    update("docs/policy-pack.md", (text) => replaceBetween(text, POLICY_START, POLICY_END, policyTable(POLICIES)));
    update("Pulumi.yaml", (text) => {
        const project = yaml.load(text) as Record<string, unknown>;
        return yaml.dump({ ...project, config: projectConfigSchema() }, { lineWidth: 140, quotingType: '"' });
    });
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
