// The tutorial's step numbers agree between program/demo.ts and the components' own comments.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";

const demo = fs.readFileSync(path.join(PROJECT_ROOT, "program/demo.ts"), "utf8");

/** demo.ts's text from its `// N.` comment to the next numbered one. */
function demoStep(step: number): string {
    const from = demo.indexOf(`// ${step}. `);
    assert.ok(from >= 0, `program/demo.ts has no step ${step}`);
    const next = demo.slice(from + 1).search(/\/\/ \d+\. /);
    return next < 0 ? demo.slice(from) : demo.slice(from, from + 1 + next);
}

describe("tutorial step numbers", () => {
    const componentsDir = path.join(PROJECT_ROOT, "components");
    const claims = fs
        .readdirSync(componentsDir)
        .filter((file) => file.endsWith(".ts"))
        .flatMap((file) => {
            const text = fs.readFileSync(path.join(componentsDir, file), "utf8");
            const match = text.match(/Step (\d+) of the tutorial[\s\S]*?export class (\w+)/);
            return match ? [{ file, step: Number(match[1]), component: match[2] }] : [];
        });

    it("are claimed by the step components", () => {
        assert.ok(claims.length >= 5, `only ${claims.length} components name their step`);
    });
    it("number the README's steps as program/demo.ts does", () => {
        const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## What it builds"), readme.indexOf("Then, in your shell"));
        const numbered = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => Number(m[1]));
        assert.deepStrictEqual(numbered(section, /^(\d+)\. /gm), numbered(demo, /\/\/ (\d+)\. /g));
    });
    for (const { file, step, component } of claims) {
        it(`${file}: ${component} is built in step ${step} of program/demo.ts`, () => {
            assert.match(demoStep(step), new RegExp(`new ${component}\\(`));
        });
    }
});
