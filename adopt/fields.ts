// Field by field: what Vault holds against what the program would write, by meaning (verify's
// roleMeaning: maps as maps, durations as seconds, set-like lists as sets, absent/null/[] alike).
// A field the program does not write must hold what Vault gives it when nobody sets it.
import { roleDrift } from "../verify/roleMeaning";

/** A field where the cluster holds something else than what the program would write. */
export interface Difference {
    readonly field: string;
    readonly vault: unknown;
    /** What the program writes; undefined for a field it leaves unset. */
    readonly program: unknown;
}

/**
 * What Vault gives the fields the program leaves unset, where that is not empty: a role's leeways and
 * bound_claims_type (vault-plugin-auth-jwt path_role.go: claimDefaultLeeway, jwt.DefaultLeeway,
 * boundClaimsTypeString), a JWT config's namespace_in_state (path_config.go; also the provider's default).
 */
export const VAULT_DEFAULTS: Record<string, unknown> = {
    bound_claims_type: "string",
    clock_skew_leeway: 60,
    expiration_leeway: 150,
    not_before_leeway: 150,
    namespace_in_state: true,
};

/** Nothing set: what Vault reads back for a field nobody wrote, whatever its type. */
const unset = (value: unknown) =>
    value === undefined ||
    value === null ||
    value === "" ||
    value === 0 ||
    value === false ||
    (typeof value === "object" && Object.keys(value as object).length === 0);

/** The fields of `vault` whose meaning differs from `declared`, or, where the program declares nothing, from what Vault gives them unset. */
export function differences(vault: Record<string, unknown>, declared: Record<string, unknown>): Difference[] {
    const drifted = roleDrift(vault, declared).map((field) => ({ field, vault: vault[field], program: declared[field] }));
    const leftover = Object.keys(vault)
        .filter((field) => !(field in declared))
        .filter((field) =>
            field in VAULT_DEFAULTS ? roleDrift(vault, { [field]: VAULT_DEFAULTS[field] }).length > 0 : !unset(vault[field]),
        )
        .map((field) => ({ field, vault: vault[field], program: undefined }));
    return [...drifted, ...leftover];
}

/** "token_max_ttl is 86400, the program writes nothing (Vault's default)" */
export function describeDifference(d: Difference): string {
    const shown = (value: unknown) => JSON.stringify(value ?? null);
    const program = d.program === undefined ? `leaves it unset (${shown(VAULT_DEFAULTS[d.field] ?? null)})` : `writes ${shown(d.program)}`;
    return `${d.field} is ${shown(d.vault)}, where the program ${program}`;
}
