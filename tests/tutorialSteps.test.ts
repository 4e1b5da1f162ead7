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
    for (const { file, step, component } of claims) {
        it(`${file}: ${component} is built in step ${step} of program/demo.ts`, () => {
            assert.match(demoStep(step), new RegExp(`new ${component}\\(`));
        });
    }
});
