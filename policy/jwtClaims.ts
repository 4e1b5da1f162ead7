// How Vault's JWT auth method judges a login's claims against a role, as hashicorp/vault-plugin-auth-jwt v0.26.3
// does it (claims.go, path_login.go, path_role.go, with hashicorp/cap v0.13.0 jwt/jwt.go as its token validator),
// and the texts Vault sends back in {"errors":[...]}.
import { asStoredByVault, formatE, formatV, GoValue, goEquals, JsonNumber } from "./goValues";
import { pointerGet } from "./jsonPointer";

/** A token's claims, decoded as Vault decodes them (numbers are float64: JS numbers). */
export type Claims = { readonly [name: string]: GoValue };

/** A JWT role as Vault's role read answers (field names as sent), with its name, which the read leaves out. */
export interface JwtRole {
    readonly name: string;
    /** "jwt" or "oidc"; Vault refuses JWT logins on "oidc" roles. */
    readonly role_type?: string;
    readonly bound_audiences?: readonly string[] | null;
    readonly bound_subject?: string;
    /** "string" (the default) or "glob". */
    readonly bound_claims_type?: string;
    readonly bound_claims?: { readonly [claim: string]: unknown } | null;
    readonly claim_mappings?: { readonly [claim: string]: string } | null;
    readonly user_claim: string;
    readonly user_claim_json_pointer?: boolean;
    readonly groups_claim?: string;
    /** Seconds; 0 means 150, a negative value none. Used only when the token has no exp. */
    readonly expiration_leeway?: number;
    /** Seconds; 0 means 150, a negative value none. Used only when the token has neither nbf nor iat. */
    readonly not_before_leeway?: number;
    /** Seconds; 0 means 60, a negative value none. */
    readonly clock_skew_leeway?: number;
}

/**
 * A claim by name (getClaim). A name starting with "/" is a JSON pointer into nested claims; any other name is a
 * top-level claim. A number comes back as the JsonNumber of its integer part, as the plugin converts float claims;
 * an absent, null or unreachable claim is undefined.
 */
export function getClaim(claims: Claims, name: string): GoValue {
    const value = name.startsWith("/") ? pointerGet(claims, name) : topLevel(claims, name);
    return typeof value === "number" ? new JsonNumber(BigInt(Math.trunc(value)).toString()) : (value ?? undefined);
}

