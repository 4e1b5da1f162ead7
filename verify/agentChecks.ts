// The Nomad agents against Vault: their Vault blocks, the audience and mount they use, and the
// keys they serve as Vault fetches them (../shared/reference/field-notes.md, part A).
import { OUTPUT } from "../program/outputs";
import { nomad, nomadJwks, vault } from "./clients";
import { describe, heals, json } from "./http";
import { probeIdentity } from "./identityChecks";
import { loginWith, refusedLogin, revoke } from "./login";
import { fail, pass, skip, warn } from "./outcome";
import { Check, Outcome, RunContext, Target } from "./types";

interface AgentVault {
    readonly address: string;
    readonly server: boolean;
    readonly enabled: boolean;
    readonly audience: string[];
    readonly jwtPath?: string;
    /** The Vault Enterprise namespace the agent logs tasks in to ("" for none). */
    readonly namespace: string;
}

interface Member {
    readonly Name: string;
    readonly Addr: string;
    readonly Port: number;
    readonly Status: string;
}

/** A list the cluster gives (`/v1/agent/members`, `/v1/nodes`); one it cannot give is named in `unknown`, for the agents it hides. */
async function clusterList<T>(t: Target, path: string, items: (body: any) => unknown, unknown: string[]): Promise<T[]> {
    const reply = await nomad(t, path);
    const list = items(json(reply) ?? {});
    if (Array.isArray(list)) {
        return list;
    }
    unknown.push(`${path}: ${describe(reply)}`);
    return [];
}

/**
 * The HTTP addresses the cluster advertises: the stack's own agent, every ready client node's
 * HTTPAddr (only the full node from /v1/node/:id carries it, not the /v1/nodes stub), and the
 * servers that are also client nodes. A server that is no node advertises no HTTP address (its serf
 * tags carry RPC only, nomad/server.go): it is named as not reachable. Every serf member is a server
 * (Status.Members); a failed or departed one is no agent to check, nor is a node that is not ready.
 */
async function advertised(t: Target): Promise<{ addresses: string[]; unknown: string[] }> {
    const scheme = new URL(t.nomadAddress).protocol;
    const self = json(await nomad(t, "agent/self"));
    const unknown: string[] = [];
    const members = await clusterList<Member>(t, "agent/members", (body) => body.Members, unknown);
    const stubs = await clusterList<{ ID: string; Name: string; Status: string }>(t, "nodes", (body) => body, unknown);
    const nodes: Array<{ name: string; address: string }> = [];
    for (const stub of stubs.filter((n) => n.Status === "ready")) {
        const reply = await nomad(t, `node/${encodeURIComponent(stub.ID)}`);
        const httpAddr: string | undefined = json(reply)?.HTTPAddr;
        if (httpAddr) {
            nodes.push({ name: stub.Name, address: `${scheme}//${httpAddr}` });
        } else {
            unknown.push(`client ${stub.Name} (node ${stub.ID.slice(0, 8)}): ${describe(reply)}`);
        }
    }
    const selfName: string | undefined = self?.member.Name;
    for (const m of members) {
        if (m.Status === "alive" && m.Name !== selfName && !nodes.some((n) => m.Name.split(".")[0] === n.name)) {
            unknown.push(`server ${m.Name} (serf ${m.Addr}:${m.Port}): advertises no HTTP address`);
        }
    }
    return { addresses: [...new Set([t.nomadAddress, ...nodes.map((n) => n.address)])], unknown };
}

/** The default Vault block of an agent's config (/v1/agent/self): Nomad names an unnamed block "default"; before 1.7 there is no Vaults list. */
export function defaultVaultBlock(config: { Vaults?: Array<Record<string, any>> }): Record<string, any> | undefined {
    return config.Vaults?.find((v) => v.Name === "default");
}

/** Every agent of the cluster, as its /v1/agent/self describes its default Vault block. */
export async function agents(t: Target): Promise<{ found: AgentVault[]; unreachable: string[] }> {
    const { addresses, unknown } = await advertised(t);
    const found: AgentVault[] = [];
    const unreachable = [...unknown];
    for (const address of addresses) {
        const reply = await nomad(t, "agent/self", { address });
        const self = reply.status === 200 ? json(reply) : undefined;
        if (!self) {
            unreachable.push(`${address}: ${describe(reply)}`);
            continue;
        }
        const block = defaultVaultBlock(self.config) ?? {};
        found.push({
            address,
            server: !!self.config.Server.Enabled,
            enabled: !!block.Enabled,
            audience: block.DefaultIdentity?.Audience ?? [],
            jwtPath: block.JWTAuthBackendPath,
            namespace: block.Namespace,
        });
    }
    return { found, unreachable };
}

/**
 * Where verify cannot fetch from Vault's position, Vault's own login with a fresh identity is the
 * test: it succeeds only if Vault fetched the JWKS and found the signing key; its refusal says why not.
 */
