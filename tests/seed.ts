// The files that the tutorial asks the reader to create, kept verbatim in tests/fixtures/tutorial/
// (sources.json names the tutorial's section for each), so that tests compare the program with the
// tutorial's own values. tutorialFixture.test.ts checks them against the tutorial when it is at hand.
import * as fs from "fs";
import * as path from "path";
import { parse } from "@cdktf/hcl2json";

export const TUTORIAL_FIXTURES = path.resolve(__dirname, "fixtures/tutorial");

export interface TutorialSources {
    files: Record<string, { section: string; step: number }>;
}

export function tutorialSources(): TutorialSources {
    return JSON.parse(fs.readFileSync(path.join(TUTORIAL_FIXTURES, "sources.json"), "utf8"));
}

function fixtureText(fileName: string): string {
    if (!tutorialSources().files[fileName]) {
        throw new Error(`${fileName} is not one of the tutorial's files in ${TUTORIAL_FIXTURES}/sources.json`);
    }
    return fs.readFileSync(path.join(TUTORIAL_FIXTURES, fileName), "utf8");
}

/** A JSON file of the tutorial, such as "vault-role-nomad-workloads.json", parsed. */
export function seedJson(fileName: string): Record<string, any> {
    return JSON.parse(fixtureText(fileName));
}

/** The text of an HCL file of the tutorial, such as "mongo.nomad.hcl". */
export function seedHcl(fileName: string): string {
    return fixtureText(fileName);
}

export async function parseHcl(text: string, name = "file.hcl"): Promise<Record<string, any>> {
    return (await parse(name, text)) as Record<string, any>;
}
