// The JWT mount, its config, the default role and the templated policy, as configuration keys: first
// what the cluster shows is turned into keys (refusing what no key can say), then, once those keys
// are loaded as the program loads them, what the program would write is held against the cluster,
// field by field.
import { renderWorkloadsPolicy } from "../components";
import { vaultRoleFields } from "../components/workloadRole";
import { roleSettingsOf } from "../program/identity";
import { durationText, Settings } from "../settings";
import { claimMappingsText } from "../settings/identity";
import { policyStanzas } from "../policy/hcl";
import { ClusterFacts } from "./cluster";
import { describeDifference, differences } from "./fields";

/** Why the cluster cannot be adopted as it is: what, why, and what to do. */
export interface Refusal {
    readonly subject: string;
    readonly reason: string;
    readonly fix: string;
}

/** Files the operator gave for Vault's TLS (VAULT_CACERT, …): the Vault provider reads files, so the stack names them. */
export interface VaultFiles {
    readonly caCert?: string;
    readonly clientCert?: string;
    readonly clientKey?: string;
}

/** Configuration keys (short names) and their values. */
export type KeyValues = Record<string, string | boolean>;

/** A mount path as Vault names it, whatever slashes surround it ("/jwt-nomad/" is jwt-nomad). */
export const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, "");

/** The JWT mount adopt may take: the one the agents log in at, else the only one; refusals otherwise. */
export function mountRefusals(facts: ClusterFacts, authPath?: string): Refusal[] {
    const mounts = facts.jwtMounts ?? [];
    const agentsPath = facts.agentVault?.JWTAuthBackendPath ? trimSlashes(facts.agentVault.JWTAuthBackendPath) : undefined;
    const listed = `JWT mounts in Vault: [${mounts.join(", ")}]`;
    if (mounts.length === 0) {
        return [
            {
                subject: "sys/auth",
                reason: "Vault has no JWT auth method for Nomad's identities.",
                fix: "Adopt a cluster that has one; `npm run stack -- up` in external mode creates one.",
            },
        ];
    }
    const [chosen, why] = authPath !== undefined ? [authPath, "--auth-path"] : [agentsPath, "the agents' jwt_auth_backend_path"];
    if (chosen !== undefined && !mounts.includes(chosen)) {
        return [
            {
                subject: `${why} ${chosen}/`,
                reason: `no JWT auth method is mounted there (${listed}).`,
                fix: "Pass --auth-path <mount> with the mount the agents should log in at.",
            },
        ];
    }
    if (chosen === undefined && mounts.length > 1) {
        return [
            {
                subject: "sys/auth",
                reason: `${listed}, and no agent's vault block names jwt_auth_backend_path to choose between them${facts.agentsUnread ? ` (${facts.agentsUnread})` : ""}.`,
                fix: "Pass --auth-path <mount>, or run adopt with a NOMAD_TOKEN that may read agent/self (agent:read).",
            },
        ];
    }
    return [];
}

/** The KV mount the templated policy grants: the first segment of its paths. */
const kvMountOf = (policy = "") => /path\s+"([^/"]+)\//.exec(policy)?.[1];

