// The real-shape answers of Vault and Nomad that the fakes serve (tests/fixtures/api/), each with the
// upstream source file it was checked against.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { FakeReply } from "./fakeHttp";

export const FIXTURE_DIR = path.join(PROJECT_ROOT, "tests/fixtures/api");

/** Where a fixture's shape comes from: a file of hashicorp/vault, hashicorp/nomad or one of Vault's plugins (JWT auth, KV). */
export const SOURCE = /^hashicorp\/(vault|nomad|vault-plugin-auth-jwt|vault-plugin-secrets-kv) [\w./-]+\.go\b/;

export interface ApiFixture {
    readonly source: string;
    readonly status: number;
    readonly contentType?: string;
    readonly body: any;
}

const cache = new Map<string, ApiFixture>();

export function readFixture(name: string): ApiFixture {
    if (!cache.has(name)) {
        const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), "utf8")) as ApiFixture;
        if (!SOURCE.test(fixture.source ?? "")) {
            throw new Error(`tests/fixtures/api/${name}.json names no upstream source file`);
        }
        cache.set(name, fixture);
    }
    return cache.get(name)!;
}

/** A fixture as the fake's reply, its body altered by `change` (a fresh copy each time). */
export function served(name: string, change: (body: any) => any = (body) => body): FakeReply {
    const { status, contentType, body } = readFixture(name);
    const changed = change(structuredClone(body));
    // A JSON body is sent serialised, a JSON string included; a text/plain body as it is.
    return { status, contentType, body: contentType ? changed : JSON.stringify(changed) };
}
