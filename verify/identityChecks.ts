// A real workload identity, from the probe step, and the login it makes.
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, JSONWebKeySet } from "jose";
import { nomadTls, vault } from "./clients";
import { describe, heals, json, Reply, request } from "./http";
import { pairSource } from "./jwksPairs";
import { jwtMethod, loginWith, refusedLogin, revoke } from "./login";
import { fail, pass, skip } from "./outcome";
import { leftoverFields, roleDrift, shown } from "./roleMeaning";
import { Check, Outcome, RunContext, Target } from "./types";
import { ClusterView } from "./viewTypes";
import { roleLeeways, timeRefusal, vaultNow } from "./vaultClock";

export const NO_PROBE = "verify --probe (runs a short probe job for a real identity)";

/** The probe's identity, or the outcome that stands for its absence: a skip without --probe, a failure with its cause. */
export async function probeIdentity(t: Target, context: RunContext): Promise<string | Outcome> {
    if (!context.probe) {
        return skip("no probe identity", NO_PROBE);
    }
    if (!t.nomadToken) {
        return skip("no Nomad token to run the probe job with", "NOMAD_TOKEN=<management token> in the environment");
    }
    const got = await context.probe.identity();
    return got.jwt ?? fail(got.error, got.cause, got.fix);
}

/**
 * The key set the identity is checked against, and where it came from: the config's jwks_url (or this
 * cluster's pair of its jwks_pairs), with Vault's CA for it, else the stack's Nomad. A config of static keys has jwks_url "", which fetches
 * nothing: the identity is then held against Nomad's keys, which the static ones should be.
 */
async function keySet(
    t: Target,
    view: ClusterView,
    config: Record<string, any>,
): Promise<{ jwks: JSONWebKeySet; from: string } | undefined> {
    const pair = await pairSource(t, view, config);
    const { url, ca } = pair && "url" in pair ? pair : { url: config.jwks_url, ca: config.jwks_ca_pem };
    const tls = { ...nomadTls(t), ...(ca ? { ca } : {}) };
    const sources: Array<[string, () => Promise<Reply>]> = [
        [url, () => request(url, tls)],
        [`${t.nomadAddress}/.well-known/jwks.json`, () => view.jwks(t.nomadAddress)],
    ];
    for (const [from, fetchKeys] of sources) {
        const keys = json(await fetchKeys())?.keys;
        if (Array.isArray(keys) && keys.length) {
            return { jwks: { keys }, from };
        }
    }
    return undefined;
}

export const identityCheck: Check = {
    id: "identity",
    title: "A real workload identity: signed by a served key, the right audience, valid on Vault's clock",
    needs: ["jwks-from-vault"],
    async run(t, context) {
        const jwt = await probeIdentity(t, context);
        if (typeof jwt !== "string") {
            return jwt;
        }
        let header, claims;
        try {
            [header, claims] = [decodeProtectedHeader(jwt), decodeJwt(jwt)];
        } catch {
            return fail(
                `the probe printed ${jwt.slice(0, 40)}…, not a JWT`,
                "The probe job printed something else.",
                "Check the probe job's logs.",
            );
        }
        const { config, role, roleReply } = await jwtMethod(t, context.view);
        if (roleReply.status !== 200) {
            return fail(
                `auth/${t.jwtPath}/role/${t.defaultRole}: ${describe(roleReply)}`,
                `The role ${t.defaultRole} is missing: logins fail with "role could not be found".`,
                "npm run stack -- up",
                heals(roleReply),
            );
        }
        const now = await vaultNow(t);
        const leeways = roleLeeways(role);
        const keys = await keySet(t, context.view, config);
        if (keys) {
            try {
                // Signature and key only: times are judged below, as Vault judges them.
                await compactVerify(jwt, createLocalJWKSet(keys.jwks));
            } catch (err) {
                return signatureFailure(err, header.kid, keys.jwks, keys.from);
            }
        }
        const bound: string[] = role.bound_audiences ?? [];
        const aud: string[] = [claims.aud ?? []].flat();
        if (!aud.some((a) => bound.includes(a))) {
            return fail(
                `aud [${aud.join(", ")}], role ${t.defaultRole} bound_audiences [${bound.join(", ")}]`,
                bound.length
                    ? 'Vault refuses the login: "invalid audience (aud) claim: audience claim does not match any expected audience".'
                    : 'Vault refuses the login: "audience claim found in JWT but no audiences bound to the role".',
                "Align the job's identity aud with the role.",
            );
        }
        const late = timeRefusal(claims, leeways, now);
        const skew = clockSkew(now);
        if (late) {
            return fail(
                `${late}; ${skew}`,
                'Vault refuses it: "token is expired" or "token not yet valid": clocks differ between hosts by more than the role\'s clock_skew_leeway, or the identity outlived its TTL.',
                "Sync the hosts' clocks (chrony/NTP); check identityTtl; or raise the role's clock_skew_leeway.",
            );
        }
        const missing = ["nomad_namespace", "nomad_job_id", "nomad_task"].filter((claim) => !claims[claim]);
        if (missing.length) {
            return fail(
                `claims missing: ${missing.join(", ")}`,
                "The role's claim_mappings read claims this identity lacks.",
                "Use a task identity (not the default Nomad identity).",
            );
        }
        const signature = keys
            ? `kid ${header.kid} (${header.alg})`
            : `kid ${header.kid} (${header.alg}; JWKS not reachable from here, the login checks it)`;
        const left = claims.exp ? `${Math.round((claims.exp - now) / 60)} min left on Vault's clock` : "no exp";
        return pass(`${signature}, aud [${aud.join(", ")}], ${left}; ${skew}`);
    },
};

