// A real workload identity, from the probe task, and the login it makes.
import { Check, Target } from "./checks";
import { vault } from "./clients";
import { describe, json, request } from "./http";
import { decodeJwt, signatureValid } from "./jwt";
import { fail, pass, skip } from "./outcome";

/** The probe's identity, taken once per run and shared by the checks that need it. */
const probes = new WeakMap<Target, Promise<string | undefined>>();
export const probeJwt = (t: Target) => {
    if (!probes.has(t)) {
        probes.set(t, t.probeJwt ? t.probeJwt() : Promise.resolve(undefined));
    }
    return probes.get(t)!;
};

export const identityCheck: Check = {
    id: "identity",
    title: "A real workload identity: signed by a served key, the right audience, valid on Vault's clock",
    needs: ["jwks-from-vault"],
    async run(t) {
        const jwt = await probeJwt(t);
        if (!jwt) {
            return skip("no probe identity (npm run stack -- verify --probe runs a short probe job to get one)");
        }
        const decoded = decodeJwt(jwt);
        if (!decoded) {
            return fail("the probe's identity is not a JWT", "The probe job printed something else.", "Check the probe job's logs.");
        }
        const config = json(await vault(t, `auth/${t.jwtPath}/config`))?.data ?? {};
        const keys: Array<{ kid?: string }> = json(await request(config.jwks_url, { ca: config.jwks_ca_pem || t.nomadCaPem }))?.keys ?? [];
        const key = keys.find((k) => k.kid === decoded.header.kid);
        if (!key) {
            return fail(
                `kid ${decoded.header.kid} is not among the JWKS's [${keys.map((k) => k.kid).join(", ")}]`,
                'Vault answers "failed to verify id token signature": the signing key is not served (diverged keyring, or a key not yet propagated after rotation).',
                "Compare `nomad operator root keyring list` on every server with the JWKS; wait for propagation, or rotate again.",
            );
        }
        if (!signatureValid(decoded, key as never)) {
            return fail(
                `signature does not verify with key ${key.kid}`,
                "The identity and the served key disagree.",
                "Rotate Nomad's keyring and re-run the probe.",
            );
        }
        const bound: string[] = json(await vault(t, `auth/${t.jwtPath}/role/${t.defaultRole}`))?.data?.bound_audiences ?? [];
        const aud: string[] = [decoded.payload.aud].flat();
        if (!aud.some((a) => bound.includes(a))) {
            return fail(
                `aud [${aud.join(", ")}], role bound_audiences [${bound.join(", ")}]`,
                'Login fails with "aud claim does not match any bound audience".',
                "Align the job's identity aud with the role.",
            );
        }
        const health = await vault(t, "sys/health", { anonymous: true });
        // Vault judges exp and nbf by its own clock: its Date header, where it sends one.
        const vaultNow = Date.parse(health.date ?? "") / 1000 || Date.now() / 1000;
        const { iat = 0, nbf = iat, exp = Infinity } = decoded.payload;
        const leeway = 60;
        if (vaultNow + leeway < nbf || vaultNow - leeway > exp) {
            const skew = Math.round(vaultNow < nbf ? nbf - vaultNow : vaultNow - exp);
            return fail(
                `Vault's clock is ${skew}s ${vaultNow < nbf ? "before nbf" : "after exp"} (iat ${iat}, nbf ${nbf}, exp ${exp})`,
                'Vault refuses it: "token is expired (exp)" or "token is not yet valid": clocks differ between hosts, or the identity outlived its TTL.',
                "Sync the hosts' clocks (chrony/NTP); check identityTtl.",
            );
        }
        const missing = ["nomad_namespace", "nomad_job_id", "nomad_task"].filter((claim) => !decoded.payload[claim]);
        if (missing.length) {
            return fail(
                `claims missing: ${missing.join(", ")}`,
                "The role's claim_mappings read claims this identity lacks.",
                "Use a task identity (not the default Nomad identity).",
            );
        }
        return pass(
            `kid ${key.kid} (${decoded.header.alg}), aud [${aud.join(", ")}], ${Math.round((exp - vaultNow) / 60)} min left on Vault's clock`,
        );
    },
};

export const loginCheck: Check = {
    id: "login-and-role",
    title: "The identity logs in; the token is periodic; the role matches what the stack declares",
    needs: ["identity"],
    async run(t) {
        const role = json(await vault(t, `auth/${t.jwtPath}/role/${t.defaultRole}`))?.data ?? {};
        const drift = Object.entries(t.declaredRole ?? {}).filter(([field, want]) => JSON.stringify(role[field]) !== JSON.stringify(want));
        if (drift.length) {
            return fail(
                drift
                    .map(
                        ([field, want]) => `${field}: Vault has ${JSON.stringify(role[field])}, the stack declares ${JSON.stringify(want)}`,
                    )
                    .join("; "),
                "The role was changed outside the stack, or a role update did not overwrite every field.",
                "npm run stack -- refresh, then up, to write the declared role back.",
            );
        }
        const login = await vault(t, `auth/${t.jwtPath}/login`, {
            method: "POST",
            anonymous: true,
            body: { role: t.defaultRole, jwt: await probeJwt(t) },
        });
        const token: string | undefined = json(login)?.auth?.client_token;
        if (!token) {
            return fail(
                `login: ${describe(login)}`,
                "Vault refused the probe's identity; its message says why.",
                "See the identity check, and the role's bound claims.",
            );
        }
        const lookup = json(await vault(t, "auth/token/lookup-self", { token }))?.data ?? {};
        await vault(t, "auth/token/revoke-self", { method: "POST", token });
        if (!lookup.period || lookup.explicit_max_ttl) {
            return fail(
                `token period ${lookup.period ?? 0}s, explicit_max_ttl ${lookup.explicit_max_ttl ?? 0}s`,
                'Tokens that are not periodic, or capped, expire mid-task: "failed to renew the vault token … lease expired".',
                "token_period set and token_explicit_max_ttl 0 on the role (the policy pack enforces both).",
            );
        }
        return pass(
            `logged in as ${t.defaultRole}: period ${lookup.period}s, policies [${(lookup.policies ?? []).join(", ")}]; token revoked`,
        );
    },
};