/** What the cluster holds that no configuration key can say, or that the program would not take. */
export function identityRefusals(facts: ClusterFacts): Refusal[] {
    const refusals: Refusal[] = [];
    const refuse = (subject: string, reason: string, fix: string) => refusals.push({ subject, reason, fix });
    const { connection: c, authConfig: config, role, mount } = facts;
    const at = `auth/${facts.jwtPath}`;
    if (mount?.local) {
        refuse(
            `the mount ${facts.jwtPath}/`,
            "is local to this Vault cluster (local = true), which the program cannot express: it mounts replicated methods.",
            "Adopt a replicated mount, or keep this one out of the program.",
        );
    }
    if (!config?.default_role) {
        refuse(
            `${at}/config`,
            "names no default_role: the program's default role is the mount's default, which jobs without vault.role log in with.",
            `vault write ${at}/config default_role=<role> (with its other fields), then adopt again.`,
        );
    } else if (!role) {
        refuse(
            `${at}/role/${facts.roleName}`,
            "the mount's default role does not exist.",
            "Create it (nomad setup vault does), or name an existing one as default_role.",
        );
    } else if (!facts.policyName) {
        refuse(
            `${at}/role/${facts.roleName}`,
            `none of its token_policies [${(role.token_policies ?? []).join(", ")}] is a templated policy (naming an auth_jwt_ accessor).`,
            "Give the role the templated policy of docs/external.md (nomad setup vault's), then adopt again.",
        );
    } else if (role.token_period === 0) {
        refuse(
            `${at}/role/${facts.roleName}`,
            "token_period is 0: the program issues periodic tokens, which Nomad renews for as long as a task runs.",
            `vault write ${at}/role/${facts.roleName} token_period=30m (with its other fields).`,
        );
    }
    const kvMount = kvMountOf(facts.policyText);
    if (facts.policyName && !kvMount) {
        refuse(
            `sys/policies/acl/${facts.policyName}`,
            "grants no path, so it is not the templated policy.",
            "Give the role the templated policy of docs/external.md.",
        );
    } else if (kvMount && facts.kvMounts?.[kvMount] === "1") {
        refuse(
            `the KV mount ${kvMount}/`,
            "is KV version 1, but the templated policy grants KV v2 paths (data/, metadata/).",
            "Grant a KV v2 mount, or upgrade this one (vault kv enable-versioning).",
        );
    }
    const caPem: string = config?.jwks_ca_pem ?? "";
    if (c.nomadCaPem && caPem.trim() !== c.nomadCaPem.trim()) {
        refuse(
            `${at}/config`,
            `jwks_ca_pem is ${caPem ? "another CA than" : "empty, but Nomad is reached with"} NOMAD_CACERT: the program gives Vault the CA it reaches Nomad with (nomadCaPem).`,
            "Adopt with the CA Vault has as jwks_ca_pem, or write NOMAD_CACERT's CA as jwks_ca_pem first.",
        );
    }
    const audience: string | undefined = role?.bound_audiences?.[0];
    const agentsAudience: string[] | undefined = facts.agentVault?.DefaultIdentity?.Audience;
    if (audience && agentsAudience && !agentsAudience.includes(audience)) {
        refuse(
            "the agents' default_identity",
            `signs for [${agentsAudience.join(", ")}], but role ${facts.roleName} binds [${role!.bound_audiences.join(", ")}]: jobs cannot log in today.`,
            "Give both one audience (vaultnomad-verify names the mismatch), then adopt again.",
        );
    }
    return refusals;
}

/** The configuration keys that say what the cluster holds. */
export function identityKeys(facts: ClusterFacts, files: VaultFiles): KeyValues {
    const { connection: c, authConfig: config, role, mount } = facts;
    const caPem: string = config?.jwks_ca_pem ?? "";
    const kvMount = kvMountOf(facts.policyText);
    const audience: string | undefined = role?.bound_audiences?.[0];
    const pubkeys: string[] = config?.jwt_validation_pubkeys ?? [];
    const ttlNanoseconds: number | undefined = facts.agentVault?.DefaultIdentity?.TTL;
    return {
        mode: "external",
        vaultAddress: c.vaultAddress,
        ...(c.vaultNamespace ? { vaultNamespace: c.vaultNamespace } : {}),
        ...(files.caCert ? { vaultCaCertFile: files.caCert } : {}),
        ...(files.clientCert ? { vaultClientCertFile: files.clientCert, vaultClientKeyFile: files.clientKey ?? "" } : {}),
        ...(c.vaultSkipVerify ? { vaultSkipTlsVerify: true } : {}),
        nomadAddress: c.nomadAddress,
        ...(c.nomadRegion ? { nomadRegion: c.nomadRegion } : {}),
        ...(caPem ? { nomadCaPem: caPem } : {}),
        ...(c.nomadClientCertPem ? { nomadClientCertPem: c.nomadClientCertPem } : {}),
        ...(c.nomadSkipVerify ? { nomadSkipTlsVerify: true } : {}),
        jwtAuthPath: facts.jwtPath,
        ...(mount?.description ? { jwtAuthDescription: mount.description } : {}),
        ...(pubkeys.length > 0 ? { jwtValidationPubkeys: pubkeys.join("\n") } : config?.jwks_url ? { jwksUrl: config.jwks_url } : {}),
        ...(config?.jwt_supported_algs?.length ? { jwtSupportedAlgs: config.jwt_supported_algs.join(",") } : {}),
        roleName: facts.roleName,
        policyName: facts.policyName,
        ...(kvMount ? { kvMount } : {}),
        ...(audience ? { audience } : {}),
        ...(ttlNanoseconds ? { identityTtl: durationText(ttlNanoseconds / 1e9) } : {}),
        ...(role?.token_period ? { tokenPeriod: durationText(role.token_period) } : {}),
        ...(role?.token_ttl ? { tokenTtl: durationText(role.token_ttl) } : {}),
        ...(role?.claim_mappings ? { claimMappings: claimMappingsText(role.claim_mappings) } : {}),
    };
}

