// Stack configuration: read every key, check the whole of it before any resource exists, and
// resolve defaults (the tutorial's values) and, in external mode, the usual environment variables.
// Each concern checks its own keys: mode, the demo's host (images, ports, folders), addresses,
// naming, lifetimes; external.ts reaches existing clusters and their TLS.
import { checkImage, checkPattern, checkPorts, checkUrl, checkVersions, durationOf, NAME, pemKeys, Values } from "./checks";
import { checkClustersAlone, checkLayout, checkWorkloadClusters, CLUSTERS_KEY, readClusters } from "./clusters";
import { checkExternal, endpointsOf, Text } from "./external";
import { CONFIG_KEYS, ConfigKey, fq, KeySpec, PROJECT } from "./keys";
import { readAlgs, readClaimMappings } from "./identity";
import { NAMESPACES_KEY, readNamespaces } from "./namespaces";
import { readKeys, refusePlaintextSecrets } from "./read";
import { ConfigError, Mode, Settings } from "./types";
import { readWorkloads, WORKLOADS_KEY } from "./workloads";

export { CONFIG_KEYS, fq, PROJECT } from "./keys";
export type { ConfigKey } from "./keys";
export { durationText, imageVersion, parseDuration } from "./checks";
export { DEFAULT_PORTS, PORT_KEYS, portsOfConfig } from "./ports";
export type { PortKey, Ports } from "./ports";
export { ConfigError } from "./types";
export type { Mode, NomadEndpoint, Settings, VaultEndpoint } from "./types";
export { CLUSTERS_KEY } from "./clusters";
export type { ClustersLayout, NomadClusterSpec } from "./clusters";

/**
 * Reads and checks the whole configuration at once, so a user sees every problem in one run.
 * `raw` is the stack's config as Pulumi gives it: `{ "<project>:<key>": "<value>" }`;
 * `setAsSecret` says which of its keys were set with --secret; `storedWorkloads` is the workloads
 * key as the stack file holds it, encrypted leaves and all, when the program can read that file;
 * `storedClusters` the same for the nomadClusters key.
 */
export function loadSettings(
    raw: Record<string, string>,
    stack: string,
    env: NodeJS.ProcessEnv = process.env,
    setAsSecret: (fullKey: string) => boolean = () => true,
    storedWorkloads?: unknown,
    storedClusters?: unknown,
): Settings {
    const problems: string[] = [];
    const { values, explicit } = readKeys(raw, problems);
    refusePlaintextSecrets(raw, setAsSecret, problems);
    const mode = checkMode(values, explicit, problems);
    const text = textOf(values, env);
    const secrecy = { isSecret: setAsSecret(fq(WORKLOADS_KEY)), stored: storedWorkloads };
    const workloads = readWorkloads({ json: raw[fq(WORKLOADS_KEY)], secrecy }, text("jobNamespace"), problems);
    const clusterSecrecy = { isSecret: setAsSecret(fq(CLUSTERS_KEY)), stored: storedClusters };
    const nomadClusters = readClusters({ json: raw[fq(CLUSTERS_KEY)], secrecy: clusterSecrecy }, problems);
    // Given at all, the key replaces the single-cluster keys, even while its entries are wrong.
    const clustersGiven = !!raw[fq(CLUSTERS_KEY)];
    if (mode === "demo") {
        checkDemoHost(text, values, problems);
        if (clustersGiven) {
            problems.push(
                `${fq(CLUSTERS_KEY)} is used only in external mode; this stack is in demo mode. Fix: pulumi config rm ${CLUSTERS_KEY}`,
            );
        }
    } else if (mode === "external") {
        checkExternal(text, values, workloads.length > 0, problems, clustersGiven);
    }
    if (clustersGiven) {
        checkClustersAlone(explicit, values.nomadSecretsEngine === true, problems);
        checkLayout(text("nomadClustersLayout"), nomadClusters, problems);
    }
    checkWorkloadClusters(workloads, nomadClusters, problems);
    const lifetimes = checkLifetimes(text, values, problems);
    checkNaming(text, problems);
    const pubkeys = checkJwks(text, problems);
    const identity = {
        jwtSupportedAlgs: readAlgs(text("jwtSupportedAlgs"), problems),
        claimMappings: readClaimMappings(text("claimMappings"), problems),
    };
    const namespaces = readNamespaces(raw[fq(NAMESPACES_KEY)], workloads, problems);
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    const clusters = { nomadClusters, nomadClustersLayout: text("nomadClustersLayout") as Settings["nomadClustersLayout"] };
    return { ...settingsOf(stack, mode, text, values, lifetimes, pubkeys, clustersGiven), ...identity, ...clusters, workloads, namespaces };
}

