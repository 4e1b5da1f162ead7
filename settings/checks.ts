// The checks on configuration values; each adds a problem that names its key and the fix.
import { CONFIG_KEYS, ConfigKey, fq } from "./keys";
import { PORT_KEYS } from "./ports";

export type Values = Record<ConfigKey, string | number | boolean>;
type Problems = string[];

export function checkImage(key: ConfigKey, image: string, problems: Problems): void {
    // [registry:port/]path/components[:tag][@digest]; a registry without a port reads as a path component.
    const match =
        /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*:\d+\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::(\w[\w.-]{0,127}))?(@sha256:[a-f0-9]{64})?$/.exec(
            image,
        );
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

export function checkVersions(vaultImage: string, nomadImage: string, problems: Problems): void {
    const nomad = imageVersion(nomadImage);
    if (nomad && (nomad[0] < 1 || (nomad[0] === 1 && nomad[1] < 10))) {
        problems.push(
            `${fq("nomadImage")}: Nomad ${nomad.join(".")} is older than 1.10, where workload identity became the only Vault integration. Use hashicorp/nomad:1.10.0 or later.`,
        );
    }
    const vault = imageVersion(vaultImage);
    if (vault && vault.join(".") === "1.16.1") {
        problems.push(
            `${fq("vaultImage")}: Vault 1.16.1 rejects Nomad's JWKS ("unexpected signature algorithm"); use another version, such as the default ${CONFIG_KEYS.vaultImage.default}.`,
        );
    } else if (vault && (vault[0] < 1 || (vault[0] === 1 && vault[1] < 12))) {
        problems.push(`${fq("vaultImage")}: Vault ${vault.join(".")} is older than 1.12, the first version this flow supports.`);
    }
}

export function checkPorts(values: Values, problems: Problems): void {
    const owners = new Map<number, string>();
    const claim = (port: number, owner: string) => {
        const other = owners.get(port);
        if (other) {
            problems.push(`${owner}: port ${port} is already used by ${other}; give each port its own number.`);
        }
        owners.set(port, owner);
    };
    for (const key of PORT_KEYS) {
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

/** The duration of `key` in seconds; a problem when it is set but not a positive duration. */
export function durationOf(key: ConfigKey, text: string, problems: Problems): number | undefined {
    if (!text) {
        return undefined;
    }
    const seconds = parseDuration(text);
    if (seconds === undefined || seconds <= 0) {
        problems.push(`${fq(key)}: "${text}" is not a positive duration such as "30m" or "1h". Fix: pulumi config set ${key} 1h`);
        return undefined;
    }
    return seconds;
}

/** Checks `value` against `pattern` when it is set; `what` describes a valid value. */
export function checkPattern(key: ConfigKey, value: string, pattern: RegExp, what: string, problems: Problems): void {
    if (value && !pattern.test(value)) {
        problems.push(`${fq(key)}: "${value}" must be ${what}.`);
    }
}

export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function checkUrl(key: ConfigKey, value: string, problems: Problems): void {
    if (!value) {
        return;
    }
    try {
        const url = new URL(value);
        if (url.protocol !== "http:" && url.protocol !== "https:") {
            throw new Error(url.protocol);
        }
    } catch {
        problems.push(`${fq(key)}: "${value}" is not an http(s) URL such as https://vault.example.com:8200.`);
    }
}

export function checkPem(key: ConfigKey, value: string, problems: Problems): void {
    if (value && !/-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----/.test(value)) {
        problems.push(`${fq(key)}: not a PEM block (-----BEGIN …-----). Fix: pulumi config set ${key} -- "$(cat file.pem)"`);
    }
}

/** The PEM public keys in `text`, one string each. */
export function pemKeys(text: string): string[] {
    return text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
}

/** Seconds as a duration that parseDuration reads back: 1800 → "30m", 5400 → "1h30m", 0 → "0s". */
export function durationText(seconds: number): string {
    const units: Array<[number, string]> = [
        [3600, "h"],
        [60, "m"],
        [1, "s"],
    ];
    const parts = units.flatMap(([size, unit]) => {
        const amount = Math.floor(seconds / size);
        seconds -= amount * size;
        return amount > 0 ? [`${amount}${unit}`] : [];
    });
    return parts.join("") || "0s";
}