/** Vault's clock against this machine's, to the second (server_time_utc has whole seconds). */
function clockSkew(vaultSeconds: number): string {
    const ahead = Math.round(vaultSeconds - Math.floor(Date.now() / 1000));
    return Math.abs(ahead) <= 1
        ? "Vault's clock agrees with this machine's"
        : `Vault's clock is ${Math.abs(ahead)}s ${ahead > 0 ? "ahead of" : "behind"} this machine's`;
}

function signatureFailure(err: unknown, kid: string | undefined, jwks: JSONWebKeySet, from: string): Outcome {
    const served = jwks.keys.map((k) => k.kid).join(", ");
    if (err instanceof errors.JWKSNoMatchingKey) {
        return fail(
            `kid ${kid} is not among the JWKS's [${served}] (${from})`,
            'Vault answers "failed to verify id token signature": the signing key is not served (diverged keyring, or a key not yet propagated after rotation).',
            "Compare `nomad operator root keyring list` on every server with the JWKS; wait for propagation, or rotate again.",
        );
    }
    return fail(
        `the identity does not verify with key ${kid} of ${from}: ${(err as Error).message}`,
        "The identity and the served key disagree.",
        "Rotate Nomad's keyring and re-run the probe.",
    );
}

/** In cluster mode without --expect: a line that says drift was not checked, and what would check it. */
export const declaredStateCheck: Check = {
    id: "declared-state",
    title: "The role against a declared state (drift)",
    needs: [],
    withoutDeclaredState: true,
    async run() {
        return skip(
            "no declared state: drift of the role is not checked",
            "--expect role.json (the role as you declared it, in Vault's field names), or verify a stack of this program",
        );
    },
};

export const loginCheck: Check = {
    id: "login-and-role",
    title: "The identity logs in; the token is periodic; the role matches what the stack declares",
    needs: ["identity"],
    async run(t, context) {
        // The identity check, which this one needs, has found the role: here it is compared.
        const { role } = await jwtMethod(t, context.view);
        const drift = t.declaredRole
            ? driftFrom(role, t.declaredRole, t.source === "cluster" ? "--expect declares" : "the stack declares")
            : [];
        if (drift.length) {
            return fail(
                drift.join("; "),
                "The role was changed outside the stack, or a role update did not overwrite every field.",
                "npm run stack -- refresh, then up, to write the declared role back.",
            );
        }
        const jwt = await probeIdentity(t, context);
        if (typeof jwt !== "string") {
            return jwt;
        }
        const login = await loginWith(t, jwt);
        if (!login.token) {
            // The identity check passed: this machine's fetch of the JWKS has the identity's kid.
            return refusedLogin(t, context.view, jwt, login, "login", { kidServedHere: true });
        }
        const lookupReply = await vault(t, "auth/token/lookup-self", { token: login.token });
        await revoke(t, login.token);
        const lookup = json(lookupReply)?.data;
        if (!lookup) {
            return fail(
                `auth/token/lookup-self: ${describe(lookupReply)}`,
                "Vault logged the probe in, but did not answer the lookup of its token: its period is unknown.",
                "Run verify again; if it persists, Vault's server log says why the lookup failed.",
                heals(lookupReply),
            );
        }
        if (!lookup.period || lookup.explicit_max_ttl) {
            return fail(
                `token period ${lookup.period ?? 0}s, explicit_max_ttl ${lookup.explicit_max_ttl}s`,
                'Tokens that are not periodic, or capped, expire mid-task: "failed to renew the vault token … lease expired".',
                "token_period set and token_explicit_max_ttl 0 on the role (the policy pack enforces both).",
            );
        }
        return pass(`logged in as ${t.defaultRole}: period ${lookup.period}s, policies [${lookup.policies.join(", ")}]; token revoked`);
    },
};

/** Each field where Vault's role differs from the declared one, or restricts what the declared one leaves unset. */
function driftFrom(role: Record<string, unknown>, declared: Record<string, unknown>, declarer: string): string[] {
    return [
        ...roleDrift(role, declared).map(
            (field) => `${field}: Vault has ${shown(field, role[field])}, ${declarer} ${shown(field, declared[field])}`,
        ),
        ...leftoverFields(role, declared).map((field) => `${field}: Vault has ${shown(field, role[field])}, ${declarer} none`),
    ];
}