function topLevel(claims: Claims, name: string): GoValue {
    return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/** A value as a list of values (normalizeList): a list as it is, one string, bool or JsonNumber as a list of one. */
export function normalizeList(raw: GoValue): GoValue[] | undefined {
    if (Array.isArray(raw)) return raw;
    return typeof raw === "string" || typeof raw === "boolean" || raw instanceof JsonNumber ? [raw] : undefined;
}

/** ryanuber/go-glob v1.0.0's Glob: `*` matches any run of characters, and nothing else is special. */
export function glob(pattern: string, subject: string): boolean {
    const parts = pattern.split("*");
    if (parts.length === 1) return subject === pattern;
    let rest = subject;
    for (const [i, part] of parts.slice(0, -1).entries()) {
        const at = rest.indexOf(part);
        if (i === 0 ? at !== 0 && !pattern.startsWith("*") : at < 0) return false;
        rest = rest.slice(at + part.length);
    }
    return pattern.endsWith("*") || rest.endsWith(parts[parts.length - 1]);
}

/** A bound claim the identity does not meet. */
export interface BoundClaimFailure {
    /** The bound claim as the role names it: a claim name or a JSON pointer. */
    readonly claim: string;
    /** The role's value or values for it, as Vault stores them. */
    readonly wants: GoValue;
    /** The identity's value; undefined when it lacks the claim. */
    readonly has: GoValue;
    /** The plugin's error; Vault sends it as "error validating claims: <error>". */
    readonly error: string;
}

/**
 * Every bound claim the identity fails (validateBoundClaims). Vault walks the bound claims in Go's random map order
 * and sends the first failure it meets, so with several failures it names any one of them.
 */
export function validateBoundClaims(
    boundClaimsType: string | undefined,
    boundClaims: { readonly [claim: string]: unknown } | null | undefined,
    claims: Claims,
): BoundClaimFailure[] {
    return Object.entries(boundClaims ?? {}).flatMap(([claim, wanted]) => {
        const wants = asStoredByVault(wanted);
        const has = getClaim(claims, claim);
        const error = boundClaimError(claim, wants, has, boundClaimsType === "glob");
        return error === undefined ? [] : [{ claim, wants, has, error }];
    });
}

function boundClaimError(claim: string, wants: GoValue, has: GoValue, useGlobs: boolean): string | undefined {
    if (has === undefined) return `claim ${JSON.stringify(claim)} is missing`;
    const actual = normalizeList(has);
    if (!actual) return `received claim is not a string, bool, int or list: ${formatV(has)}`;
    const expected = normalizeList(wants);
    if (!expected) return `bound claim is not a string, bool, int or list: ${formatV(wants)}`;
    const found = matchFound(expected, actual, useGlobs);
    if (found !== false) return found === true ? undefined : found;
    return `claim ${JSON.stringify(claim)} does not match any associated bound claim values`;
}

// true, false, or the plugin's error for a glob that is not a string. Its format string is "%expVal": %e, then "xpVal".
function matchFound(expected: GoValue[], actual: GoValue[], useGlobs: boolean): boolean | string {
    for (const want of expected) {
        for (const have of actual) {
            if (useGlobs && typeof want !== "string") return `received claim is not a glob string: ${formatE(want)}xpVal`;
            if (useGlobs ? typeof have === "string" && glob(want as string, have) : goEquals(have, want)) return true;
        }
    }
    return false;
}

const AUDIENCE_MISMATCH = "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience";
const AUDIENCE_UNBOUND = "audience claim found in JWT but no audiences bound to the role";

/**
 * The audience check of a login, with the text Vault sends, or undefined when it passes. With bound audiences,
 * any one of them in `aud` passes (cap's validator, since plugin 0.9). Without, a token that carries an audience
 * is refused when `strict`, as the login path always is (path_login.go).
 */
export function validateAudience(boundAudiences: readonly string[] | null | undefined, aud: GoValue, strict = true): string | undefined {
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (boundAudiences?.length) {
        return boundAudiences.some((bound) => audiences.includes(bound)) ? undefined : AUDIENCE_MISMATCH;
    }
    const carriesAudience = Array.isArray(aud) ? aud.length > 0 : typeof aud === "string" && aud !== "";
    return strict && carriesAudience ? AUDIENCE_UNBOUND : undefined;
}

/** A claim mapping whose claim is not a string. */
export interface MetadataFailure {
    readonly claim: string;
    readonly target: string;
    readonly has: GoValue;
    /** The text Vault sends, as it is. */
    readonly error: string;
}

/**
 * The alias metadata a role's claim_mappings produce (extractMetadata): an absent claim maps to nothing; a claim
 * that is not a string (a number included) fails the login. Vault walks the mappings in random order and names
 * the first failure it meets. Two claims mapped to one key cannot occur: Vault refuses such a role when it is
 * written (see claimMappingsErrors).
 */
export function extractMetadata(
    claimMappings: { readonly [claim: string]: string } | null | undefined,
    claims: Claims,
): { metadata: Record<string, string>; failures: MetadataFailure[] } {
    const metadata: Record<string, string> = {};
    const failures: MetadataFailure[] = [];
    for (const [claim, target] of Object.entries(claimMappings ?? {})) {
        const has = getClaim(claims, claim);
        if (typeof has === "string") {
            metadata[target] = has;
        } else if (has !== undefined) {
            failures.push({ claim, target, has, error: `error converting claim '${claim}' to string` });
        }
    }
    return { metadata, failures };
}

/** Why Vault refuses to write these claim_mappings on a role (path_role.go), one text per problem. */
export function claimMappingsErrors(claimMappings: { readonly [claim: string]: string } | null | undefined): string[] {
    const targets = Object.values(claimMappings ?? {});
    const reserved = targets.filter((target) => target === "role");
    const repeated = [...new Set(targets.filter((target, i) => targets.indexOf(target) !== i))];
    return [
        ...reserved.map((target) => `metadata key ${JSON.stringify(target)} is reserved and may not be a mapping destination`),
        ...repeated.map((target) => `multiple keys are mapped to metadata key ${JSON.stringify(target)}`),
    ];
}

/**
 * The entity alias name a login gets from the role's user_claim (createIdentity), or the text Vault refuses it with
 * and the value it found. Only with user_claim_json_pointer is a "/" name a pointer; without it, "/nomad_job_id" is
 * a claim of that name.
 */
export function aliasName(
    role: Pick<JwtRole, "user_claim" | "user_claim_json_pointer">,
    claims: Claims,
): { name: string } | { error: string; has: GoValue } {
    const has = role.user_claim_json_pointer ? getClaim(claims, role.user_claim) : (topLevel(claims, role.user_claim) ?? undefined);
    const quoted = JSON.stringify(role.user_claim);
    if (has === undefined) return { error: `claim ${quoted} not found in token`, has };
    return typeof has === "string" ? { name: has } : { error: `claim ${quoted} could not be converted to string`, has };
}
