// The claims Nomad signs in a workload identity, by Nomad version (hashicorp/nomad nomad/structs/workload_id.go:
// WorkloadIdentityClaimsBuilder at v2.0.5, IdentityClaimsBuilder at v1.10.5; nomad/alloc_endpoint.go signTasks and
// signServices; nomad/plan_apply.go signAllocIdentities). go-jose v3.0.5 signs the claims as a map, so the payload's
// keys come sorted, and an identity with one audience carries it as a string (jwt/builder.go, jwt/claims.go).
import { randomUUID } from "crypto";

/** Which release a request or a claim list is for: major, minor, patch. */
type Version = readonly [number, number, number];

const OLDEST_SUPPORTED: Version = [1, 10, 0];
/** Namespaces' required and optional extra claims, an identity's extra_claims and ${job.meta.<key>} (GH-27786). */
const NAMESPACE_EXTRA_CLAIMS_SINCE: Version = [2, 0, 3];

/** The top-level claims of a workload identity, in every release since 1.10 (vault_role and extra_claims since 1.8). */
const WORKLOAD_CLAIMS = [
    "aud",
    "consul_namespace",
    "exp",
    "extra_claims",
    "iat",
    "iss",
    "jti",
    "nbf",
    "nomad_allocation_id",
    "nomad_job_id",
    "nomad_namespace",
    "nomad_service",
    "nomad_task",
    "sub",
    "vault_namespace",
    "vault_role",
] as const;

/** The identity block of a task or service, as the job declares it. */
export interface IdentityBlock {
    /** "default" for the task's Nomad identity; vault_<cluster> for Vault; consul_… and consul-service_… for Consul. */
    readonly name: string;
    /** The audiences. The default identity's is always "nomadproject.io". */
    readonly aud?: readonly string[];
    /** Seconds until exp; none when unset or 0. */
    readonly ttl?: number;
    /** Names of the namespace's optional extra claims this identity takes (Nomad ≥ 2.0.3). */
    readonly extraClaims?: readonly string[];
}

/** The identity Nomad signs for one task or service of one allocation. */
export interface NomadIdentityRequest {
    /** The Nomad servers' version, such as "2.0.5". */
    readonly nomadVersion: string;
    /** The job's region; defaults to "global". */
    readonly region?: string;
    readonly namespace: string;
    readonly jobId: string;
    /** A dispatched or periodic job's parent: Nomad signs the parent's ID as the job ID. */
    readonly parentJobId?: string;
    readonly group: string;
    /** The task, for a task identity or a service declared in a task. */
    readonly task?: string;
    /** The service, for a service identity (nomad_service instead of nomad_task). */
    readonly service?: string;
    readonly allocationId: string;
    readonly identity: IdentityBlock;
    /** The task's vault block; vault_role and vault_namespace come from it. */
    readonly vault?: { readonly role?: string; readonly namespace?: string; readonly cluster?: string };
    /**
     * The servers' vault.default_identity block for the identity's cluster, with its extra_claims. Defaults to a
     * block without extra claims; null when the servers have none, and then Nomad signs no vault_* claims.
     */
    readonly vaultDefaultIdentity?: { readonly extraClaims?: Readonly<Record<string, string>> } | null;
    /** The consul namespace of the task's consul block, or else the group's. */
    readonly consulNamespace?: string;
    /** The namespace's required_extra_claims and optional_extra_claims (Nomad ≥ 2.0.3). */
    readonly namespaceExtraClaims?: {
        readonly required?: Readonly<Record<string, string>>;
        readonly optional?: Readonly<Record<string, string>>;
    };
    /** The job's meta, for ${job.meta.<key>} (Nomad ≥ 2.0.3). */
    readonly jobMeta?: Readonly<Record<string, string>>;
    /** The job's node pool; defaults to "default". */
    readonly jobNodePool?: string;
    /** The allocation's node, for ${node.…}; the default identity and services are signed without it. */
    readonly node?: { readonly id?: string; readonly datacenter?: string; readonly pool?: string; readonly class?: string };
    /** The servers' oidc_issuer, signed as iss. */
    readonly issuer?: string;
    /** Unix seconds; defaults to the current time. */
    readonly now?: number;
    /** The JWT ID; Nomad draws a random UUID. */
    readonly jti?: string;
}

/** A workload identity's claims as the JWT carries them. */
export type NomadClaims = { readonly [claim: string]: string | number | readonly string[] | Readonly<Record<string, string>> };