async function jwksByLogin(t: Target, context: RunContext, jwksUrl: string): Promise<Outcome> {
    const jwt = await probeIdentity(t, context);
    if (typeof jwt !== "string") {
        return jwt.status === "skip"
            ? skip(`${jwksUrl}: Vault's network is not this machine's, and no probe identity to log in with`, jwt.runWith)
            : jwt;
    }
    const login = await loginWith(t, jwt);
    if (login.token) {
        await revoke(t, login.token);
        return pass(`${jwksUrl}: Vault verified a fresh identity with the keys it fetched (the probe's login succeeded)`);
    }
    return refusedLogin(t, jwt, login, "Vault refused the probe's login");
}

export const jwksFromVault: Check = {
    id: "jwks-from-vault",
    title: "Vault can fetch Nomad's JWKS from where it runs",
    needs: ["vault-health"],
    async run(t, context) {
        const config = await vault(t, `auth/${t.jwtPath}/config`);
        const jwksUrl: string | undefined = json(config)?.data?.jwks_url;
        const staticKeys: unknown = json(config)?.data?.jwt_validation_pubkeys;
        if (!jwksUrl && Array.isArray(staticKeys) && staticKeys.length) {
            // Vault fetches nothing; whether the keys are Nomad's current ones shows at the probe's login.
            return pass(`auth/${t.jwtPath}/config: ${staticKeys.length} static key(s) (jwt_validation_pubkeys), no JWKS to fetch`);
        }
        if (!jwksUrl) {
            return fail(
                `auth/${t.jwtPath}/config: ${describe(config)}`,
                `The JWT auth method at ${t.jwtPath}/ is missing or has no jwks_url.`,
                "npm run stack -- up",
            );
        }
        if (!t.fetchFromVault) {
            return jwksByLogin(t, context, jwksUrl);
        }
        const reply = await t.fetchFromVault(jwksUrl);
        const keys: unknown = json(reply)?.keys;
        // go-oidc takes a key set from a 200 only; an empty one is Nomad's before its keyring is up.
        const keySet = reply.status === 200 && Array.isArray(keys);
        if (keySet && keys.length > 0) {
            // Every server must serve the same keys, or identities signed by one fail on Vault.
            const kids = (k: unknown) =>
                Array.isArray(k)
                    ? k
                          .map((key: { kid?: string }) => key.kid)
                          .sort()
                          .join(", ")
                    : "";
            const servers = (await agents(t)).found.filter((a) => a.server);
            const diverging = [];
            for (const server of servers) {
                const served = kids(json(await nomadJwks(t, server.address))?.keys);
                if (served !== kids(keys)) {
                    diverging.push(`${server.address} serves [${served}]`);
                }
            }
            if (diverging.length) {
                return fail(
                    `Vault's JWKS has [${kids(keys)}]; ${diverging.join("; ")}`,
                    'Servers disagree on their keyring: identities signed by some fail with "failed to verify id token signature", now and then.',
                    "Compare `nomad operator root keyring list` on every server; wait for replication, or rotate the key again.",
                );
            }
            return pass(`${jwksUrl}: ${keys.length} key(s), the same on ${servers.length} server(s)`);
        }
        // Only a request that got no answer has an error (Reply.error).
        if (/CERTIFICATE_REQUIRED|certificate required/i.test(String(reply.error))) {
            return fail(
                `${jwksUrl} from Vault: ${describe(reply)}`,
                'Nomad requires a client certificate (tls.verify_https_client), and Vault\'s JWT method cannot present one: "tls: certificate required".',
                "Serve the JWKS where no client certificate is required (a proxy in front of Nomad), or give Vault static keys (jwtValidationPubkeys).",
            );
        }
        if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/.test(String(reply.error))) {
            return fail(
                `${jwksUrl} from Vault: ${describe(reply)}`,
                'Vault does not trust Nomad\'s certificate: "x509: certificate signed by unknown authority".',
                'Give Vault Nomad\'s CA as jwks_ca_pem: pulumi config set nomadCaPem -- "$(cat nomad-ca.pem)", then `npm run stack -- up`.',
            );
        }
        if (reply.status === 0) {
            return fail(
                `${jwksUrl} from Vault: ${describe(reply)}`,
                "Vault cannot reach Nomad at that address. From inside a container, localhost is the container itself.",
                "Point jwks_url at an address Vault's network reaches (here both containers use the host's network), then `npm run stack -- up`.",
                heals(reply),
            );
        }
        return fail(
            `${jwksUrl} from Vault: ${describe(reply)}`,
            reply.status === 404
                ? "Something answers at that address, but it serves no JWKS there: a wrong path or port."
                : "Nomad answers, but not with a key set.",
            "jwks_url must be <nomad address>/.well-known/jwks.json; check the port (nomadHttpPort) and run `npm run stack -- up`.",
            heals(reply) || keySet,
        );
    },
};

