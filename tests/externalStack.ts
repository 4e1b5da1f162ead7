// An external stack's configuration for the program's tests (no fake servers): the operator's
// clusters and tokens, and a jobspec such a stack can run.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";

/** Vault and Nomad of an operator, with tokens for both (workloads need Nomad's). */
export const EXTERNAL_STACK = {
    mode: "external",
    vaultAddress: "https://vault.example.com:8200",
    vaultToken: "hvs.operator",
    nomadAddress: "https://nomad.example.com:4646",
    nomadToken: "0b5e4d0c-nomad-operator",
};

/** jobs/api.nomad.hcl without its read of database/creds/mongo, which an external stack does not mount. */
export const API_SOURCE = fs
    .readFileSync(path.join(PROJECT_ROOT, "jobs/api.nomad.hcl"), "utf8")
    .replace(/\{\{with secret "database[\s\S]*?\{\{end\}\}\n/, "");
