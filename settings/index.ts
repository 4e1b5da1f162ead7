// Stack configuration: read every key, check the whole of it before any resource exists, and
// resolve defaults (the tutorial's values) and, in external mode, the usual environment variables.
import * as fs from "fs";
import { checkImage, checkPattern, checkPem, checkPorts, checkUrl, checkVersions, durationOf, NAME, pemKeys, Values } from "./checks";
import { CONFIG_KEYS, ConfigKey, fq, KeySpec, PROJECT } from "./keys";

export { CONFIG_KEYS, PROJECT } from "./keys";
export type { ConfigKey } from "./keys";
export { imageVersion, parseDuration } from "./checks";

export type Mode = "demo" | "external";

/** How to reach existing Vault: TLS as files, which is what the Vault provider takes. */
export interface VaultEndpoint {
    readonly address: string;
    readonly token: string;
    readonly namespace?: string;
    readonly caCertFile?: string;
    readonly clientCertFile?: string;
    readonly clientKeyFile?: string;
    readonly skipTlsVerify: boolean;
}

/** How to reach existing Nomad: TLS as PEM, which the Nomad provider and Vault's jwks_ca_pem take. */
export interface NomadEndpoint {
    readonly address: string;
    readonly token: string;
    readonly region?: string;
    readonly caPem?: string;
    readonly clientCertPem?: string;
    readonly clientKeyPem?: string;
    readonly skipTlsVerify: boolean;
}

export interface Settings {
    readonly stack: string;
    readonly mode: Mode;
    /** `<project>-<stack>`, lower-case: the prefix of every name that must be unique on the host. */
    readonly hostPrefix: string;
    readonly vaultImage: string;
    readonly nomadImage: string;
    readonly mongoImage: string;
    readonly vaultPort: number;
    readonly nomadHttpPort: number;
    readonly nomadRpcPort: number;
    readonly nomadSerfPort: number;
    readonly mongoPort: number;
    /** This stack's Nomad data dir, the same path on the host and in the container. */
    readonly nomadDataDir: string;
    /** External mode: how to reach the clusters. */
    readonly vault?: VaultEndpoint;
    readonly nomad?: NomadEndpoint;
    readonly jwtAuthPath: string;
    /** The JWKS URL Vault fetches, unless `jwtValidationPubkeys` are given. */
    readonly jwksUrl?: string;
    readonly jwtValidationPubkeys: string[];
    readonly roleName: string;
    readonly policyName: string;
    readonly mongoRoleName: string;
    readonly kvMount: string;
    readonly jobNamespace: string;
    readonly audience: string;
    readonly identityTtl: string;
    readonly tokenPeriodSeconds: number;
    readonly tokenTtlSeconds?: number;
    readonly dbCredsDefaultTtlSeconds: number;
    readonly dbCredsMaxTtlSeconds: number;
    readonly nomadSecretsEngine: boolean;
    readonly nomadSecretsRole: string;
    readonly readyTimeoutSeconds: number;
    readonly jobTimeoutSeconds: number;
}

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration (nothing was created):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/**
 * Reads and checks the whole configuration at once, so a user sees every problem in one run.
 * `raw` is the stack's config as Pulumi gives it: `{ "<project>:<key>": "<value>" }`.
 */
