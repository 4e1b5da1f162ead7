// The workload-identity login chain, as a Nomad task walks it: agents → audience and mount →
// a real identity → login → policy → capabilities. Each failure names the cause users hit
// (../shared/reference/field-notes.md, part A).
import { Check, Outcome, Target } from "./checks";
import { nomad, nomadJwks, vault } from "./clients";
import { describe, json, request } from "./http";
import { decodeJwt, signatureValid } from "./jwt";

const pass = (evidence: string): Outcome => ({ status: "pass", evidence });
const warn = (evidence: string, cause: string, fix: string): Outcome => ({ status: "warn", evidence, cause, fix });
const fail = (evidence: string, cause: string, fix: string): Outcome => ({ status: "fail", evidence, cause, fix });
const skip = (evidence: string): Outcome => ({ status: "skip", evidence });

interface AgentVault {
    readonly address: string;
    readonly server: boolean;
    readonly enabled: boolean;
    readonly audience: string[];
    readonly jwtPath?: string;
}

/** Every agent of the cluster, as its /v1/agent/self describes its default Vault block. */
async function agents(t: Target): Promise<{ found: AgentVault[]; unreachable: string[] }> {
    const scheme = new URL(t.nomadAddress).protocol;
    const port = new URL(t.nomadAddress).port;
    const members =
        json<{ Members?: Array<{ Addr: string; Status: string }> }>(await nomad(t, "agent/members", t.nomadAddress))?.Members ?? [];
    const nodes = json<Array<{ HTTPAddr?: string; Status: string }>>(await nomad(t, "nodes", t.nomadAddress)) ?? [];
    const addresses = new Set([
        t.nomadAddress,
        ...members.filter((m) => m.Status === "alive").map((m) => `${scheme}//${m.Addr}:${port}`),
        ...nodes.filter((n) => n.Status === "ready" && n.HTTPAddr).map((n) => `${scheme}//${n.HTTPAddr}`),
    ]);
    const found: AgentVault[] = [];
    const unreachable: string[] = [];
    for (const address of addresses) {
        const self = json(await nomad(t, "agent/self", address));
        if (!self) {
            unreachable.push(address);
            continue;
        }
        const block = (self.config?.Vaults ?? []).find((v: { Name?: string }) => (v.Name ?? "default") === "default") ?? {};
        found.push({
            address,
            server: !!self.config?.Server?.Enabled,
            enabled: !!block.Enabled,
            audience: block.DefaultIdentity?.Audience ?? [],
            jwtPath: block.JWTAuthBackendPath,
        });
    }
    return { found, unreachable };
}