/** Mode: "demo" or "external", and no key set that only the other mode uses. */
function checkMode(values: Values, explicit: ConfigKey[], problems: string[]): Mode {
    const mode = values.mode as Mode;
    if (mode !== "demo" && mode !== "external") {
        problems.push(`${fq("mode")}: "${mode}" is neither "demo" nor "external".`);
        return mode;
    }
    for (const key of explicit) {
        const scope = (CONFIG_KEYS[key] as KeySpec).scope;
        if (scope !== "any" && scope !== mode) {
            problems.push(`${fq(key)} is used only in ${scope} mode; this stack is in ${mode} mode. Fix: pulumi config rm ${key}`);
        }
    }
    return mode;
}

/** A key's text; an unset key falls back to its environment variable (only external-mode keys have one). */
function textOf(values: Values, env: NodeJS.ProcessEnv): Text {
    return (key) => {
        const spec = CONFIG_KEYS[key] as KeySpec;
        return String(values[key] || (spec.env ? (env[spec.env] ?? "") : values[key]));
    };
}

/** The demo's footprint on the host: pinned images of supported versions, free ports, a safe folder. */
function checkDemoHost(text: Text, values: Values, problems: string[]): void {
    for (const key of ["vaultImage", "nomadImage", "mongoImage"] as const) {
        if (text(key)) {
            checkImage(key, text(key), problems);
        }
    }
    checkVersions(text("vaultImage"), text("nomadImage"), problems);
    checkPorts(values, problems);
    checkPattern(
        "hostDataDir",
        text("hostDataDir"),
        /^(?!.*\/\.\.(\/|$))\/[A-Za-z0-9_./-]*$/,
        'an absolute host path of letters, digits, "_", ".", "-" and "/"',
        problems,
    );
}

interface Lifetimes {
    tokenPeriod?: number;
    tokenTtl?: number;
    dbCredsDefaultTtl?: number;
    dbCredsMaxTtl?: number;
}

/** Durations in seconds, and timeouts within bounds. */
function checkLifetimes(text: Text, values: Values, problems: string[]): Lifetimes {
    durationOf("identityTtl", text("identityTtl"), problems);
    const lifetimes = {
        tokenPeriod: durationOf("tokenPeriod", text("tokenPeriod"), problems),
        tokenTtl: durationOf("tokenTtl", text("tokenTtl"), problems),
        dbCredsDefaultTtl: durationOf("dbCredsDefaultTtl", text("dbCredsDefaultTtl"), problems),
        dbCredsMaxTtl: durationOf("dbCredsMaxTtl", text("dbCredsMaxTtl"), problems),
    };
    // A malformed duration (undefined, so NaN) compares false: its own problem is reported already.
    if (Number(lifetimes.dbCredsDefaultTtl) > Number(lifetimes.dbCredsMaxTtl)) {
        problems.push(
            `${fq("dbCredsDefaultTtl")}: ${text("dbCredsDefaultTtl")} is longer than ${fq("dbCredsMaxTtl")} (${text("dbCredsMaxTtl")}); Vault would reject the role.`,
        );
    }
    for (const key of ["readyTimeoutSeconds", "jobTimeoutSeconds"] as const) {
        const seconds = values[key] as number;
        if (Number.isInteger(seconds) && (seconds < 10 || seconds > 3600)) {
            problems.push(`${fq(key)}: ${seconds} is outside 10..3600 seconds.`);
        }
    }
    return lifetimes;
}

