// A JWT role as Vault means it, to compare what Vault reads back with what the stack declares.
// Vault is a Go server: maps come back with sorted keys, durations as integer seconds, and empty
// lists or maps as null or absent (vault-plugin-auth-jwt path_role.go, sdk/helper/tokenutil).

/** Role fields whose list Vault treats as a set: order and repeats mean nothing. */
const SET_FIELDS = new Set([
    "bound_audiences",
    "token_policies",
    "policies",
    "allowed_redirect_uris",
    "oidc_scopes",
    "token_bound_cidrs",
    "bound_cidrs",
]);

/** Role fields that are durations, read back as integer seconds. */
const DURATION_FIELDS = /(_ttl|_period|_leeway|^max_age)$/;

const isEmpty = (value: unknown) =>
    value === undefined ||
    value === null ||
    value === "" ||
    // An empty list or map: Object.keys of [] is empty too.
    (typeof value === "object" && Object.keys(value as object).length === 0);

/** Seconds of a Go duration ("30m", "1h30m", "90s"), a numeric string, or a number; undefined if none. */
export function durationSeconds(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value;
    }
    if (typeof value !== "string") {
        return undefined;
    }
    const text = value.trim();
    if (/^\d+$/.test(text)) {
        return Number(text);
    }
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
    if (!parts.length || parts.map((p) => p[0]).join("") !== text) {
        return undefined;
    }
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

/**
 * A value in canonical form: maps with sorted keys, set fields sorted and unique, durations in
 * seconds. A role field's name decides; the keys and entries inside a value ("") are no fields.
 */
function canonical(field: string, value: unknown): unknown {
    if (isEmpty(value)) {
        return null;
    }
    if (DURATION_FIELDS.test(field)) {
        return durationSeconds(value) ?? value;
    }
    if (Array.isArray(value)) {
        // Stryker disable next-line StringLiteral: an entry's "" names no role field, as would any other name that is none
        return SET_FIELDS.has(field) ? [...new Set(value.map(String))].sort() : value.map((v) => canonical("", v));
    }
    if (typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value as object)
                .sort()
                // Stryker disable next-line StringLiteral: a map's value is no role field, whatever name stands for it
                .map((key) => [key, canonical("", (value as Record<string, unknown>)[key])]),
        );
    }
    return value;
}

/** The value as evidence: JSON, maps with sorted keys, as Vault sends them. */
export const shown = (field: string, value: unknown) => (value === undefined ? "nothing" : JSON.stringify(canonical(field, value)));

/** The declared fields whose meaning differs from what Vault has. */
export function roleDrift(vaultRole: Record<string, unknown>, declared: Record<string, unknown>): string[] {
    return Object.entries(declared)
        .filter(([field, want]) => JSON.stringify(canonical(field, vaultRole[field])) !== JSON.stringify(canonical(field, want)))
        .map(([field]) => field);
}

/** Fields the stack leaves unset that narrow or cap logins when something else set them. */
const UNDECLARED_RESTRICTIONS = ["bound_subject", "bound_claims", "token_bound_cidrs", "token_num_uses", "token_max_ttl", "bound_cidrs"];

/** Restricting fields that Vault has set although the stack does not declare them (a partial role update left them). */
export function leftoverFields(vaultRole: Record<string, unknown>, declared: Record<string, unknown>): string[] {
    return UNDECLARED_RESTRICTIONS.filter((field) => !(field in declared) && !isEmpty(vaultRole[field]) && vaultRole[field] !== 0);
}
