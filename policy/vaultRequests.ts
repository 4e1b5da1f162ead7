// The requests a Nomad task makes to Vault, each with the path Vault receives and the capability its ACL checks:
// the `secret`, `secrets` and `pkiCert` calls of the task's templates (consul-template), and its `secret` blocks
// with the vault provider (Nomad ≥ 1.11), which Nomad renders as a template `{{ with secret "<path>" }}`.
import { shimKvV2ListPath, shimKvV2Path } from "./kvV2Shim";
import { Argument, TemplateCall, vaultCalls } from "./templateCalls";

export interface KvMount {
    /** The mount's path, as sys/mounts names it ("secret/"; the trailing slash may be left out). */
    readonly mount: string;
    readonly version: 1 | 2;
}

/** The KV mount a path lies under, or undefined when it is not under a KV mount (verify reads sys/mounts). */
export type KvMountOf = (path: string) => KvMount | undefined;

/** What Vault's ACL checks: GET is read, LIST is list, PUT and POST are update (see createWhenMissing). */
export type Capability = "read" | "list" | "update";

interface Origin {
    readonly capability: Capability;
    /** Where the request comes from, for messages: `template secret "kv/default/web/config"`, `secret block "db"`. Parameter values are left out. */
    readonly via: string;
}

export interface PathRequest extends Origin {
    readonly dynamic?: undefined;
    /**
     * The path Vault receives: KV v2 shims applied; a list's path ends in "/", which Vault adds to every LIST
     * (and its ACL then also tries the path without it: vault/acl.go AllowOperation).
     */
    readonly path: string;
    /** A write to a KV secret: Vault checks `create`, not `update`, while the secret does not exist yet. */
    readonly createWhenMissing?: true;
    /** A secret block whose engine does not fit its mount's KV version: it reads, but the task gets no values. */
    readonly warning?: string;
}

export interface DynamicRequest extends Origin {
    readonly dynamic: true;
    readonly path?: undefined;
    /** The template text that computes the path when the task runs; it cannot be judged beforehand. */
    readonly expression: string;
}

export type VaultRequest = PathRequest | DynamicRequest;

export interface NomadSecret {
    readonly Name: string;
    readonly Provider: string;
    readonly Path: string;
    readonly Config?: Record<string, unknown> | null;
}

/** What of a task asks Vault, as Nomad's API returns it (GET /v1/job/:id → TaskGroups[].Tasks[]). */
export interface NomadTask {
    readonly Name: string;
    readonly Templates?: ReadonlyArray<{
        readonly EmbeddedTmpl?: string;
        readonly LeftDelim?: string;
        readonly RightDelim?: string;
    }> | null;
    readonly Secrets?: readonly NomadSecret[] | null;
}

/** Every request the task makes to Vault, one per template call and per vault secret block, in that order. */
export function vaultRequests(task: Omit<NomadTask, "Name">, kvMountOf: KvMountOf): VaultRequest[] {
    const calls =
        task.Templates?.flatMap((template) =>
            template.EmbeddedTmpl ? vaultCalls(template.EmbeddedTmpl, { left: template.LeftDelim, right: template.RightDelim }) : [],
        ) ?? [];
    // Other providers read Nomad variables ("nomad") or run a plugin on the client: not Vault.
    const secrets = task.Secrets?.filter((secret) => secret.Provider === "vault") ?? [];
    return [
        ...calls.flatMap((call) => templateRequests(call, kvMountOf)),
        ...secrets.flatMap((secret) => secretBlockRequests(secret, kvMountOf)),
    ];
}

type Kind = "read" | "write" | "list" | "pki";
const CAPABILITY: Record<Kind, Capability> = { read: "read", write: "update", list: "list", pki: "update" };

function templateRequests(call: TemplateCall, kvMountOf: KvMountOf): VaultRequest[] {
    const [path, ...params] = call.args;
    if (path === undefined) {
        return []; // `{{ secret }}` asks nothing
    }
    // `secret` with parameters writes (PUT), as `pkiCert` does; Vault checks update where the backend has no existence check.
    const kind: Kind = call.name === "secrets" ? "list" : call.name === "pkiCert" ? "pki" : params.length > 0 ? "write" : "read";
    const capability = CAPABILITY[kind];
    const via = `template ${call.name} ${[shown(path), ...params.map(shownParameter)].join(" ")}`;
    if ("expression" in path) {
        return [{ dynamic: true, expression: path.expression, capability, via }];
    }
    const requested = requestedPath(path.value, kind, kvMountOf);
    return requested ? [{ ...requested, capability, via }] : [];
}

/**
 * The path Vault receives for what the template wrote, or undefined for an empty path (consul-template refuses it).
 * consul-template trims spaces and slashes; reads and pkiCert parse the path as a URL, so ?version=N is a parameter.
 */
function requestedPath(written: string, kind: Kind, kvMountOf: KvMountOf): Pick<PathRequest, "path" | "createWhenMissing"> | undefined {
    const trimmed = written.trim().replace(/^\/+|\/+$/g, "");
    const raw = kind === "read" || kind === "pki" ? trimmed.replace(/[?#].*/, "") : trimmed;
    if (raw === "") {
        return undefined;
    }
    const kv = kind === "pki" ? undefined : kvMountOf(raw);
    const mount = kv && (kv.mount.endsWith("/") ? kv.mount : `${kv.mount}/`);
    if (kind === "list") {
        return { path: `${kv?.version === 2 ? shimKvV2ListPath(raw, mount!) : raw}/` };
    }
    const path = kv?.version === 2 ? shimKvV2Path(raw, mount!, "") : raw;
    return kind === "write" && kv ? { path, createWhenMissing: true } : { path };
}

const shown = (arg: Argument) => ("value" in arg ? JSON.stringify(arg.value) : arg.expression);

/** A `key=value` parameter with its value left out: parameters may carry credentials. */
const shownParameter = (arg: Argument) => ("value" in arg && arg.value.includes("=") ? `"${arg.value.split("=")[0]}=…"` : shown(arg));

function secretBlockRequests(secret: NomadSecret, kvMountOf: KvMountOf): PathRequest[] {
    // Nomad refuses a path with template delimiters or parentheses before asking Vault.
    const requested = /[(){}]/.test(secret.Path) ? undefined : requestedPath(secret.Path, "read", kvMountOf);
    if (requested === undefined) {
        return [];
    }
    const warning = engineMismatch(secret, kvMountOf(requested.path));
    return [{ ...requested, capability: "read", via: `secret block "${secret.Name}"`, ...(warning ? { warning } : {}) }];
}

/** Nomad reads a kv engine's values at .Data and a kv_v2 engine's at .Data.data: on the other KV version they stay unset. */
function engineMismatch(secret: NomadSecret, kv: KvMount | undefined): string | undefined {
    const engine = String(secret.Config?.engine ?? "kv");
    if (kv === undefined || kv.version === (engine === "kv_v2" ? 2 : 1)) {
        return undefined;
    }
    const fix = kv.version === 2 ? "kv_v2" : "kv";
    return `secret block "${secret.Name}" has engine "${engine}" on the KV v${kv.version} mount ${kv.mount}: the task's secret.${secret.Name}.<key> values stay unset; set config { engine = "${fix}" }.`;
}
