// Time as Vault judges an identity: its own clock and the role's leeways, applied as
// hashicorp/cap jwt/jwt.go (validateAll) applies them for vault-plugin-auth-jwt.
import { vault } from "./clients";
import { json } from "./http";
import { Target } from "./types";

/**
 * Vault's clock in seconds, as the node that judges logins keeps it: sys/health's server_time_utc,
 * else its Date header, else this machine's. A standby forwards logins to the active node, and current
 * Vault's standby sends its own measure of the active node's clock against its own, clock_skew_ms;
 * that is added. An active node judges logins on its own clock.
 */
export async function vaultNow(t: Target): Promise<number> {
    const health = await vault(t, "sys/health", { anonymous: true });
    const body = json(health);
    if (body?.server_time_utc) {
        return body.server_time_utc + (body.standby === true && typeof body.clock_skew_ms === "number" ? body.clock_skew_ms / 1000 : 0);
    }
    // Stryker disable next-line StringLiteral: any text that is no date parses to NaN, as "" does
    return Date.parse(health.date ?? "") / 1000 || Date.now() / 1000;
}

export interface Leeways {
    readonly clockSkew: number;
    readonly expiration: number;
    readonly notBefore: number;
}

/** A role's leeways in seconds: 0 means the default (60, 150, 150), a negative value none. */
export function roleLeeways(role: Record<string, any>): Leeways {
    const leeway = (value: unknown, fallback: number) => (typeof value !== "number" || value === 0 ? fallback : Math.max(value, 0));
    return {
        clockSkew: leeway(role.clock_skew_leeway, 60),
        expiration: leeway(role.expiration_leeway, 150),
        notBefore: leeway(role.not_before_leeway, 150),
    };
}

/**
 * Why Vault, at `now`, refuses these claims' times; undefined when it accepts them. The expiration
 * and not-before leeways stand in for a missing exp or nbf only; the clock skew leeway widens all.
 */
export function timeRefusal(claims: { iat?: number; nbf?: number; exp?: number }, leeways: Leeways, now: number): string | undefined {
    const iat = claims.iat ?? 0;
    if (!iat && !claims.exp && !claims.nbf) {
        return "the identity has no iat, nbf or exp claim";
    }
    const exp = claims.exp || Math.max(iat, claims.nbf ?? 0) + leeways.expiration;
    const nbf = claims.nbf || iat || exp - leeways.notBefore;
    const skew = `clock_skew_leeway ${leeways.clockSkew}s`;
    if (now + leeways.clockSkew < nbf) {
        return `Vault's clock is ${Math.round(nbf - now)}s before nbf (${skew}; iat ${iat}, nbf ${nbf}, exp ${exp})`;
    }
    if (now - leeways.clockSkew > exp) {
        return `Vault's clock is ${Math.round(now - exp)}s after exp (${skew}; iat ${iat}, nbf ${nbf}, exp ${exp})`;
    }
    if (now + leeways.clockSkew < iat) {
        return `Vault's clock is ${Math.round(iat - now)}s before iat (${skew})`;
    }
    return undefined;
}
