// Nomad workload identities of real shape (tests/fixtures/identities/), each naming the upstream files it was read from.
import * as fs from "fs";
import * as path from "path";
import { NomadIdentityRequest } from "../policy/nomadClaims";

export interface IdentityFixture {
    readonly source: string;
    readonly request: NomadIdentityRequest;
    /** The JWT's payload, keys in the order Nomad signs them. */
    readonly claims: Record<string, any>;
}

export interface IdentityTable {
    readonly source: string;
    readonly rows: ReadonlyArray<{
        readonly name: string;
        readonly request: NomadIdentityRequest;
        readonly expected: Record<string, unknown>;
    }>;
}

export function readIdentityFixture<T extends { source: string }>(name: string): T {
    const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/identities", `${name}.json`), "utf8")) as T;
    if (!/^hashicorp\/nomad [\w./-]+\.go\b.* at v\d+\.\d+\.\d+/.test(fixture.source)) {
        throw new Error(`tests/fixtures/identities/${name}.json names no upstream file and tag`);
    }
    return fixture;
}

export const identity205 = readIdentityFixture<IdentityFixture>("nomad-v2.0.5.vault-identity.extra-claims");
export const identity1105 = readIdentityFixture<IdentityFixture>("nomad-v1.10.5.vault-identity");