/** The claims Nomad would sign for this identity: key names, shapes and key order as in the JWT. */
export function identityClaims(request: NomadIdentityRequest): NomadClaims {
    const version = parseVersion(request.nomadVersion);
    if (request.task === undefined && request.service === undefined) {
        throw new Error("identityClaims: name the task (a task identity) or the service (a service identity) the identity is for.");
    }
    const name = request.identity.name || "default";
    const isTaskIdentity = request.service === undefined;
    // The plan applier signs the default identity with neither node, consul nor vault (plan_apply.go).
    const isDefault = name === "default";
    const vaultSigned = isTaskIdentity && name.startsWith("vault_") && request.vaultDefaultIdentity !== null;
    const vault = vaultSigned ? request.vault : undefined;
    const jobId = request.parentJobId || request.jobId;
    const time = request.now ?? Date.now() / 1000;
    const audiences = isDefault ? ["nomadproject.io"] : [...(request.identity.aud ?? [])];
    const ttl = isDefault ? 0 : (request.identity.ttl ?? 0);
    const extras = extraClaims(request, version, name, vaultSigned, {
        "${job.region}": request.region ?? "global",
        "${job.namespace}": request.namespace,
        "${job.id}": jobId,
        "${job.node_pool}": request.jobNodePool ?? "default",
        "${group.name}": request.group,
        "${alloc.id}": request.allocationId,
        "${node.id}": (isTaskIdentity && !isDefault && request.node?.id) || "",
        "${node.datacenter}": (isTaskIdentity && !isDefault && request.node?.datacenter) || "",
        "${node.pool}": (isTaskIdentity && !isDefault && request.node?.pool) || "",
        "${node.class}": (isTaskIdentity && !isDefault && request.node?.class) || "",
        "${task.name}": request.task ?? "",
        "${vault.cluster}": vault ? (vault.cluster ?? "default") : "",
        "${vault.namespace}": vault?.namespace ?? "",
        "${vault.role}": vault?.role ?? "",
    });
    const claims: Record<string, NomadClaims[string] | undefined> = {
        nomad_namespace: request.namespace,
        nomad_job_id: jobId,
        nomad_allocation_id: request.allocationId,
        nomad_task: isTaskIdentity ? request.task : undefined,
        nomad_service: request.service || undefined,
        consul_namespace: name.startsWith("consul") ? request.consulNamespace || undefined : undefined,
        vault_namespace: vault?.namespace || undefined,
        vault_role: vault?.role || undefined,
        extra_claims: Object.keys(extras).length ? sortedKeys(extras) : undefined,
        iss: request.issuer || undefined,
        sub: [request.region ?? "global", request.namespace, jobId, request.group, request.service ?? request.task, name].join(":"),
        aud: audiences.length === 1 ? audiences[0] : audiences.length ? audiences : undefined,
        exp: ttl > 0 ? Math.floor(time + ttl) : undefined,
        nbf: Math.floor(time),
        iat: Math.floor(time),
        jti: request.jti ?? randomUUID(),
    };
    return sortedKeys(Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined))) as NomadClaims;
}

// The namespace's required claims, the optional ones the identity names, then the servers' vault extra claims,
// each value interpolated. An optional claim the namespace lacks is left out without a word.
function extraClaims(
    request: NomadIdentityRequest,
    version: Version,
    name: string,
    vaultSigned: boolean,
    attributes: Record<string, string>,
): Record<string, string> {
    const fromNamespace = atLeast(version, NAMESPACE_EXTRA_CLAIMS_SINCE);
    const chosen = Object.entries(request.namespaceExtraClaims?.optional ?? {}).filter(([claim]) =>
        request.identity.extraClaims?.includes(claim),
    );
    const extras: Record<string, string> = {
        ...(fromNamespace ? { ...request.namespaceExtraClaims?.required, ...Object.fromEntries(chosen) } : {}),
        ...(vaultSigned ? request.vaultDefaultIdentity?.extraClaims : {}),
    };
    const interpolate = fromNamespace
        ? (value: string) => tokensInterpolated(value, attributes, request.jobMeta)
        : (value: string) => attributesReplaced(value, attributes);
    return Object.fromEntries(Object.entries(extras).map(([claim, value]) => [claim, interpolate(value)]));
}

// Nomad ≥ 2.0.3: each ${…} is a known attribute, ${job.meta.<key>} of an existing key, or else left as it is.
function tokensInterpolated(value: string, attributes: Record<string, string>, meta: Readonly<Record<string, string>> | undefined): string {
    return value.replace(/\$\{[^}]+\}/g, (token) => {
        if (Object.hasOwn(attributes, token)) return attributes[token];
        const key = /^\$\{job\.meta\.([^}]+)/.exec(token)?.[1];
        return key !== undefined && meta && Object.hasOwn(meta, key) ? meta[key] : token;
    });
}

// Nomad < 2.0.3 (strings.Replacer): the known attributes only.
function attributesReplaced(value: string, attributes: Record<string, string>): string {
    const known = new RegExp(Object.keys(attributes).map(escapeRegExp).join("|"), "g");
    return value.replace(known, (token) => attributes[token]);
}

function escapeRegExp(text: string): string {
    return text.replace(/[$.{}]/g, "\\$&");
}

function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
    return Object.fromEntries(
        Object.keys(map)
            .sort()
            .map((key) => [key, map[key]]),
    );
}

/** The top-level claims this Nomad release can sign in a workload identity. A role bound to any other claim admits no Nomad workload. */
export function signedClaimNames(nomadVersion: string): readonly string[] {
    parseVersion(nomadVersion);
    return WORKLOAD_CLAIMS;
}

/** Whether this Nomad release can sign the claim a role names: a top-level name, or a JSON pointer by its first segment. */
export function nomadSignsClaim(nomadVersion: string, claim: string): boolean {
    // No signed name holds "~" or "/", so a pointer's escapes cannot name one.
    return signedClaimNames(nomadVersion).includes(claim.startsWith("/") ? claim.split("/")[1] : claim);
}

/** Whether this Nomad release takes extra claims from namespaces and identity blocks (2.0.3 and later). */
export function namespaceExtraClaimsSupported(nomadVersion: string): boolean {
    return atLeast(parseVersion(nomadVersion), NAMESPACE_EXTRA_CLAIMS_SINCE);
}

function parseVersion(text: string): Version {
    const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][\w.-]*)?$/.exec(text);
    if (!match) throw new Error(`nomadVersion "${text}" is not a Nomad version such as "2.0.5".`);
    const version: Version = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
    if (!atLeast(version, OLDEST_SUPPORTED)) {
        throw new Error(`nomadVersion "${text}": Nomad ${version.join(".")} is older than 1.10, the oldest release this project supports.`);
    }
    return version;
}

function atLeast(version: Version, floor: Version): boolean {
    const rank = ([major, minor, patch]: Version) => (major * 1000 + minor) * 1000 + patch;
    return rank(version) >= rank(floor);
}
