// The Nomad agents against Vault: their Vault blocks, the audience and mount they use, and the
// keys they serve as Vault fetches them (../shared/reference/field-notes.md, part A).
import { OUTPUT } from "../program/outputs";
import { describe, heals, json } from "./http";
import { unservedLogins } from "./clientLogins";
import { probeIdentity } from "./identityChecks";
import { pairSource } from "./jwksPairs";
import { loginWith, refusedLogin, revoke } from "./login";
import { fail, pass, skip, warn } from "./outcome";
import { Check, Outcome, RunContext, Target } from "./types";
import { ClusterView } from "./viewTypes";

/** The kids of a key set, sorted and joined; "" for anything that is not one. */
const kids = (keys: unknown) =>
    Array.isArray(keys)
        ? keys
              .map((key: { kid?: string }) => key.kid)
              .sort()
              .join(", ")
        : "";

/** The servers' key sets, each as its kids, in the order of the agents. */
async function servedKids(view: ClusterView): Promise<Array<{ address: string; kids: string }>> {
    const servers = (await view.agents()).found.filter((a) => a.server);
    const replies = await Promise.all(servers.map((server) => view.jwks(server.address)));
    return servers.map((server, i) => ({ address: server.address, kids: kids(json(replies[i])?.keys) }));
}

const DIVERGED_CAUSE =
    'Servers disagree on their keyring: identities signed by some fail with "failed to verify id token signature", now and then.';
const DIVERGED_FIX = "Compare `nomad operator root keyring list` on every server; wait for replication, or rotate the key again.";

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
    return refusedLogin(t, context.view, jwt, login, "Vault refused the probe's login");
}

export const jwksFromVault: Check = {
    id: "jwks-from-vault",
    title: "Vault can fetch Nomad's JWKS from where it runs",
    needs: ["vault-health"],
    async run(t, context) {
        const config = await context.view.vault(`auth/${t.jwtPath}/config`);
        const pair = await pairSource(t, context.view, json(config)?.data ?? {});
        if (pair && "status" in pair) {
            return pair;
        }
        const jwksUrl: string | undefined = pair?.url ?? json(config)?.data?.jwks_url;
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
            // Vault's own fetch is out of reach from here, but the servers must still agree among themselves.
            const served = await servedKids(context.view);
            if (new Set(served.map((s) => s.kids)).size > 1) {
                return fail(
                    `servers serve different keys: ${served.map((s) => `${s.address} serves [${s.kids}]`).join("; ")}`,
                    DIVERGED_CAUSE,
                    DIVERGED_FIX,
                );
            }
            return jwksByLogin(t, context, jwksUrl);
        }
        const reply = await t.fetchFromVault(jwksUrl);
        const keys: unknown = json(reply)?.keys;
        // go-oidc takes a key set from a 200 only; an empty one is Nomad's before its keyring is up.
        const keySet = reply.status === 200 && Array.isArray(keys);
        if (keySet && keys.length > 0) {
            // Every server must serve the same keys, or identities signed by one fail on Vault.
            const served = await servedKids(context.view);
            const diverging = served.filter((s) => s.kids !== kids(keys));
            if (diverging.length) {
                return fail(
                    `Vault's JWKS has [${kids(keys)}]; ${diverging.map((s) => `${s.address} serves [${s.kids}]`).join("; ")}`,
                    DIVERGED_CAUSE,
                    DIVERGED_FIX,
                );
            }
            return pass(`${jwksUrl}: ${keys.length} key(s), the same on ${served.length} server(s)`);
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
                pair
                    ? `Put Nomad's CA in the jwks_ca_pem of the pair at ${jwksUrl} in auth/${t.jwtPath}/config's jwks_pairs, writing the other pairs back as they are.`
                    : 'Give Vault Nomad\'s CA as jwks_ca_pem: pulumi config set nomadCaPem -- "$(cat nomad-ca.pem)", then `npm run stack -- up`.',
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
    async run(t, context) {
        const { found, unreachable } = await context.view.agents();
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
    async run(t, { view }) {
        // The mount first: without it, the role's absence says nothing of its cause.
        const mounts = Object.keys(json(await view.vault("sys/auth"))?.data ?? {}).map((m) => m.replace(/\/$/, ""));
        const { found } = await view.agents();
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
        const role = await view.vault(`auth/${t.jwtPath}/role/${t.defaultRole}`);
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
        const unserved = await unservedLogins(view, found);
        if (unserved.length) {
            return fail(
                unserved.join("; "),
                'Those clients log their tasks in at that mount, where Vault refuses them with "role … could not be found" (or "missing role" when neither the task\'s vault.role, the client\'s vault.create_from_role nor the mount\'s default_role names one).',
                `Create the role at that mount (or set its config's default_role), or set those clients' vault.jwt_auth_backend_path to the mount that has it (${t.jwtPath}).`,
            );
        }
        return pass(`aud [${aud.join(", ")}] bound by ${t.defaultRole}; JWT path ${t.jwtPath}/ mounted`);
    },
};