/** The mount's config as the program writes it, in Vault's field names. */
function programAuthConfig(settings: Settings): Record<string, unknown> {
    return {
        default_role: settings.roleName,
        jwks_url: settings.jwksUrl ?? "",
        jwks_ca_pem: settings.nomad!.caPem ?? "",
        jwt_validation_pubkeys: settings.jwtValidationPubkeys,
        jwt_supported_algs: settings.jwtSupportedAlgs,
        bound_issuer: "",
    };
}

/**
 * What the program, given `settings`, would write differently from what the cluster holds: the
 * mount's config and the default role (refusals, naming each field), and the templated policy (a
 * refusal when it grants something else; a change when only its text differs).
 */
export async function identityDifferences(facts: ClusterFacts, settings: Settings): Promise<{ refusals: Refusal[]; changes: string[] }> {
    const at = `auth/${facts.jwtPath}`;
    const refusals: Refusal[] = [
        ...differences(facts.authConfig ?? {}, programAuthConfig(settings)).map((d) => ({
            subject: `${at}/config`,
            reason: `${describeDifference(d)}: no configuration key says it.`,
            fix: `Adopt once Vault holds what the program writes (vault write ${at}/config …), or keep this mount out of the program.`,
        })),
        ...differences(facts.role ?? {}, vaultRoleFields(roleSettingsOf(settings), settings.policyName)).map((d) => ({
            subject: `${at}/role/${facts.roleName}`,
            reason: `${describeDifference(d)}: no configuration key says it.`,
            fix: `Adopt once the role holds what the program writes (vault write ${at}/role/${facts.roleName} …, every field), or keep it out of the program.`,
        })),
    ];
    const policy = await policyComparison(facts.policyText!, renderWorkloadsPolicy(facts.mount!.accessor, settings.kvMount));
    if (policy === "other grants") {
        refusals.push({
            subject: `sys/policies/acl/${settings.policyName}`,
            reason: `is not the templated policy the program writes for ${settings.kvMount}/ and the mount's accessor ${facts.mount!.accessor}: it grants other paths or capabilities.`,
            fix: "Adopt once the policy is the templated one (docs/external.md), or keep it out of the program.",
        });
    }
    const changes =
        policy === "other text"
            ? [
                  `the policy ${settings.policyName}: the same grants in other words; the first \`up\` writes the program's text (preview shows it as an update)`,
              ]
            : [];
    return { refusals, changes };
}

/** Whether a policy's text is the program's, the same grants in other words, or other grants. */
export async function policyComparison(text: string, program: string): Promise<"same" | "other text" | "other grants"> {
    if (text === program) {
        return "same";
    }
    const grants = async (policy: string) =>
        JSON.stringify((await policyStanzas(policy)).map((s) => `${s.path} ${[...s.capabilities].sort().join(",")}`).sort());
    try {
        return (await grants(text)) === (await grants(program)) ? "other text" : "other grants";
    } catch {
        return "other grants";
    }
}
