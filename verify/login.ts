// A login with the probe's identity, as a task's would be, and what Vault says of the JWT method.
import { decodeJwt, decodeProtectedHeader } from "jose";
import { vault } from "./clients";
import { describe, heals, json, Reply, vaultErrors } from "./http";
import { diagnoseRefusal, LoginContext } from "./loginRefusal";
import { fail } from "./outcome";
import { Outcome, Target } from "./types";
import { ClusterView } from "./viewTypes";

export interface Login {
    readonly reply: Reply;
    /** The token Vault issued, revoked by `revoke`; undefined when refused. */
    readonly token?: string;
    /** Vault's refusal, joined from its errors. */
    readonly refusal: string;
}

export async function loginWith(t: Target, jwt: string, role = t.defaultRole): Promise<Login> {
    const reply = await vault(t, `auth/${t.jwtPath}/login`, { method: "POST", anonymous: true, body: { role, jwt } });
    const token: string | undefined = json(reply)?.auth?.client_token;
    return { reply, token, refusal: token ? "" : vaultErrors(reply) };
}

export const revoke = (t: Target, token: string) => vault(t, "auth/token/revoke-self", { method: "POST", token });

/** The JWT method's config and the default role, as `data`; empty objects where Vault has none. */
export async function jwtMethod(
    t: Target,
    view: ClusterView,
): Promise<{ config: Record<string, any>; role: Record<string, any>; roleReply: Reply }> {
    const [roleReply, configReply] = await Promise.all([
        view.vault(`auth/${t.jwtPath}/role/${t.defaultRole}`),
        view.vault(`auth/${t.jwtPath}/config`),
    ]);
    return { config: json(configReply)?.data ?? {}, role: json(roleReply)?.data ?? {}, roleReply };
}

/** What a refusal of this identity is read against. */
export async function loginContext(t: Target, view: ClusterView, jwt: string): Promise<LoginContext> {
    const { config, role } = await jwtMethod(t, view);
    const safe = <T>(read: () => T): T | undefined => {
        try {
            return read();
        } catch {
            return undefined;
        }
    };
    return {
        jwtPath: t.jwtPath,
        role: t.defaultRole,
        jwksUrl: config.jwks_url || undefined,
        kid: safe(() => decodeProtectedHeader(jwt).kid),
        aud: [safe(() => decodeJwt(jwt).aud) ?? []].flat(),
        boundAudiences: role.bound_audiences ?? [],
    };
}

/**
 * A refused login as a failed check: `label` and Vault's answer (or that none came), the cause read
 * from the refusal, and its fix; `known` adds what the caller knows of the identity.
 */
export async function refusedLogin(
    t: Target,
    view: ClusterView,
    jwt: string,
    login: Login,
    label: string,
    known: Partial<LoginContext> = {},
): Promise<Outcome> {
    const diagnosis = diagnoseRefusal(login.refusal, { ...(await loginContext(t, view, jwt)), ...known });
    const refusal = login.reply.status === 0 ? describe(login.reply) : `HTTP ${login.reply.status} ${login.refusal}`;
    return fail(`${label}: ${refusal}`, diagnosis.cause, diagnosis.fix, heals(login.reply));
}
