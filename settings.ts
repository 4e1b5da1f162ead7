// Stack configuration: every key, its default, and the checks that run before any resource exists.
// Pulumi.yaml declares the same keys for the CLI; tests/settings.test.ts keeps the two in step.

export const PROJECT = "vaultnomad";

type Kind = "string" | "integer";

interface KeySpec {
    readonly kind: Kind;
    readonly default: string | number;
    readonly description: string;
}

export const CONFIG_KEYS = {
    vaultImage: { kind: "string", default: "hashicorp/vault:1.18.1", description: "Vault image (pinned tag or digest)." },
    nomadImage: { kind: "string", default: "hashicorp/nomad:1.10.0", description: "Nomad image, 1.10 or later." },
    mongoImage: { kind: "string", default: "mongo:7", description: "Image of the mongo and mongo-query jobs." },
    vaultPort: { kind: "integer", default: 8200, description: "Vault API port on 127.0.0.1; the next port is Vault's cluster port." },
    nomadHttpPort: { kind: "integer", default: 4646, description: "Nomad HTTP API port on 127.0.0.1." },
    nomadRpcPort: { kind: "integer", default: 4647, description: "Nomad RPC port on 127.0.0.1." },
    nomadSerfPort: { kind: "integer", default: 4648, description: "Nomad Serf port on 127.0.0.1." },
    mongoPort: { kind: "integer", default: 27017, description: "Host port of the mongo job on 127.0.0.1." },
    hostDataDir: {
        kind: "string",
        default: "/tmp/vaultnomad",
        description: "Host folder under which each stack keeps its Nomad data dir.",
    },
    jwtAuthPath: { kind: "string", default: "jwt-nomad", description: "Vault path of the JWT auth method for Nomad workload identities." },
    audience: { kind: "string", default: "vault.io", description: "Audience of Nomad's default identity and the roles' bound audience." },
    identityTtl: { kind: "string", default: "1h", description: "TTL of Nomad's default workload identity." },
    tokenPeriod: { kind: "string", default: "30m", description: "Period of the Vault tokens issued to Nomad tasks." },
    dbCredsDefaultTtl: { kind: "string", default: "1h", description: "Default TTL of the mongo database credentials." },
    dbCredsMaxTtl: { kind: "string", default: "24h", description: "Maximum TTL of the mongo database credentials." },
    readyTimeoutSeconds: { kind: "integer", default: 120, description: "How long to wait for Vault, Nomad and the ACL bootstrap." },
    jobTimeoutSeconds: { kind: "integer", default: 600, description: "How long to wait for a job's deployment." },
    reviewBranch: { kind: "string", default: "", description: "Git branch of a review stack; the stack driver sets it." },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export interface Settings {
    readonly stack: string;
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
    readonly jwtAuthPath: string;
    readonly audience: string;
    readonly identityTtl: string;
    readonly tokenPeriodSeconds: number;
    readonly dbCredsDefaultTtlSeconds: number;
    readonly dbCredsMaxTtlSeconds: number;
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
export function loadSettings(raw: Record<string, string>, stack: string): Settings {
    const problems: string[] = [];
    const values = readKeys(raw, problems);
    const text = (key: ConfigKey) => String(values[key]);
    const int = (key: ConfigKey) => values[key] as number;

    for (const key of ["vaultImage", "nomadImage", "mongoImage"] as const) {
        if (text(key)) {
            checkImage(key, text(key), problems);
        }
    }
    checkVersions(text("vaultImage"), text("nomadImage"), problems);
    checkPorts(values, problems);
    const durations = {
        identityTtl: parseDuration(text("identityTtl")),
        tokenPeriod: parseDuration(text("tokenPeriod")),
        dbCredsDefaultTtl: parseDuration(text("dbCredsDefaultTtl")),
        dbCredsMaxTtl: parseDuration(text("dbCredsMaxTtl")),
    };
    for (const [key, seconds] of Object.entries(durations)) {
        if (text(key as ConfigKey) && (seconds === undefined || seconds <= 0)) {
            problems.push(
                `${fq(key)}: "${text(key as ConfigKey)}" is not a positive duration such as "30m" or "1h". Fix: pulumi config set ${key} 1h`,
            );
        }
    }
    if (durations.dbCredsDefaultTtl && durations.dbCredsMaxTtl && durations.dbCredsDefaultTtl > durations.dbCredsMaxTtl) {
        problems.push(
            `${fq("dbCredsDefaultTtl")}: ${text("dbCredsDefaultTtl")} is longer than ${fq("dbCredsMaxTtl")} (${text("dbCredsMaxTtl")}); Vault would reject the role.`,
        );
    }
    if (text("jwtAuthPath") && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(text("jwtAuthPath"))) {
        problems.push(`${fq("jwtAuthPath")}: "${text("jwtAuthPath")}" must be a Vault mount path without slashes, such as "jwt-nomad".`);
    }
    if (text("audience") && !/^[\x21-\x7e]+$/.test(text("audience"))) {
        problems.push(`${fq("audience")}: "${text("audience")}" must be a non-empty audience without spaces, such as "vault.io".`);
    }
    if ((text("hostDataDir") && !/^\/[A-Za-z0-9_./-]*$/.test(text("hostDataDir"))) || text("hostDataDir").split("/").includes("..")) {
        problems.push(
            `${fq("hostDataDir")}: "${text("hostDataDir")}" must be an absolute host path of letters, digits, "_", ".", "-" and "/".`,
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
    return {
        stack,
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
        jwtAuthPath: text("jwtAuthPath"),
        audience: text("audience"),
        identityTtl: text("identityTtl"),
        tokenPeriodSeconds: durations.tokenPeriod!,
        dbCredsDefaultTtlSeconds: durations.dbCredsDefaultTtl!,
        dbCredsMaxTtlSeconds: durations.dbCredsMaxTtl!,
        readyTimeoutSeconds: int("readyTimeoutSeconds"),
        jobTimeoutSeconds: int("jobTimeoutSeconds"),
    };
}

function fq(key: string): string {
    return `${PROJECT}:${key}`;
}

function readKeys(raw: Record<string, string>, problems: string[]): Record<ConfigKey, string | number> {
    const known = Object.keys(CONFIG_KEYS) as ConfigKey[];
    for (const fullKey of Object.keys(raw)) {
        const [namespace, key] = fullKey.split(":", 2);
        if (namespace === PROJECT && !(known as string[]).includes(key)) {
            const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
            problems.push(`${fullKey}: unknown key${near ? `; did you mean ${fq(near)}?` : ""}. Fix: pulumi config rm ${key}`);
        }
    }
    const values = {} as Record<ConfigKey, string | number>;
    for (const key of known) {
        const spec: KeySpec = CONFIG_KEYS[key];
        const value = raw[fq(key)];
        if (value === undefined) {
            values[key] = spec.default;
        } else if (spec.kind === "integer") {
            values[key] = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
            if (Number.isNaN(values[key])) {
                problems.push(`${fq(key)}: "${value}" is not a whole number. Fix: pulumi config set ${key} ${spec.default}`);
            }
        } else {
            values[key] = value.trim();
            if (values[key] === "" && spec.default !== "") {
                problems.push(`${fq(key)}: must not be empty. Fix: pulumi config set ${key} ${spec.default}`);
            }
        }
    }
    return values;
}

// A Docker reference with an explicit tag or digest: "latest" or no tag would let the demo change under the user.
const IMAGE_REF =
    /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([\w][\w.-]{0,127}))?(@sha256:[a-f0-9]{64})?$/;

function checkImage(key: ConfigKey, image: string, problems: string[]): void {
    const match = IMAGE_REF.exec(image);
    if (!match) {
        problems.push(`${fq(key)}: "${image}" is not a valid image reference (name:tag).`);
    } else if ((!match[1] && !match[2]) || match[1] === "latest") {
        problems.push(`${fq(key)}: "${image}" must be pinned to a version tag or digest, not latest.`);
    }
}

/** The version in an image tag such as "hashicorp/nomad:1.10.2" or "...:1.10.2-ent", if there is one. */
export function imageVersion(image: string): [number, number, number] | undefined {
    const tag = /:(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][\w.-]*)?$/.exec(image.split("@")[0]);
    return tag ? [Number(tag[1]), Number(tag[2]), Number(tag[3] ?? 0)] : undefined;
}

function checkVersions(vaultImage: string, nomadImage: string, problems: string[]): void {
    const nomad = imageVersion(nomadImage);
    if (nomad && (nomad[0] < 1 || (nomad[0] === 1 && nomad[1] < 10))) {
        problems.push(
            `${fq("nomadImage")}: Nomad ${nomad.join(".")} is older than 1.10, where workload identity became the only Vault integration. Use hashicorp/nomad:1.10.0 or later.`,
        );
    }
    const vault = imageVersion(vaultImage);
    if (vault && vault.join(".") === "1.16.1") {
        problems.push(
            `${fq("vaultImage")}: Vault 1.16.1 rejects Nomad's JWKS ("unexpected signature algorithm"); use another version such as 1.18.1.`,
        );
    } else if (vault && vault[0] === 1 && vault[1] < 12) {
        problems.push(`${fq("vaultImage")}: Vault ${vault.join(".")} is older than 1.12, the first version this flow supports.`);
    }
}

function checkPorts(values: Record<ConfigKey, string | number>, problems: string[]): void {
    const owners = new Map<number, string>();
    const claim = (port: number, owner: string) => {
        const other = owners.get(port);
        if (other) {
            problems.push(`${owner}: port ${port} is already used by ${other}; give each port its own number.`);
        }
        owners.set(port, owner);
    };
    for (const key of ["vaultPort", "nomadHttpPort", "nomadRpcPort", "nomadSerfPort", "mongoPort"] as const) {
        const port = values[key] as number;
        if (Number.isNaN(port)) {
            continue;
        }
        if (port < 1024 || port > 65534) {
            problems.push(`${fq(key)}: ${port} is outside 1024..65534.`);
            continue;
        }
        claim(port, fq(key));
        if (key === "vaultPort") {
            claim(port + 1, `${fq(key)} + 1 (Vault's cluster port)`);
        }
    }
}

/** Go-style duration ("90s", "30m", "1h30m") in seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
    if (!/^(\d+[hms])+$/.test(text)) {
        return undefined;
    }
    const factor: Record<string, number> = { h: 3600, m: 60, s: 1 };
    let seconds = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)([hms])/g)) {
        seconds += Number(amount) * factor[unit];
    }
    return seconds;
}