/** Names of mounts, roles, policies and the namespace, as Vault and Nomad accept them. */
function checkNaming(text: Text, problems: string[]): void {
    checkPattern("jwtAuthPath", text("jwtAuthPath"), NAME, 'a Vault mount path without slashes, such as "jwt-nomad"', problems);
    checkPattern("kvMount", text("kvMount"), NAME, 'a Vault mount path without slashes, such as "kv"', problems);
    for (const key of ["roleName", "policyName", "mongoRoleName", "nomadSecretsRole"] as const) {
        checkPattern(key, text(key), NAME, "a name of letters, digits, _, . and -", problems);
    }
    checkPattern("jobNamespace", text("jobNamespace"), /^[A-Za-z0-9-]{1,128}$/, "a Nomad namespace name (letters, digits and -)", problems);
    checkPattern("audience", text("audience"), /^[\x21-\x7e]+$/, 'a non-empty audience without spaces, such as "vault.io"', problems);
    if (text("policyName") === text("mongoRoleName")) {
        problems.push(
            `${fq("policyName")} and ${fq("mongoRoleName")} are both "${text("policyName")}": the two policies would overwrite each other.`,
        );
    }
}

/** How Vault validates identities: a JWKS URL or static PEM keys, not both. Returns the keys. */
function checkJwks(text: Text, problems: string[]): string[] {
    checkUrl("jwksUrl", text("jwksUrl"), problems);
    const pubkeys = pemKeys(text("jwtValidationPubkeys"));
    if (text("jwtValidationPubkeys") && pubkeys.length === 0) {
        problems.push(`${fq("jwtValidationPubkeys")}: holds no PEM public key (-----BEGIN PUBLIC KEY-----).`);
    }
    if (pubkeys.length > 0 && text("jwksUrl")) {
        problems.push(
            `${fq("jwksUrl")} and ${fq("jwtValidationPubkeys")} are both set: Vault takes either a JWKS URL or static keys. Remove one.`,
        );
    }
    return pubkeys;
}

/** `<project>-<stack>`, lower-case: the prefix of every name that must be unique on the host. */
function hostPrefixOf(stack: string): string {
    return `${PROJECT}-${stack}`.toLowerCase().replace(/[^a-z0-9_.-]/g, "-");
}

function settingsOf(
    stack: string,
    mode: Mode,
    text: Text,
    values: Values,
    lifetimes: Lifetimes,
    pubkeys: string[],
    clusters: boolean,
): Omit<Settings, "workloads" | "namespaces" | "jwtSupportedAlgs" | "claimMappings" | "nomadClusters" | "nomadClustersLayout"> {
    const hostPrefix = hostPrefixOf(stack);
    const endpoints = mode === "external" ? endpointsOf(text, values) : undefined;
    // With nomadClusters, each cluster's entry says where its Nomad and JWKS are.
    const nomad = clusters ? undefined : endpoints?.nomad;
    const int = (key: ConfigKey) => values[key] as number;
    return {
        stack,
        mode,
        hostPrefix,
        vaultImage: text("vaultImage"),
        nomadImage: text("nomadImage"),
        mongoImage: text("mongoImage"),
        vaultPort: int("vaultPort"),
        nomadHttpPort: int("nomadHttpPort"),
        nomadRpcPort: int("nomadRpcPort"),
        nomadSerfPort: int("nomadSerfPort"),
        mongoPort: int("mongoPort"),
        nomadDataDir: `${text("hostDataDir").replace(/\/+$/, "")}/${hostPrefix}/nomad`,
        vault: endpoints?.vault,
        nomad,
        jwtAuthPath: text("jwtAuthPath"),
        jwtAuthDescription: text("jwtAuthDescription") || undefined,
        jwksUrl: pubkeys.length ? undefined : text("jwksUrl") || (nomad ? `${nomad.address}/.well-known/jwks.json` : undefined),
        jwtValidationPubkeys: pubkeys,
        roleName: text("roleName"),
        policyName: text("policyName"),
        mongoRoleName: text("mongoRoleName"),
        kvMount: text("kvMount"),
        createKvMount: values.createKvMount === true,
        jobNamespace: text("jobNamespace"),
        audience: text("audience"),
        identityTtl: text("identityTtl"),
        tokenPeriodSeconds: lifetimes.tokenPeriod!,
        tokenTtlSeconds: lifetimes.tokenTtl,
        dbCredsDefaultTtlSeconds: lifetimes.dbCredsDefaultTtl!,
        dbCredsMaxTtlSeconds: lifetimes.dbCredsMaxTtl!,
        nomadSecretsEngine: values.nomadSecretsEngine === true,
        nomadSecretsRole: text("nomadSecretsRole"),
        readyTimeoutSeconds: int("readyTimeoutSeconds"),
        jobTimeoutSeconds: int("jobTimeoutSeconds"),
    };
}