export function loadSettings(
    raw: Record<string, string>,
    stack: string,
    env: NodeJS.ProcessEnv = process.env,
    setAsSecret: (fullKey: string) => boolean = () => true,
): Settings {
    const problems: string[] = [];
    const { values, explicit } = readKeys(raw, problems);
    refusePlaintextSecrets(raw, setAsSecret, problems);
    const mode = values.mode as Mode;
    if (mode !== "demo" && mode !== "external") {
        problems.push(`${fq("mode")}: "${mode}" is neither "demo" nor "external".`);
    }
    for (const key of explicit) {
        const scope = (CONFIG_KEYS[key] as KeySpec).scope;
        if (scope !== "any" && scope !== mode && (mode === "demo" || mode === "external")) {
            problems.push(`${fq(key)} is used only in ${scope} mode; this stack is in ${mode} mode. Fix: pulumi config rm ${key}`);
        }
    }
    // External mode falls back to the usual environment variables.
    const text = (key: ConfigKey): string => {
        const spec = CONFIG_KEYS[key] as KeySpec;
        return String(values[key] || (mode === "external" && spec.env ? (env[spec.env] ?? "") : values[key]));
    };
    const int = (key: ConfigKey) => values[key] as number;

    if (mode === "demo") {
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
            /^\/(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_./-]*$/,
            'an absolute host path of letters, digits, "_", ".", "-" and "/"',
            problems,
        );
    } else if (mode === "external") {
        checkExternal(text, values, problems);
    }

    const durations = {
        identityTtl: durationOf("identityTtl", text("identityTtl"), problems),
        tokenPeriod: durationOf("tokenPeriod", text("tokenPeriod"), problems),
        tokenTtl: durationOf("tokenTtl", text("tokenTtl"), problems),
        dbCredsDefaultTtl: durationOf("dbCredsDefaultTtl", text("dbCredsDefaultTtl"), problems),
        dbCredsMaxTtl: durationOf("dbCredsMaxTtl", text("dbCredsMaxTtl"), problems),
    };
    if (durations.dbCredsDefaultTtl && durations.dbCredsMaxTtl && durations.dbCredsDefaultTtl > durations.dbCredsMaxTtl) {
        problems.push(
            `${fq("dbCredsDefaultTtl")}: ${text("dbCredsDefaultTtl")} is longer than ${fq("dbCredsMaxTtl")} (${text("dbCredsMaxTtl")}); Vault would reject the role.`,
        );
    }
    checkPattern("jwtAuthPath", text("jwtAuthPath"), NAME, 'a Vault mount path without slashes, such as "jwt-nomad"', problems);
    checkPattern("kvMount", text("kvMount"), NAME, 'a Vault mount path without slashes, such as "kv"', problems);
    for (const key of ["roleName", "policyName", "mongoRoleName", "nomadSecretsRole"] as const) {
        checkPattern(key, text(key), NAME, "a name of letters, digits, _, . and -", problems);
    }
    checkPattern("jobNamespace", text("jobNamespace"), /^[A-Za-z0-9-]{1,128}$/, "a Nomad namespace name (letters, digits and -)", problems);
    checkPattern("audience", text("audience"), /^[\x21-\x7e]+$/, 'a non-empty audience without spaces, such as "vault.io"', problems);
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
    if (text("policyName") === text("mongoRoleName")) {
        problems.push(
            `${fq("policyName")} and ${fq("mongoRoleName")} are both "${text("policyName")}": the two policies would overwrite each other.`,
        );
    }
    for (const key of ["readyTimeoutSeconds", "jobTimeoutSeconds"] as const) {
        if (Number.isInteger(int(key)) && (int(key) < 10 || int(key) > 3600)) {
            problems.push(`${fq(key)}: ${int(key)} is outside 10..3600 seconds.`);
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }

    const hostPrefix = `${PROJECT}-${stack}`.toLowerCase().replace(/[^a-z0-9_.-]/g, "-");
    const optional = (key: ConfigKey) => text(key) || undefined;
    const external = mode === "external";
    const vaultEndpoint: VaultEndpoint | undefined = external
        ? {
              address: text("vaultAddress").replace(/\/+$/, ""),
              token: text("vaultToken"),
              namespace: optional("vaultNamespace"),
              caCertFile: optional("vaultCaCertFile"),
              clientCertFile: optional("vaultClientCertFile"),
              clientKeyFile: optional("vaultClientKeyFile"),
              skipTlsVerify: values.vaultSkipTlsVerify === true,
          }
        : undefined;
    const nomadEndpoint: NomadEndpoint | undefined = external
        ? {
              address: text("nomadAddress").replace(/\/+$/, ""),
              token: text("nomadToken"),
              region: optional("nomadRegion"),
              caPem: optional("nomadCaPem"),
              clientCertPem: optional("nomadClientCertPem"),
              clientKeyPem: optional("nomadClientKeyPem"),
              skipTlsVerify: values.nomadSkipTlsVerify === true,
          }
        : undefined;
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
        vault: vaultEndpoint,
        nomad: nomadEndpoint,
        jwtAuthPath: text("jwtAuthPath"),
        jwksUrl: pubkeys.length
            ? undefined
            : text("jwksUrl") || (nomadEndpoint ? `${nomadEndpoint.address}/.well-known/jwks.json` : undefined),
        jwtValidationPubkeys: pubkeys,
        roleName: text("roleName"),
        policyName: text("policyName"),
        mongoRoleName: text("mongoRoleName"),
        kvMount: text("kvMount"),
        jobNamespace: text("jobNamespace"),
        audience: text("audience"),
        identityTtl: text("identityTtl"),
        tokenPeriodSeconds: durations.tokenPeriod!,
        tokenTtlSeconds: durations.tokenTtl,
        dbCredsDefaultTtlSeconds: durations.dbCredsDefaultTtl!,
        dbCredsMaxTtlSeconds: durations.dbCredsMaxTtl!,
        nomadSecretsEngine: values.nomadSecretsEngine === true,
        nomadSecretsRole: text("nomadSecretsRole"),
        readyTimeoutSeconds: int("readyTimeoutSeconds"),
        jobTimeoutSeconds: int("jobTimeoutSeconds"),
    };
}