export const jwksFromVault: Check = {
    id: "jwks-from-vault",
    title: "Vault can fetch Nomad's JWKS from where it runs",
    needs: ["vault-health"],
    async run(t) {
        const config = await vault(t, `auth/${t.jwtPath}/config`);
        const jwksUrl: string | undefined = json(config)?.data?.jwks_url;
        if (!jwksUrl) {
            return fail(
                `auth/${t.jwtPath}/config: ${describe(config)}`,
                `The JWT auth method at ${t.jwtPath}/ is missing or has no jwks_url.`,
                "npm run stack -- up",
            );
        }
        if (!t.fetchFromVault) {
            return {
                status: "skip",
                evidence: `${jwksUrl}: Vault's network is not this machine's; check Vault's logs, or run verify where Vault runs`,
            };
        }
        const reply = await t.fetchFromVault(jwksUrl);
        const keys: unknown[] | undefined = json(reply)?.keys;
        if (reply.status === 200 && Array.isArray(keys) && keys.length > 0) {
            // Every server must serve the same keys, or identities signed by one fail on Vault.
            const kids = (k: unknown[] | undefined) =>
                ((k ?? []) as Array<{ kid?: string }>)
                    .map((key) => key.kid)
                    .sort()
                    .join(", ");
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
        if (reply.status === 0) {
            return fail(
                `${jwksUrl} from Vault: ${describe(reply)}`,
                "Vault cannot reach Nomad at that address. From inside a container, localhost is the container itself.",
                "Point jwks_url at an address Vault's network reaches (here both containers use the host's network), then `npm run stack -- up`.",
            );
        }
        return fail(
            `${jwksUrl} from Vault: ${describe(reply)}`,
            reply.status === 404
                ? "Something answers at that address, but it serves no JWKS there: a wrong path or port."
                : "Nomad answers, but not with a key set.",
            "jwks_url must be <nomad address>/.well-known/jwks.json; check the port (nomadHttpPort) and run `npm run stack -- up`.",
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
        const audiences = [...new Set(found.filter((a) => a.audience.length).map((a) => a.audience.join(",")))];
        if (disabled.length || noIdentity.length) {
            return fail(
                `vault disabled on [${disabled.join(", ")}]; no default_identity on servers [${noIdentity.join(", ")}]`,
                'Jobs fail with "Vault \\"default\\" not enabled but used in the job" on those agents.',
                "Add the vault block (npm run stack -- outputs: nomadServerVaultConfig / nomadClientVaultConfig) to every agent and restart it.",
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
        const role = await vault(t, `auth/${t.jwtPath}/role/${t.defaultRole}`);
        if (role.status !== 200) {
            return fail(
                `auth/${t.jwtPath}/role/${t.defaultRole}: ${describe(role)}`,
                `The role ${t.defaultRole} is missing: logins fail with "role could not be found".`,
                "npm run stack -- up",
            );
        }
        const bound: string[] = json(role)?.data?.bound_audiences ?? [];
        const { found } = await agents(t);
        const aud = [...new Set(found.flatMap((a) => a.audience))];
        if (!aud.some((a) => bound.includes(a))) {
            return fail(
                `agent default_identity.aud [${aud.join(", ")}], role ${t.defaultRole} bound_audiences [${bound.join(", ")}]`,
                'Logins fail with "aud claim does not match any bound audience": the agent and the role disagree.',
                "Set the same audience on both: pulumi config set audience <aud>, then `npm run stack -- up`.",
            );
        }
        const mounts = Object.keys(json(await vault(t, "sys/auth"))?.data ?? {}).map((m) => m.replace(/\/$/, ""));
        const wrongPath = found.filter((a) => a.jwtPath && !mounts.includes(a.jwtPath));
        if (wrongPath.length) {
            return fail(
                wrongPath.map((a) => `${a.address}: jwt_auth_backend_path "${a.jwtPath}"`).join("; ") +
                    `; Vault's auth mounts: ${mounts.join(", ")}`,
                'Those clients log tasks in at a path Vault does not serve ("no handler for route").',
                `Set vault.jwt_auth_backend_path = "${t.jwtPath}" on every agent, or jwtAuthPath to theirs.`,
            );
        }
        return pass(`aud [${aud.join(", ")}] bound by ${t.defaultRole}; JWT path ${t.jwtPath}/ mounted`);
    },
};

/** The probe's identity, taken once per run and shared by the checks that need it. */
const probes = new WeakMap<Target, Promise<string | undefined>>();
const probeJwt = (t: Target) => {
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

export const accessorCheck: Check = {
    id: "accessor-drift",
    title: "The templated policy names the JWT mount's current accessor",
    needs: ["vault-health"],
    async run(t) {
        const mount = json(await vault(t, "sys/auth"))?.data?.[`${t.jwtPath}/`];
        const text: string = json(await vault(t, `sys/policies/acl/${t.policyName}`))?.data?.policy ?? "";
        const named = [...new Set(text.match(/auth_jwt_\w+/g) ?? [])];
        if (!mount) {
            return fail(`no auth mount ${t.jwtPath}/`, "The JWT auth method is gone.", "npm run stack -- up");
        }
        const stale = named.filter((a) => a !== mount.accessor);
        if (stale.length || named.length === 0) {
            return fail(
                `policy ${t.policyName} names [${named.join(", ")}], the mount's accessor is ${mount.accessor}`,
                "Permission denied after the auth mount was re-created: the policy still templates on the old accessor.",
                "npm run stack -- up renders the policy from the live accessor.",
            );
        }
        return pass(`${t.policyName} names ${mount.accessor}`);
    },
};

/** Vault's path globs: `+` one segment, a trailing `*` any suffix. */
function globMatches(pattern: string, path: string): boolean {
    const expression = pattern
        .replace(/[.?^${}()|[\]\\]/g, "\\$&")
        .replace(/\+/g, "[^/]+")
        .replace(/\*$/, ".*");
    return new RegExp(`^${expression}$`).test(path);
}

/** Jobs that use Vault with the default role, and the secret paths their templates read. */
async function vaultJobs(t: Target): Promise<Array<{ id: string; namespace: string; paths: string[]; policies: string[] }>> {
    const list = json<Array<{ ID: string; Namespace: string }>>(await nomad(t, "jobs?namespace=*", t.nomadAddress)) ?? [];
    const jobs = [];
    for (const { ID, Namespace } of list) {
        const job = json(await nomad(t, `job/${encodeURIComponent(ID)}?namespace=${Namespace}`, t.nomadAddress));
        const tasks = (job?.TaskGroups ?? []).flatMap((g: any) => g.Tasks ?? []).filter((task: any) => task.Vault);
        if (tasks.length) {
            jobs.push({
                id: ID,
                namespace: Namespace,
                paths: tasks
                    .filter((task: any) => !task.Vault.Role || task.Vault.Role === t.defaultRole)
                    .flatMap((task: any) =>
                        (task.Templates ?? []).flatMap((tmpl: any) =>
                            [...String(tmpl.EmbeddedTmpl).matchAll(/secret "([^"]+)"/g)].map((m) => m[1]),
                        ),
                    ),
                policies: tasks.flatMap((task: any) => task.Vault.Policies ?? []),
            });
        }
    }
    return jobs;
}

export const capabilitiesCheck: Check = {
    id: "capabilities",
    title: "The templated policy grants each job read on the secrets its templates read",
    needs: ["vault-health", "nomad-token"],
    async run(t) {
        const text: string = json(await vault(t, `sys/policies/acl/${t.policyName}`))?.data?.policy ?? "";
        const stanzas = [...text.matchAll(/path "([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]/g)].map((m) => ({
            path: m[1],
            caps: m[2],
        }));
        const denied: string[] = [];
        const jobs = await vaultJobs(t);
        for (const job of jobs) {
            const rendered = stanzas
                .filter((s) => s.caps.includes('"read"'))
                .map((s) =>
                    s.path
                        .replace(/\{\{identity\.entity\.aliases\.[^.]+\.metadata\.nomad_namespace\}\}/g, job.namespace)
                        .replace(/\{\{identity\.entity\.aliases\.[^.]+\.metadata\.nomad_job_id\}\}/g, job.id),
                );
            denied.push(
                ...job.paths
                    .filter((p) => !rendered.some((pattern) => globMatches(pattern, p)))
                    .map((p) => `${job.namespace}/${job.id}: ${p}`),
            );
        }
        if (denied.length) {
            return fail(
                `denied: ${denied.join("; ")}`,
                "The job logs in, then reading the secret gets 403: it is not under <mount>/data/<namespace>/<job>/ (KV v2 needs the data/ segment).",
                "Move the secret under the job's path, or grant it in the policy.",
            );
        }
        return pass(`${jobs.length} job(s) using the default role can read what their templates read`);
    },
};

export const collisionsCheck: Check = {
    id: "collisions",
    title: "No job ID in several namespaces; no vault.policies left over",
    needs: ["nomad-token"],
    async run(t) {
        const jobs = await vaultJobs(t);
        const byId = new Map<string, string[]>();
        jobs.forEach((j) => byId.set(j.id, [...(byId.get(j.id) ?? []), j.namespace]));
        const shared = [...byId].filter(([, namespaces]) => namespaces.length > 1);
        const legacy = jobs.filter((j) => j.policies.length);
        if (shared.length) {
            return warn(
                shared.map(([id, namespaces]) => `${id} in ${namespaces.join(", ")}`).join("; "),
                "With user_claim /nomad_job_id, those jobs share one entity alias; its nomad_namespace metadata flips between logins and reads get 403 now and then.",
                "Rename the jobs, or give each namespace a role whose bound_claims pin nomad_namespace.",
            );
        }
        if (legacy.length) {
            return warn(
                legacy.map((j) => `${j.namespace}/${j.id}: vault.policies [${j.policies.join(", ")}]`).join("; "),
                "vault.policies is ignored under workload identity; those jobs get only their role's policies.",
                "Remove vault.policies; grant through a role (vault { role = … }).",
            );
        }
        return pass(`${jobs.length} job(s) using Vault, IDs unique across namespaces`);
    },
};