export const agentsCheck: Check = {
    id: "agents",
    title: "Every Nomad agent has Vault enabled, servers a default identity, all one audience",
    needs: ["nomad-token"],
    async run(t) {
        const { found, unreachable } = await agents(t);
        const disabled = found.filter((a) => !a.enabled).map((a) => a.address);
        const noIdentity = found.filter((a) => a.server && a.audience.length === 0).map((a) => a.address);
        // Servers sign the identities (default_identity is a server-only field); a client's is unused.
        const audiences = [...new Set(found.filter((a) => a.server).map((a) => [...a.audience].sort().join(",")))];
        if (disabled.length || noIdentity.length) {
            return fail(
                `vault disabled on [${disabled.join(", ")}]; no default_identity on servers [${noIdentity.join(", ")}]`,
                'Jobs fail with "Vault \\"default\\" not enabled but used in the job" on those agents.',
                `Add the vault block (npm run stack -- outputs: ${OUTPUT.nomadServerVaultConfig} / ${OUTPUT.nomadClientVaultConfig}) to every agent and restart it.`,
            );
        }
        const otherNamespace = found.filter((a) => a.namespace !== (t.vaultNamespace ?? ""));
        if (otherNamespace.length) {
            return fail(
                otherNamespace.map((a) => `${a.address}: vault.namespace "${a.namespace}"`).join("; ") +
                    `; the stack's is "${t.vaultNamespace ?? ""}"`,
                "Those agents log tasks in to another Vault namespace, where the JWT mount and role do not exist: logins fail there.",
                `Set vault.namespace = "${t.vaultNamespace ?? ""}" on every agent (or vaultNamespace to theirs) and restart them.`,
            );
        }
        if (audiences.length > 1) {
            return fail(
                `servers sign for different audiences: ${audiences.map((a) => `[${a}]`).join(" vs ")}`,
                "Identities signed by some servers are refused by the role; logins fail now and then.",
                "Give every server the same vault.default_identity.aud.",
            );
        }
        const seen = `${found.length} agent(s), aud [${audiences[0] ?? ""}]`;
        return unreachable.length
            ? warn(
                  `${seen}; not reached: ${unreachable.join(", ")}`,
                  "Some agents did not answer from here.",
                  "Check them by hand: nomad agent-info -address=…",
              )
            : pass(seen);
    },
};

export const audienceCheck: Check = {
    id: "audience",
    title: "Agents' audience and JWT path match the default role and a JWT mount",
    needs: ["vault-health", "nomad-token"],
    async run(t) {
        // The mount first: without it, the role's absence says nothing of its cause.
        const mounts = Object.keys(json(await vault(t, "sys/auth"))?.data ?? {}).map((m) => m.replace(/\/$/, ""));
        const { found } = await agents(t);
        const wrongPath = found.filter((a) => a.jwtPath && !mounts.includes(a.jwtPath));
        if (wrongPath.length || !mounts.includes(t.jwtPath)) {
            return fail(
                [
                    ...wrongPath.map((a) => `${a.address}: jwt_auth_backend_path "${a.jwtPath}"`),
                    ...(mounts.includes(t.jwtPath) ? [] : [`no auth mount ${t.jwtPath}/`]),
                ].join("; ") + `; Vault's auth mounts: ${mounts.join(", ")}`,
                'Those clients log tasks in at a path Vault does not serve ("no handler for route").',
                `Set vault.jwt_auth_backend_path to the JWT mount on every agent (${t.jwtPath}), or mount the JWT method where they log in.`,
            );
        }
        if (!t.defaultRole) {
            return fail(
                `auth/${t.jwtPath}/config has no default_role`,
                "Nomad logs a task without vault.role in with the mount's default role: with none, those logins fail.",
                `Set default_role on auth/${t.jwtPath}/config, or give every job a vault.role (and verify --role <name>).`,
            );
        }
        const role = await vault(t, `auth/${t.jwtPath}/role/${t.defaultRole}`);
        if (role.status !== 200) {
            return fail(
                `auth/${t.jwtPath}/role/${t.defaultRole}: ${describe(role)}`,
                `The role ${t.defaultRole} is missing: logins fail with "role could not be found".`,
                "npm run stack -- up",
            );
        }
        const bound: string[] = json(role).data.bound_audiences ?? [];
        // Identities carry the signing server's audiences; Vault takes one that any of them matches.
        const aud = [...new Set(found.filter((a) => a.server).flatMap((a) => a.audience))];
        if (!aud.some((a) => bound.includes(a))) {
            return fail(
                `agent default_identity.aud [${aud.join(", ")}], role ${t.defaultRole} bound_audiences [${bound.join(", ")}]`,
                'Logins fail with "audience claim does not match any expected audience" (older Vault: "aud claim does not match any bound audience"): the agent and the role disagree.',
                "Set the same audience on both: pulumi config set audience <aud>, then `npm run stack -- up`.",
            );
        }
        return pass(`aud [${aud.join(", ")}] bound by ${t.defaultRole}; JWT path ${t.jwtPath}/ mounted`);
    },
};
