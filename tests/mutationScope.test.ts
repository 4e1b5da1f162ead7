// `npm run mutate` covers every file of the folders whose decisions users rely on (stryker.config.json).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const FOLDERS = ["verify", "program", "components/runtime", "automation"];

describe("mutation testing's scope", () => {
    it("lists every source file of verify/, program/, components/runtime/ and automation/", () => {
        const mutated = new Set<string>(JSON.parse(fs.readFileSync(path.join(ROOT, "stryker.config.json"), "utf8")).mutate);
        const sources = FOLDERS.flatMap((folder) =>
            fs
                .readdirSync(path.join(ROOT, folder))
                .filter((name) => /\.(ts|js)$/.test(name))
                .map((name) => `${folder}/${name}`),
        );
        assert.deepStrictEqual(
            sources.filter((file) => !mutated.has(file)),
            [],
        );
    });
});
