// A workload identity's login against a JWT role, judged as Vault's login path does it, in its order
// (hashicorp/vault-plugin-auth-jwt v0.26.3 path_login.go pathLogin and createIdentity, after hashicorp/cap v0.13.0
// jwt/jwt.go Validate): every refusal, each with the text Vault sends.
import { formatV, GoValue } from "./goValues";
import {
    aliasName,
    Claims,
    extractMetadata,
    getClaim,
    JwtRole,
    MetadataFailure,
    normalizeList,
    validateAudience,
    validateBoundClaims,
} from "./jwtClaims";

/** The login path's checks, in the order it makes them. */
export type LoginCheck =
    | "bound_issuer"
    | "bound_subject"
    | "bound_audiences"
    | "token_times"
    | "user_claim"
    | "claim_mappings"
    | "groups_claim"
    | "bound_claims";

export interface LoginRefusal {
    readonly role: string;
    readonly check: LoginCheck;
    /** The claim concerned: a name, or a JSON pointer as the role writes it. */
    readonly claim: string;
    /** What the role wants of it. */
    readonly wants: GoValue;
    /** What the identity has; undefined when it lacks the claim. */
    readonly has: GoValue;
    /** The text Vault sends in {"errors":[...]} when this is the refusal it meets. */
    readonly vaultError: string;
    /** One sentence naming the role, the claim, both values and Vault's text. */
    readonly message: string;
}

export interface LoginContext {
    /** The mount's bound_issuer (its config, not the role's). */
    readonly boundIssuer?: string;
    /** Vault's clock, in Unix seconds: judge exp, nbf and iat too. Without it, times are not judged. */
    readonly now?: number;
}

export interface LoginJudgement {
    readonly admitted: boolean;
    /** Every refusal, in the order the login path checks; Vault stops at the first. */
    readonly refusals: readonly LoginRefusal[];
    /**
     * The text Vault answers with, or, when its first failing check walks a map (claim_mappings, bound_claims) and
     * several entries fail, the texts it may answer with: Go visits maps in random order.
     */
    readonly vaultSends: readonly string[];
    /** The entity alias of an admitted login: the user claim's value, and claim_mappings' metadata plus "role". */
    readonly alias?: { readonly name: string; readonly metadata: Readonly<Record<string, string>> };
}

const MAP_WALKS: readonly LoginCheck[] = ["claim_mappings", "bound_claims"];

/** A refusal before it is worded: `requirement` says what the role demands, after "role <name>". */
type Finding = Omit<LoginRefusal, "role" | "message"> & { readonly requirement: string };

/** The refusals Vault would send for these claims against this role, in the login path's order. */
export function judgeLogin(role: JwtRole, claims: Claims, context: LoginContext = {}): LoginJudgement {
    const name = aliasName(role, claims);
    const mapped = extractMetadata(role.claim_mappings, claims);
    const findings = [
        ...validatorFindings(role, claims, context),
        ...identityFindings(role, claims, name, mapped.failures),
        ...boundClaimFindings(role, claims),
    ];
    const refusals = findings.map(({ requirement, ...finding }): LoginRefusal => {
        const identity = finding.has === undefined ? "has no such claim" : `has ${evidence(finding.has)}`;
        const message = `role "${role.name}" ${requirement}, but the identity ${identity} (Vault: ${finding.vaultError})`;
        return { role: role.name, ...finding, message };
    });
    const first = refusals[0];
    const vaultSends = !first
        ? []
        : MAP_WALKS.includes(first.check)
          ? refusals.filter((r) => r.check === first.check).map((r) => r.vaultError)
          : [first.vaultError];
    const alias = !first && "name" in name ? { name: name.name, metadata: { ...mapped.metadata, role: role.name } } : undefined;
    return { admitted: !first, refusals, vaultSends, ...(alias && { alias }) };
}

// cap's errors reach the client behind this prefix.
const TOKEN = "error validating token: ";

// cap's validator: issuer, subject, a bound audience, then the token's times.
function validatorFindings(role: JwtRole, claims: Claims, context: LoginContext): Finding[] {
    const findings: Finding[] = [];
    const { boundIssuer } = context;
    if (boundIssuer && boundIssuer !== claims.iss) {
        const requirement = `is on a mount that binds the issuer ${evidence(boundIssuer)}`;
        findings.push({
            check: "bound_issuer",
            claim: "iss",
            wants: boundIssuer,
            has: claims.iss,
            vaultError: TOKEN + "invalid issuer (iss) claim",
            requirement,
        });
    }
    if (role.bound_subject && role.bound_subject !== claims.sub) {
        const requirement = `binds the subject ${evidence(role.bound_subject)}`;
        findings.push({
            check: "bound_subject",
            claim: "sub",
            wants: role.bound_subject,
            has: claims.sub,
            vaultError: TOKEN + "invalid subject (sub) claim",
            requirement,
        });
    }
    const audiences = [...(role.bound_audiences ?? [])];
    const audienceError = validateAudience(audiences, claims.aud);
    if (audienceError && audiences.length) {
        const requirement = `binds the audiences ${evidence(audiences)}`;
        findings.push({
            check: "bound_audiences",
            claim: "aud",
            wants: audiences,
            has: claims.aud,
            vaultError: audienceError,
            requirement,
        });
    }
    for (const t of timeRefusals(role, claims, context.now)) {
        findings.push({
            check: "token_times",
            claim: t.claim,
            wants: t.wants,
            has: claims[t.claim],
            vaultError: TOKEN + t.error,
            requirement: t.requirement,
        });
    }
    return findings;
}

