// Vault's own test tables and policy texts (tests/fixtures/vault-acl/), each file naming the upstream file and
// the commit it was read at.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../components/assets";

const UPSTREAM = /^hashicorp\/vault [\w./-]+\.go$/;

/** A fixture of tests/fixtures/vault-acl/, refused when it does not name its upstream file and commit. */
export function vaultTable(name: "acl_test" | "policy_test" | "templating_test"): Record<string, any> {
    const table = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/vault-acl", `${name}.json`), "utf8"));
    if (!UPSTREAM.test(table.source ?? "") || !/^[0-9a-f]{40}$/.test(table.commit ?? "")) {
        throw new Error(`tests/fixtures/vault-acl/${name}.json names no upstream file and commit`);
    }
    return table;
}
