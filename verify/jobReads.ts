// What each task of a job may read, as Vault decides it: the requests its templates and secret blocks make
// (policy/vaultRequests.ts), judged against the policies of the token its role gives (policy/vaultAcl.ts), with
// templated paths rendered for the job's own identity. Not a union of the rules that match: the exact rule, or
// else the highest-priority pattern, decides alone, and a deny merged from any policy wins.
import { aliasName, Claims, extractMetadata, JwtRole } from "../policy/jwtClaims";
import { Identity } from "../policy/policyTemplate";
import { judgeTask, ReadVerdict } from "../policy/readJudge";
import { readPolicies, TokenPolicies } from "../policy/vaultAcl";
import { KvMount, KvMountOf } from "../policy/vaultRequests";
import { describe, json } from "./http";
import { Target } from "./types";
import { ClusterView, JobTask } from "./viewTypes";

/**
 * The policies a token of this role holds, as Vault gives them (sdk/helper/policyutil SanitizePolicies): the names
 * trimmed and lower-cased, token_policies plus `default` unless token_no_default_policy, without repeats, sorted;
 * `root` alone when it is among them.
 */
export function tokenPolicies(role: Record<string, any>): string[] {
    const listed = ((role.token_policies ?? []) as string[]).map((name) => name.trim().toLowerCase()).filter((name) => name !== "");
    if (listed.includes("root")) {
        return ["root"];
    }
    return [...new Set([...listed, ...(role.token_no_default_policy ? [] : ["default"])])].sort();
}

/** A role's token: its policies read once, to be rendered for each job that logs in with it. */
export interface RoleToken {
    readonly role: string;
    readonly data: Record<string, any>;
    readonly policies: string[];
    readonly token: TokenPolicies;
}

/** A role's token, or Vault's answer when the role cannot be read, or why verify cannot read one of its policies. */
export type RoleTokenOr = RoleToken | { readonly role: string; readonly missing: string; readonly unreadable?: true };

/** The token a login with `role` gets: the role as Vault reads it back and the text of each of its policies. */
export async function roleToken(t: Target, view: ClusterView, role: string): Promise<RoleTokenOr> {
    const reply = await view.vault(`auth/${t.jwtPath}/role/${role}`);
    if (reply.status !== 200) {
        return { role, missing: describe(reply) };
    }
    const data = json(reply).data;
    const policies = tokenPolicies(data);
    // A policy Vault does not have is empty: Vault leaves it out of the token's ACL.
    const texts = await Promise.all(policies.map(async (name) => ({ name, text: await view.policyText(name) })));
    try {
        return { role, data, policies, token: readPolicies(texts) };
    } catch (err) {
        return { role, missing: (err as Error).message, unreadable: true };
    }
}

/** What every judgement of this run shares: the KV mounts' versions and the JWT mount's accessor. */
export interface ReadSetting {
    readonly kvMountOf: KvMountOf;
    /** The accessor templated policies name for the JWT mount's aliases; undefined when the mount is gone. */
    readonly accessor?: string;
}

export async function readSetting(t: Target, view: ClusterView): Promise<ReadSetting> {
    const [mounts, auth] = await Promise.all([view.vault("sys/mounts"), view.vault("sys/auth")]);
    // Both answer 200 with their mounts under data (verify's token may read them, or the read throws).
    return { kvMountOf: kvMountOf(json(mounts).data), accessor: json(auth).data[`${t.jwtPath}/`]?.accessor };
}

/** The KV mount a path lies under, the longest mount first; the version from options.version (none: 1). */
export function kvMountOf(mounts: Record<string, { type?: string; options?: { version?: string } | null }>): KvMountOf {
    const kv: KvMount[] = Object.entries(mounts)
        .filter(([, m]) => m.type === "kv")
        .map(([mount, m]): KvMount => ({ mount, version: m.options?.version === "2" ? 2 : 1 }))
        .sort((a, b) => b.mount.length - a.mount.length);
    return (path) => kv.find((k) => `${path}/`.startsWith(k.mount));
}

/**
 * The identity Vault gives a login of this job's task: an entity alias on the JWT mount, named by the role's
 * user_claim, with the metadata its claim_mappings take from the claims Nomad signs (and the role's name).
 */
export function jobIdentity(setting: ReadSetting, role: RoleToken, claims: Claims): Identity {
    if (setting.accessor === undefined) {
        return {};
    }
    const alias = aliasName(role.data as JwtRole, claims);
    return {
        entity: {
            aliases: [
                {
                    mountAccessor: setting.accessor,
                    ...("name" in alias ? { name: alias.name } : {}),
                    metadata: { ...extractMetadata(role.data.claim_mappings, claims).metadata, role: role.role },
                },
            ],
        },
    };
}

/**
 * The job's own values among the claims Nomad signs for a task that reads Vault; the full set, extra claims
 * included, is verify/jobLogin.ts's taskClaims, which `--job` passes in.
 */
export function ownValueClaims(job: { namespace: string; id: string }, task: JobTask): Claims {
    return {
        nomad_namespace: job.namespace,
        nomad_job_id: job.id,
        nomad_task: task.Name,
        ...(task.Vault.Role ? { vault_role: task.Vault.Role } : {}),
    };
}

/** What a task of `job` asks Vault, judged for the token of `role` rendered for that task. */
export function taskVerdicts(
    setting: ReadSetting,
    role: RoleToken,
    job: { namespace: string; id: string },
    task: JobTask,
    claims: Claims = ownValueClaims(job, task),
): ReadVerdict[] {
    return judgeTask(role.token.acl(jobIdentity(setting, role, claims)), task, setting.kvMountOf);
}
