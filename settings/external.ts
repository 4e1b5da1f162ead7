// External mode: what it needs to reach existing clusters, and their endpoints with TLS.
import * as fs from "fs";
import { checkPem, checkUrl, Values } from "./checks";
import { CONFIG_KEYS, ConfigKey, fq, KeySpec } from "./keys";
import { NomadEndpoint, VaultEndpoint } from "./types";

export type Text = (key: ConfigKey) => string;

/** `clusters`: nomadClusters is set, and says how to reach each Nomad instead of the nomad* keys. */
export function checkExternal(text: Text, values: Values, hasWorkloads: boolean, problems: string[], clusters = false): void {
    const required = [
        ["vaultAddress", "Vault's address"],
        ["vaultToken", "a Vault token"],
        ["nomadAddress", "Nomad's address (for the JWKS URL and the agent configuration)"],
    ] as const;
    for (const [key, why] of clusters ? required.slice(0, 2) : required) {
        if (!text(key)) {
            const env = (CONFIG_KEYS[key] as KeySpec).env;
            problems.push(
                `${fq(key)}: external mode needs ${why}. Fix: pulumi config set ${(CONFIG_KEYS[key] as KeySpec).secret ? "--secret " : ""}${key} …, or export ${env}.`,
            );
        }
    }
    const needsNomadToken = [
        [values.nomadSecretsEngine === true, "the Nomad secrets engine needs a Nomad management token to create its own"],
        [hasWorkloads, "workloads need a Nomad token that may register jobs and namespaces"],
    ] as const;
    for (const [needed, why] of needsNomadToken) {
        if (needed && !clusters && !text("nomadToken")) {
            problems.push(`${fq("nomadToken")}: ${why}. Fix: pulumi config set --secret nomadToken …, or export NOMAD_TOKEN.`);
        }
    }
    checkUrl("vaultAddress", text("vaultAddress"), problems);
    checkUrl("nomadAddress", text("nomadAddress"), problems);
    for (const key of ["nomadCaPem", "nomadClientCertPem", "nomadClientKeyPem"] as const) {
        checkPem(key, text(key), problems);
    }
    for (const key of ["vaultCaCertFile", "vaultClientCertFile", "vaultClientKeyFile"] as const) {
        if (text(key) && !fs.existsSync(text(key))) {
            problems.push(`${fq(key)}: no file at ${text(key)}.`);
        }
    }
    for (const [cert, key] of [
        ["vaultClientCertFile", "vaultClientKeyFile"],
        ["nomadClientCertPem", "nomadClientKeyPem"],
    ] as const) {
        if (!!text(cert) !== !!text(key)) {
            problems.push(`${fq(cert)} and ${fq(key)} go together: set both or neither.`);
        }
    }
}

/** How to reach the clusters: TLS as files for Vault (the Vault provider reads files), as PEM for Nomad. */
export function endpointsOf(text: Text, values: Values): { vault: VaultEndpoint; nomad: NomadEndpoint } {
    const optional = (key: ConfigKey) => text(key) || undefined;
    return {
        vault: {
            address: text("vaultAddress").replace(/\/+$/, ""),
            token: text("vaultToken"),
            namespace: optional("vaultNamespace"),
            caCertFile: optional("vaultCaCertFile"),
            clientCertFile: optional("vaultClientCertFile"),
            clientKeyFile: optional("vaultClientKeyFile"),
            skipTlsVerify: values.vaultSkipTlsVerify === true,
        },
        nomad: {
            address: text("nomadAddress").replace(/\/+$/, ""),
            token: text("nomadToken"),
            region: optional("nomadRegion"),
            caPem: optional("nomadCaPem"),
            clientCertPem: optional("nomadClientCertPem"),
            clientKeyPem: optional("nomadClientKeyPem"),
            skipTlsVerify: values.nomadSkipTlsVerify === true,
        },
    };
}