// The login path after the validator: an audience the role does not bind, then createIdentity (user claim,
// claim mappings, groups).
function identityFindings(role: JwtRole, claims: Claims, name: ReturnType<typeof aliasName>, mappings: MetadataFailure[]): Finding[] {
    const findings: Finding[] = [];
    const audienceError = validateAudience(role.bound_audiences, claims.aud);
    if (audienceError && !role.bound_audiences?.length) {
        findings.push({
            check: "bound_audiences",
            claim: "aud",
            wants: [],
            has: claims.aud,
            vaultError: audienceError,
            requirement: "binds no audience",
        });
    }
    if ("error" in name) {
        const requirement = `names its aliases by the claim "${role.user_claim}"`;
        findings.push({
            check: "user_claim",
            claim: role.user_claim,
            wants: "a string",
            has: name.has,
            vaultError: name.error,
            requirement,
        });
    }
    for (const f of mappings) {
        const requirement = `maps the claim "${f.claim}" to metadata "${f.target}"`;
        findings.push({ check: "claim_mappings", claim: f.claim, wants: "a string", has: f.has, vaultError: f.error, requirement });
    }
    for (const [has, vaultError] of groupsRefusals(role, claims)) {
        const requirement = `reads groups from the claim "${role.groups_claim}"`;
        findings.push({
            check: "groups_claim",
            claim: role.groups_claim!,
            wants: "a string or a list of strings",
            has,
            vaultError,
            requirement,
        });
    }
    return findings;
}

function boundClaimFindings(role: JwtRole, claims: Claims): Finding[] {
    const kind = role.bound_claims_type === "glob" ? "glob " : "";
    return validateBoundClaims(role.bound_claims_type, role.bound_claims, claims).map((f) => ({
        check: "bound_claims",
        claim: f.claim,
        wants: f.wants,
        has: f.has,
        vaultError: `error validating claims: ${f.error}`,
        requirement: `binds the claim "${f.claim}" to ${kind}${evidence(f.wants)}`,
    }));
}

// fetchGroups and createIdentity, for a role with a groups_claim: [the identity's value, Vault's text].
function groupsRefusals(role: JwtRole, claims: Claims): Array<[GoValue, string]> {
    if (!role.groups_claim) return [];
    const quoted = JSON.stringify(role.groups_claim);
    const raw = getClaim(claims, role.groups_claim);
    if (raw === undefined) return [[raw, `failed to fetch groups: ${quoted} claim not found in token`]];
    const groups = normalizeList(raw);
    if (!groups) return [[raw, `${quoted} claim could not be converted to string list`]];
    const odd = groups.find((group) => typeof group !== "string");
    return odd === undefined ? [] : [[raw, `value ${formatV(odd)} in groups claim could not be parsed as string`]];
}

const DEFAULT_LEEWAY = 150;
const DEFAULT_CLOCK_SKEW = 60;

interface TimeRefusal {
    readonly claim: "exp" | "nbf" | "iat";
    readonly wants: string | undefined;
    readonly error: string;
    readonly requirement: string;
}

// cap's time checks. A missing exp is the later of iat and nbf plus expiration_leeway; a missing nbf is iat, or else
// exp minus not_before_leeway.
function timeRefusals(role: JwtRole, claims: Claims, now: number | undefined): TimeRefusal[] {
    if (now === undefined) return [];
    const iat = numericDate(claims.iat);
    const given = { exp: numericDate(claims.exp), nbf: numericDate(claims.nbf) };
    if (!iat && !given.exp && !given.nbf) {
        const error = "no issued at (iat), not before (nbf), or expiration time (exp) claims in token";
        return [{ claim: "exp", wants: undefined, error, requirement: "needs an iat, nbf or exp claim" }];
    }
    const exp = given.exp || Math.max(iat, given.nbf) + leeway(role.expiration_leeway, DEFAULT_LEEWAY);
    const nbf = given.nbf || iat || exp - leeway(role.not_before_leeway, DEFAULT_LEEWAY);
    const skew = leeway(role.clock_skew_leeway, DEFAULT_CLOCK_SKEW);
    const at = `at Vault's time ${now} with ${skew} s of clock skew leeway`;
    const refusals: TimeRefusal[] = [];
    if (now + skew < nbf) {
        const error = "invalid not before (nbf) claim: token not yet valid";
        refusals.push({ claim: "nbf", wants: `at most ${now + skew}`, error, requirement: `accepts tokens from ${nbf} on, ${at}` });
    }
    if (now - skew > exp) {
        const error = "invalid expiration time (exp) claim: token is expired";
        refusals.push({ claim: "exp", wants: `at least ${now - skew}`, error, requirement: `accepts tokens until ${exp}, ${at}` });
    }
    if (now + skew < iat) {
        const error = "invalid issued at (iat) claim: token issued in the future";
        refusals.push({ claim: "iat", wants: `at most ${now + skew}`, error, requirement: `accepts tokens issued by ${now + skew}` });
    }
    return refusals;
}

// A NumericDate: whole seconds, truncated; absent is 0.
function numericDate(value: GoValue): number {
    return typeof value === "number" ? Math.trunc(value) : 0;
}

// A role's leeway: 0 (or unset) means the default, a negative value none.
function leeway(seconds: number | undefined, fallback: number): number {
    return !seconds ? fallback : Math.max(seconds, 0);
}

/** A value as evidence in a message: JSON, with Vault's stored numbers as numbers. */
function evidence(value: GoValue): string {
    return JSON.stringify(value, (_key, inner) => (typeof inner === "bigint" ? Number(inner) : inner));
}
