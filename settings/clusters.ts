// The `nomadClusters` key: several Nomad clusters, each signing workload identities with its own
// keys, against one Vault. Each entry says how to reach the cluster and how Vault learns its keys.
import { pemKeys } from "./checks";
import { fq } from "./keys";
import { NomadEndpoint } from "./types";
import { isObject, isSecureLeaf, pathSegment, Secrecy } from "./workloads";

export const CLUSTERS_KEY = "nomadClusters";

/** How Vault trusts the clusters: a JWT mount per cluster, or one mount with a `jwks_pairs` entry per cluster. */
export const LAYOUTS = ["mount-per-cluster", "jwks-pairs"] as const;
export type ClustersLayout = (typeof LAYOUTS)[number];

export interface NomadClusterSpec {
    /** Names the cluster in resource names, mount paths, policy names and messages. */
    readonly name: string;
    readonly nomad: NomadEndpoint;
    /** The JWKS URL Vault fetches (default `<address>/.well-known/jwks.json`), unless static keys are given. */
    readonly jwksUrl?: string;
    /** PEM public keys, for a Nomad Vault cannot fetch from (one that demands client certificates). */
    readonly jwtValidationPubkeys: string[];
}

// The field lists below are written where they are used, evaluated per call, as in workloads.ts.

export interface ClustersSource {
    /** The key's value as Pulumi hands it to the program: JSON, secure leaves decrypted. */
    readonly json?: string;
    readonly secrecy?: Secrecy;
}

/** Reads `vaultnomad:nomadClusters`; each fault adds a problem naming the entry, its field and the fix. */
export function readClusters(source: ClustersSource, problems: string[]): NomadClusterSpec[] {
    if (!source.json) {
        return [];
    }
    const entries = parsedOrUndefined(source.json);
    if (!Array.isArray(entries) || entries.length === 0) {
        problems.push(
            `${fq(CLUSTERS_KEY)}: must be a non-empty list of clusters, each { name, address, token, … }, as structured config (see docs/external.md).`,
        );
        return [];
    }
    const stored = Array.isArray(source.secrecy?.stored) ? source.secrecy.stored : [];
    const clusters = entries.flatMap((entry, index) => {
        const found = readEntry(entry, index, problems);
        if (found && source.secrecy) {
            checkEncrypted(entry as Record<string, unknown>, index, source.secrecy.isSecret, stored[index], problems);
        }
        return found ? [found] : [];
    });
    const seen = new Set<string>();
    for (const { name } of clusters) {
        if (seen.has(name)) {
            problems.push(`${fq(CLUSTERS_KEY)}: two clusters are named ${name}; give each its own name.`);
        }
        seen.add(name);
    }
    return clusters;
}

function readEntry(entry: unknown, index: number, problems: string[]): NomadClusterSpec | undefined {
    const at = `${fq(CLUSTERS_KEY)}[${index}]`;
    if (!isObject(entry)) {
        problems.push(`${at}: must be { name, address, token, … } (see docs/external.md).`);
        return undefined;
    }
    const before = problems.length;
    const fault = (field: string, message: string) => problems.push(`${at}.${field}: ${message}`);
    const fields = [
        "name",
        "address",
        "token",
        "region",
        "caPem",
        "clientCertPem",
        "clientKeyPem",
        "skipTlsVerify",
        "jwksUrl",
        "jwtValidationPubkeys",
    ];
    for (const field of Object.keys(entry).filter((f) => !fields.includes(f))) {
        fault(field, `unknown field; a cluster has ${fields.join(", ")}.`);
    }
    const name = entry.name;
    if (typeof name !== "string" || !/^[a-z0-9][a-z0-9-]{0,31}$/.test(name)) {
        fault("name", `${JSON.stringify(name)} is not a cluster name: lower-case letters, digits and -, at most 32, such as "east".`);
    }
    const text = (field: string) => {
        const value = entry[field] ?? "";
        if (typeof value !== "string") {
            fault(field, "must be a string.");
            return "";
        }
        return value;
    };
    const address = text("address");
    if (!address) {
        fault("address", "each cluster needs Nomad's address, such as https://nomad-east.example.com:4646.");
    }
    for (const field of ["address", "jwksUrl"]) {
        checkHttpUrl(text(field), (message) => fault(field, message));
    }
    for (const field of ["caPem", "clientCertPem", "clientKeyPem"]) {
        if (text(field) && !/-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----/.test(text(field))) {
            fault(
                field,
                `not a PEM block (-----BEGIN …-----). Fix: pulumi config set --path '${CLUSTERS_KEY}[${index}].${field}' -- "$(cat file.pem)"`,
            );
        }
    }
    if (!!text("clientCertPem") !== !!text("clientKeyPem")) {
        fault("clientCertPem", "clientCertPem and clientKeyPem go together: set both or neither.");
    }
    if (entry.skipTlsVerify !== undefined && typeof entry.skipTlsVerify !== "boolean") {
        fault("skipTlsVerify", "must be true or false.");
    }
    const keysText = Array.isArray(entry.jwtValidationPubkeys) ? entry.jwtValidationPubkeys.join("\n") : text("jwtValidationPubkeys");
    const pubkeys = pemKeys(keysText);
    if (keysText && pubkeys.length === 0) {
        fault("jwtValidationPubkeys", "holds no PEM public key (-----BEGIN PUBLIC KEY-----).");
    }
    if (pubkeys.length > 0 && text("jwksUrl")) {
        fault("jwksUrl", "jwksUrl and jwtValidationPubkeys are both set: Vault takes either a JWKS URL or static keys. Remove one.");
    }
    if (problems.length > before) {
        return undefined;
    }
    const optional = (field: string) => text(field) || undefined;
    const trimmed = address.replace(/\/+$/, "");
    return {
        name: name as string,
        nomad: {
            address: trimmed,
            token: text("token"),
            region: optional("region"),
            caPem: optional("caPem"),
            clientCertPem: optional("clientCertPem"),
            clientKeyPem: optional("clientKeyPem"),
            skipTlsVerify: entry.skipTlsVerify === true,
        },
        jwksUrl: pubkeys.length ? undefined : text("jwksUrl") || `${trimmed}/.well-known/jwks.json`,
        jwtValidationPubkeys: pubkeys,
    };
}

