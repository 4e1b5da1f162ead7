// The README a newcomer reads first, and the generated parts of it and of docs/.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BenchResults } from "../bench/table";
import { POLICIES } from "../policy/policies";
import { CONFIG_KEYS } from "../settings/keys";
import { POLICY_END, POLICY_START, policyTable, replaceBetween } from "../tools/configDocs";
import { withPerformance } from "../tools/docFiles";
import { PROJECT_ROOT } from "../tools/programRecorder";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

describe("README and docs", () => {
    const readme = read("README.md");
    const firstScreen = readme.split("\n").slice(0, 40).join("\n");

    it("show the command that brings the demo up in the first 40 lines", () => {
        // The driver's up, then the CLI on the same state and passphrase: one story for both.
        assert.match(firstScreen, /npm ci && npm run stack -- up\neval "\$\(npm run --silent stack -- env\)"/);
    });
    it("show the command that runs the tests in the first 40 lines", () => {
        assert.match(firstScreen, /npm ci && npm test/);
    });
    it("put the README's test command in .ci/run too", () => {
        assert.deepStrictEqual(
            ["npm ci", "npm test"].filter((command) => !read(".ci/run").includes(command)),
            [],
        );
    });
    it("name the default images where they say how to remove them", () => {
        const images = [CONFIG_KEYS.vaultImage, CONFIG_KEYS.nomadImage, CONFIG_KEYS.mongoImage].map((key) => key.default).join(" ");
        assert.ok(readme.includes(`docker image rm ${images}`), `README.md lacks \`docker image rm ${images}\``);
    });
    it("generate the Performance block from bench/results.json (npm run docs)", () => {
        const results: BenchResults = JSON.parse(read("bench/results.json"));
        assert.strictEqual(withPerformance(readme, results), readme);
    });
    it("list every rule of the policy pack in docs/policy-pack.md (npm run docs)", () => {
        const doc = read("docs/policy-pack.md");
        assert.strictEqual(replaceBetween(doc, POLICY_START, POLICY_END, policyTable(POLICIES)), doc);
    });
    it("ship the full text of the licence package.json declares, Apache-2.0", () => {
        const licence = read("LICENSE");
        assert.deepStrictEqual(
            [
                JSON.parse(read("package.json")).license,
                licence.includes("Apache License\n                           Version 2.0, January 2004"),
                licence.includes("END OF TERMS AND CONDITIONS"),
            ],
            ["Apache-2.0", true, true],
        );
    });
    it("link only to docs files that exist", () => {
        const links = [...readme.matchAll(/\]\((docs\/[\w.-]+\.md)(#[\w-]+)?\)/g)].map((m) => m[1]);
        assert.deepStrictEqual(
            links.filter((file) => !fs.existsSync(path.join(PROJECT_ROOT, file))),
            [],
        );
    });
});
