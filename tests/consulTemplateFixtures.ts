// consul-template's own test tables and Go's template parser's answers (tests/fixtures/consul-template/), each
// naming the upstream file and commit, or the Go release, it was read from.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";

const SOURCE = /^(hashicorp\/consul-template [\w./-]+\.(go|md)\b.*commit [0-9a-f]{40}|Go's text\/template\/parse \(go\d)/;

export function consulTemplateFixture(name: string): any {
    const fixture = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/consul-template", `${name}.json`), "utf8"));
    if (!SOURCE.test(fixture.source ?? "")) {
        throw new Error(`tests/fixtures/consul-template/${name}.json names no upstream source and commit`);
    }
    return fixture;
}
