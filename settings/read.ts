// Reading the raw stack config: every key typed, defaults filled in, unknown and plaintext-secret keys refused.
import { Values } from "./checks";
import { CONFIG_KEYS, ConfigKey, fq, KeySpec, PROJECT } from "./keys";
import { CLUSTERS_KEY } from "./clusters";
import { NAMESPACES_KEY } from "./namespaces";
import { WORKLOADS_KEY } from "./workloads";

/** Keys of structured config, read by their own modules rather than from CONFIG_KEYS. */
const STRUCTURED_KEYS = [WORKLOADS_KEY, NAMESPACES_KEY, CLUSTERS_KEY];

/**
 * Pulumi.yaml cannot declare these keys `secret: true`: the CLI then refuses a plaintext default,
 * and a key without a default is required in every stack, demo stacks included. So the check is ours.
 */
export function refusePlaintextSecrets(raw: Record<string, string>, setAsSecret: (fullKey: string) => boolean, problems: string[]): void {
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as Array<[ConfigKey, KeySpec]>) {
        if (spec.secret && raw[fq(key)] && !setAsSecret(fq(key))) {
            problems.push(
                `${fq(key)} is stored in plain text in the stack's config. Fix: pulumi config set --secret ${key} (it prompts for the value), which encrypts it.`,
            );
        }
    }
}

export function readKeys(raw: Record<string, string>, problems: string[]): { values: Values; explicit: ConfigKey[] } {
    const known = Object.keys(CONFIG_KEYS) as ConfigKey[];
    for (const fullKey of Object.keys(raw)) {
        const [namespace, key] = fullKey.split(":", 2);
        if (namespace === PROJECT && !(known as string[]).includes(key) && !STRUCTURED_KEYS.includes(key)) {
            const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
            problems.push(`${fullKey}: unknown key${near ? `; did you mean ${fq(near)}?` : ""}. Fix: pulumi config rm ${key}`);
        }
    }
    const values = {} as Values;
    const explicit: ConfigKey[] = [];
    for (const key of known) {
        const spec: KeySpec = CONFIG_KEYS[key];
        const value = raw[fq(key)];
        if (value === undefined || value === String(spec.default)) {
            // A key left at its default (as Pulumi.yaml's defaults fill in) says nothing, not even its mode.
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
            values[key] = spec.verbatim ? value : value.trim();
            if (values[key] === "" && spec.default !== "") {
                problems.push(`${fq(key)}: must not be empty. Fix: pulumi config set ${key} ${spec.default}`);
            }
        }
    }
    return { values, explicit };
}
