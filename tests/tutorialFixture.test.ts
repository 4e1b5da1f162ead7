// The fixtures against what they were cut from: the tutorial and the provider schema beside the
// project. A clone has neither, and these checks then say so and skip.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readSchemaFixture, SCHEMA_REFERENCE, schemaFixtureOf } from "./providerSchema";
import { TUTORIAL_FIXTURES, tutorialSources } from "./seed";
import { TUTORIAL_SEEDS, tutorialFile, tutorialLines } from "./tutorialText";

describe("fixtures against their sources", () => {
    describe("tutorial files (tests/fixtures/tutorial)", () => {
        const lines = tutorialLines();
        const files = Object.keys(tutorialSources().files);

        it("holds every file sources.json names, and only those", () => {
            const present = fs.readdirSync(TUTORIAL_FIXTURES).filter((name) => name !== "sources.json");
            assert.deepStrictEqual(present.sort(), [...files].sort());
        });
        if (!lines) {
            it(`skipped: the tutorial is not at ${TUTORIAL_SEEDS}`, function () {
                this.skip();
            });
            return;
        }
        for (const file of files) {
            it(`${file} is the tutorial's, verbatim`, () => {
                assert.strictEqual(fs.readFileSync(path.join(TUTORIAL_FIXTURES, file), "utf8"), tutorialFile(lines, file));
            });
            it(`${file} comes from the tutorial section sources.json names`, () => {
                const { section } = tutorialSources().files[file];
                const sectionAt = lines.indexOf(section);
                const fileAt = lines.findIndex((line) => line.trim() === file);
                const otherSections = Object.values(tutorialSources().files).map((s) => lines.indexOf(s.section));
                assert.ok(sectionAt >= 0 && sectionAt < fileAt, `"${section}" is not a heading before ${file}`);
                assert.ok(
                    !otherSections.some((at) => at > sectionAt && at < fileAt),
                    `another section starts between "${section}" and ${file}`,
                );
            });
        }
    });

    describe("provider schema (tests/fixtures/pulumi-nomad-schema.v2.6.1.json)", () => {
        const present = fs.existsSync(SCHEMA_REFERENCE);
        it(present ? "is the reference schema without its prose" : `skipped: no reference schema at ${SCHEMA_REFERENCE}`, function () {
            if (!present) {
                this.skip();
            }
            assert.deepStrictEqual(readSchemaFixture(), schemaFixtureOf(JSON.parse(fs.readFileSync(SCHEMA_REFERENCE, "utf8"))));
        });
    });
});
