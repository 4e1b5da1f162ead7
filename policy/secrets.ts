// Secret values stay in the fields that hold them. (Policies see values with their secret marking
// removed, so the marking itself is checked by the program's tests; this rule checks the flow.)
import { StackValidationPolicy } from "@pulumi/policy";
import { knownPart } from "./known";

/** The fields that hold tokens and passwords, by resource type. */
const SECRET_FIELDS: Record<string, string[]> = {
    "pulumi:providers:vault": ["token"],
    "pulumi:providers:nomad": ["secretId"],
    "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
    "vault:kv/secretV2:SecretV2": ["dataJson", "data"],
    "vault:database/secretBackendConnection:SecretBackendConnection": ["mongodb.password"],
    "pulumi-nodejs:dynamic/vaultnomad:AclBootstrap": ["bootstrapSecret", "secretId"],
};

/** Where else a secret may be: the Vault dev server reads its root token from an uploaded file. */
const ALLOWED_FIELDS: Record<string, string[]> = {
    ...SECRET_FIELDS,
    "docker:index/container:Container": ["uploads.content"],
};

/** The value at a dotted `path` such as "mongodb.password"; undefined when a part is missing. */
const valueAt = (value: unknown, path: string): unknown => path.split(".").reduce((at: any, key) => at?.[key], value);

/** Every string under `value` with its path, skipping the allowed fields. */
function plainStrings(value: unknown, allowed?: string[], at = ""): Array<[string, string]> {
    if (typeof value === "string") {
        return [[at, value]];
    }
    // A list's items share its path; numbers, booleans and null hold no text (Object(null) is {}).
    const pathOf = (key: string) => (Array.isArray(value) ? at : at ? `${at}.${key}` : key);
    return Object.entries(Object(value))
        .filter(([key]) => !allowed?.includes(pathOf(key)))
        .flatMap(([key, v]) => plainStrings(v, allowed, pathOf(key)));
}

/**
 * The secrets a secret field holds: its text and, when that text is JSON (a KV secret's data_json),
 * every text in it; for a map (a KV secret's data), every text in the map.
 */
function secretsIn(value: unknown): string[] {
    let json: unknown;
    try {
        // A map's String() is no JSON.
        json = JSON.parse(String(value));
    } catch {
        // not JSON: the value alone
    }
    // Short values (ports, "true") would be found everywhere.
    return plainStrings([value, json])
        .map(([, text]) => text)
        .filter((text) => text.length >= 8);
}

export const secretsStayInSecretFields: StackValidationPolicy = {
    name: "secrets-stay-in-secret-fields",
    description:
        "Tokens and passwords appear only in the fields that hold them as secrets, never in names, commands, environments, jobspecs or policies.",
    validateStack: (args, reportViolation) => {
        const secrets = new Set<string>();
        for (const r of args.resources) {
            for (const field of SECRET_FIELDS[r.type] ?? []) {
                secretsIn(valueAt(knownPart(r.props), field)).forEach((v) => secrets.add(v));
            }
        }
        for (const r of args.resources) {
            for (const [field, text] of plainStrings(knownPart(r.props), ALLOWED_FIELDS[r.type])) {
                if ([...secrets].some((secret) => text.includes(secret))) {
                    reportViolation(
                        `${r.type} ${r.name}: ${field} contains a secret value; pass it through a secret field instead.`,
                        r.urn,
                    );
                }
            }
        }
    },
};