function parsedOrUndefined(json: string): unknown {
    try {
        return JSON.parse(json);
    } catch {
        return undefined;
    }
}

function checkHttpUrl(value: string, fault: (message: string) => void): void {
    if (value && !/^https?:$/.test(URL.parse(value)?.protocol ?? "")) {
        fault(`"${value}" is not an http(s) URL such as https://nomad.example.com:4646.`);
    }
}

/** The token and client key must be encrypted in the stack file, as every secret key is. */
function checkEncrypted(entry: Record<string, unknown>, index: number, isSecret: boolean, stored: unknown, problems: string[]): void {
    // The fields that must be encrypted in the stack file.
    for (const field of ["token", "clientKeyPem"].filter((f) => typeof entry[f] === "string" && entry[f] !== "")) {
        const leaf = isObject(stored) ? stored[field] : undefined;
        if (!isSecret || (isObject(stored) && !isSecureLeaf(leaf))) {
            problems.push(
                `${fq(CLUSTERS_KEY)}[${index}].${field}: given in plain text. Fix: pulumi config set --secret --path '${CLUSTERS_KEY}[${index}]${pathSegment(field)}' <value>`,
            );
        }
    }
}

/**
 * With nomadClusters, the single-cluster keys would say a second thing about the same Nomad: each is
 * refused, naming the entry field that replaces it. So is what needs one Nomad (its secrets engine).
 */
export function checkClustersAlone(explicit: string[], nomadSecretsEngine: boolean, problems: string[]): void {
    // Each single-cluster key, and the entry field that takes its place.
    const replaced: Record<string, string> = {
        nomadAddress: "address",
        nomadToken: "token",
        nomadRegion: "region",
        nomadCaPem: "caPem",
        nomadClientCertPem: "clientCertPem",
        nomadClientKeyPem: "clientKeyPem",
        nomadSkipTlsVerify: "skipTlsVerify",
        jwksUrl: "jwksUrl",
        jwtValidationPubkeys: "jwtValidationPubkeys",
    };
    for (const key of explicit.filter((k) => k in replaced)) {
        problems.push(
            `${fq(key)} is set with ${fq(CLUSTERS_KEY)}: give it per cluster, as ${CLUSTERS_KEY}[i].${replaced[key]}. Fix: pulumi config rm ${key}`,
        );
    }
    if (nomadSecretsEngine) {
        problems.push(
            `${fq("nomadSecretsEngine")}: Vault's Nomad secrets engine serves one Nomad, and ${fq(CLUSTERS_KEY)} names several. Fix: pulumi config rm nomadSecretsEngine`,
        );
    }
}

/** In the jwks-pairs layout every cluster gives a JWKS URL: Vault takes jwks_pairs or static keys, not both. */
export function checkLayout(layout: string, clusters: NomadClusterSpec[], problems: string[]): void {
    if (!(LAYOUTS as readonly string[]).includes(layout)) {
        problems.push(`${fq("nomadClustersLayout")}: "${layout}" is neither ${LAYOUTS.map((l) => `"${l}"`).join(" nor ")}.`);
        return;
    }
    if (layout !== "jwks-pairs") {
        return;
    }
    clusters.forEach((cluster, index) => {
        if (cluster.jwtValidationPubkeys.length > 0) {
            problems.push(
                `${fq(CLUSTERS_KEY)}[${index}].jwtValidationPubkeys: one mount with jwks_pairs cannot also hold static keys. Fix: give a jwksUrl, or pulumi config set nomadClustersLayout mount-per-cluster`,
            );
        }
    });
}

/** Checks each workload's `clusters` against the configured ones: every workload runs in at least one, and only in those named. */
export function checkWorkloadClusters(
    workloads: Array<{ origin: string; clusters?: string[] }>,
    clusters: NomadClusterSpec[],
    problems: string[],
): void {
    const names = clusters.map((c) => c.name);
    for (const w of workloads) {
        if (clusters.length === 0 && w.clusters !== undefined) {
            problems.push(
                `${w.origin}: clusters: names clusters, but ${fq(CLUSTERS_KEY)} is not set. Fix: remove clusters, or configure ${CLUSTERS_KEY}.`,
            );
        } else if (clusters.length > 0 && (w.clusters ?? []).length === 0) {
            problems.push(`${w.origin}: clusters: say which clusters the job runs in, such as clusters: [${names[0]}].`);
        }
        for (const name of (w.clusters ?? []).filter((n) => clusters.length > 0 && !names.includes(n))) {
            problems.push(`${w.origin}: clusters: ${name} is not a cluster of ${fq(CLUSTERS_KEY)} (${names.join(", ")}).`);
        }
    }
    // A cluster that runs workloads needs a token that may register their jobs.
    clusters.forEach((cluster, index) => {
        const runs = workloads.find((w) => w.clusters?.includes(cluster.name));
        if (runs && !cluster.nomad.token) {
            problems.push(
                `${fq(CLUSTERS_KEY)}[${index}].token: ${runs.origin} runs in ${cluster.name}, which needs a Nomad token that may register jobs and namespaces. Fix: pulumi config set --secret --path '${CLUSTERS_KEY}[${index}].token' <token>`,
            );
        }
    });
}