function checkExternal(text: (key: ConfigKey) => string, values: Values, problems: string[]): void {
    for (const [key, why] of [
        ["vaultAddress", "Vault's address"],
        ["vaultToken", "a Vault token"],
        ["nomadAddress", "Nomad's address (for the JWKS URL and the agent configuration)"],
    ] as const) {
        if (!text(key)) {
            const env = (CONFIG_KEYS[key] as KeySpec).env;
            problems.push(
                `${fq(key)}: external mode needs ${why}. Fix: pulumi config set ${(CONFIG_KEYS[key] as KeySpec).secret ? "--secret " : ""}${key} …, or export ${env}.`,
            );
        }
    }
    if (values.nomadSecretsEngine === true && !text("nomadToken")) {
        problems.push(
            `${fq("nomadToken")}: the Nomad secrets engine needs a Nomad management token to create its own. Fix: pulumi config set --secret nomadToken …, or export NOMAD_TOKEN.`,
        );
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

/**
 * Pulumi.yaml cannot declare these keys `secret: true`: the CLI then refuses a plaintext default,
 * and a key without a default is required in every stack, demo stacks included. So the check is ours.
 */
function refusePlaintextSecrets(raw: Record<string, string>, setAsSecret: (fullKey: string) => boolean, problems: string[]): void {
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as Array<[ConfigKey, KeySpec]>) {
        if (spec.secret && raw[fq(key)] && !setAsSecret(fq(key))) {
            problems.push(
                `${fq(key)} is stored in plain text in the stack's config. Fix: pulumi config set --secret ${key} (it prompts for the value), which encrypts it.`,
            );
        }
    }
}

function readKeys(raw: Record<string, string>, problems: string[]): { values: Values; explicit: ConfigKey[] } {
    const known = Object.keys(CONFIG_KEYS) as ConfigKey[];
    for (const fullKey of Object.keys(raw)) {
        const [namespace, key] = fullKey.split(":", 2);
        if (namespace === PROJECT && !(known as string[]).includes(key)) {
            const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
            problems.push(`${fullKey}: unknown key${near ? `; did you mean ${fq(near)}?` : ""}. Fix: pulumi config rm ${key}`);
        }
    }
    const values = {} as Values;
    const explicit: ConfigKey[] = [];
    for (const key of known) {
        const spec: KeySpec = CONFIG_KEYS[key];
        const value = raw[fq(key)];
        if (value === undefined || (value === String(spec.default) && spec.scope !== "any")) {
            // A mode-specific key left at its default (as Pulumi.yaml's defaults fill in) says nothing.
            values[key] = spec.default;
            continue;
        }
        explicit.push(key);
        if (spec.kind === "integer") {
            values[key] = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
            if (Number.isNaN(values[key])) {
                problems.push(`${fq(key)}: "${value}" is not a whole number. Fix: pulumi config set ${key} ${spec.default}`);
            }
        } else if (spec.kind === "boolean") {
            values[key] = value.trim() === "true";
            if (!/^(true|false)$/.test(value.trim())) {
                problems.push(`${fq(key)}: "${value}" is neither true nor false.`);
            }
        } else {
            values[key] = value.trim();
            if (values[key] === "" && spec.default !== "") {
                problems.push(`${fq(key)}: must not be empty. Fix: pulumi config set ${key} ${spec.default}`);
            }
        }
    }
    return { values, explicit };
}
