// A login with the probe's identity, as a task's would be, and what Vault says of the JWT method.
import { decodeJwt, decodeProtectedHeader } from "jose";
import { vault } from "./clients";
import { json, Reply, vaultErrors } from "./http";
import { LoginContext } from "./loginRefusal";
import { Target } from "./types";

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
export async function jwtMethod(t: Target): Promise<{ config: Record<string, any>; role: Record<string, any>; roleReply: Reply }> {
    const roleReply = await vault(t, `auth/${t.jwtPath}/role/${t.defaultRole}`);
    const config = json(await vault(t, `auth/${t.jwtPath}/config`))?.data ?? {};
    return { config, role: json(roleReply)?.data ?? {}, roleReply };
}

/** What a refusal of this identity is read against. */
export async function loginContext(t: Target, jwt: string): Promise<LoginContext> {
    const { config, role } = await jwtMethod(t);
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
        jwksUrl: config.jwks_url,
        kid: safe(() => decodeProtectedHeader(jwt).kid),
        aud: [safe(() => decodeJwt(jwt).aud) ?? []].flat(),
        boundAudiences: role.bound_audiences ?? [],
    };
}
