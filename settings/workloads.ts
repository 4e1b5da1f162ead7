// The `workloads` key: the stack's own Nomad jobs, each onboarded the way the tutorial onboards
// mongo. This module reads the entries' shape; workloadsCheck.ts checks them against their jobspecs.
import { fq } from "./keys";

export const WORKLOADS_KEY = "workloads";

/** A secret value from the configuration: it never shows in messages, logs or JSON. */
export class SecretText {
    readonly #value: string;
    constructor(value: string) {
        this.#value = value;
    }
    reveal(): string {
        return this.#value;
    }
    toString(): string {
        return "[secret]";
    }
    toJSON(): string {
        return "[secret]";
    }
}

export interface Grant {
    readonly path: string;
    readonly capabilities: string[];
}

/** A JWT role of the workload's own, bound to its namespace and job ID, with a policy of its grants. */
export interface WorkloadRole {
    readonly name: string;
    readonly grants: Grant[];
}

/** One workload; `V` is how its secret values are held (config: SecretText; built-ins: Outputs). */
export interface WorkloadSpec<V = unknown> {
    /** Names the entry in messages: `vaultnomad:workloads[1] (jobs/api.nomad.hcl)`, or a built-in's name. */
    readonly origin: string;
    /** The jobspec: a file relative to the project root, or (`source`) its text. Exactly one is set. */
    readonly jobspec?: string;
    /** The jobspec's HCL2 text itself, as Nomad's job submission API keeps it (`GET /v1/job/:id/submission`). */
    readonly source?: string;
    readonly namespace: string;
    /** HCL2 variables, as strings (the Nomad provider panics on numbers). */
    readonly vars: Record<string, string>;
    /** KV v2 entries at `<kvMount>/data/<namespace>/<job ID>/<name>`: name → key → value. */
    readonly secrets: Record<string, Record<string, V>>;
    readonly role?: WorkloadRole;
    /** Job IDs this job waits for, healthy. */
    readonly after: string[];
    /** With `nomadClusters`: the clusters the job runs in, by name. */
    readonly clusters?: string[];
}

/** Variables the program sets itself when the jobspec declares them; an entry may not set them. */
export const PROGRAM_VARS = ["namespace", "kv_mount", "vault_role"] as const;

const FIELDS = ["jobspec", "source", "namespace", "vars", "secrets", "role", "after", "clusters"];

/** How messages name a workload's jobspec: its file, or its source. */
export const jobspecLabel = (w: Pick<WorkloadSpec, "jobspec">) => w.jobspec ?? "its source";
// The patterns below are written where they are used: a regex literal is then evaluated per call,
// which lets `npm run mutate` judge them from direct unit tests.

/** How the stack file stores the key, to tell encrypted leaves (`{ secure: … }`) from plain ones. */
export interface WorkloadsSource {
    /** The key's value as Pulumi hands it to the program: JSON, secure leaves decrypted. */
    readonly json?: string;
    /**
     * How the program sees the key's encryption: Pulumi marks the whole key secret when any leaf is
     * encrypted, and the stack file shows each leaf. Without it (readers other than the program),
     * encryption is not checked.
     */
    readonly secrecy?: Secrecy;
}

export interface Secrecy {
    readonly isSecret: boolean;
    /** The key's value as written in Pulumi.<stack>.yaml, when the program can read that file. */
    readonly stored?: unknown;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A value the stack file keeps encrypted: `{ secure: … }`. */
export const isSecureLeaf = (v: unknown) => isObject(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
/** A segment of a `pulumi config set --path` key. */
export const pathSegment = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `["${name}"]`);

/** Reads the entries of `vaultnomad:workloads`; adds a problem naming the entry and field for each fault. */
export function readWorkloads(source: WorkloadsSource, jobNamespace: string, problems: string[]): WorkloadSpec<SecretText>[] {
    if (source.json === undefined || source.json === "") {
        return [];
    }
    let entries: unknown;
    try {
        entries = JSON.parse(source.json);
    } catch {
        problems.push(`${fq(WORKLOADS_KEY)}: not a list of workloads. Set it as structured config (see docs/workloads.md).`);
        return [];
    }
    if (!Array.isArray(entries)) {
        problems.push(`${fq(WORKLOADS_KEY)}: must be a list of workloads, each with a jobspec.`);
        return [];
    }
    const secrecy = source.secrecy;
    const stored = Array.isArray(secrecy?.stored) ? secrecy.stored : [];
    return entries.flatMap((entry, index) => {
        const found = readEntry(entry, index, jobNamespace, problems);
        if (found && secrecy) {
            checkSecretsEncrypted(found, index, secrecy.isSecret, stored[index], problems);
        }
        return found ? [found] : [];
    });
}

/** The entry's jobspec (a file) or source (its text): exactly one, not blank. */
function readJobspecField(entry: Record<string, unknown>): { jobspec: string } | { source: string } | undefined {
    const given = (field: string) => typeof entry[field] === "string" && (entry[field] as string).trim() !== "";
    if (given("jobspec") === given("source")) {
        return undefined;
    }
    return given("jobspec") ? { jobspec: entry.jobspec as string } : { source: entry.source as string };
}

function readEntry(entry: unknown, index: number, jobNamespace: string, problems: string[]): WorkloadSpec<SecretText> | undefined {
    const at = `${fq(WORKLOADS_KEY)}[${index}]`;
    const spec = isObject(entry) ? readJobspecField(entry) : undefined;
    if (!isObject(entry) || !spec) {
        problems.push(
            `${at}: jobspec: each workload needs either a jobspec, a path relative to the project such as jobs/api.nomad.hcl, or its source, the jobspec's text.`,
        );
        return undefined;
    }
    // A source is named by the job it declares, for messages only; the checks read the job ID properly.
    const origin = `${at} (${"jobspec" in spec ? spec.jobspec : `source of job ${/\bjob\s+"([^"]+)"/.exec(spec.source)?.[1] ?? "?"}`})`;
    const before = problems.length;
    const fault = (field: string, message: string) => problems.push(`${origin}: ${field}: ${message}`);
    for (const field of Object.keys(entry).filter((f) => !FIELDS.includes(f))) {
        fault(field, `unknown field; a workload has ${FIELDS.join(", ")}.`);
    }
    const namespace = entry.namespace ?? jobNamespace;
    if (typeof namespace !== "string" || !/^[A-Za-z0-9-]{1,128}$/.test(namespace)) {
        fault("namespace", `${JSON.stringify(namespace)} is not a Nomad namespace name (letters, digits and -).`);
    }
    const vars: Record<string, string> = {};
    if (entry.vars !== undefined && !isObject(entry.vars)) {
        fault("vars", "must map variable names to values.");
    }
    for (const [name, value] of Object.entries(isObject(entry.vars) ? entry.vars : {})) {
        if ((PROGRAM_VARS as readonly string[]).includes(name)) {
            fault(`vars.${name}`, `set by the program from the workload's ${name === "vault_role" ? "role" : name}; remove it.`);
        } else if (["string", "number", "boolean"].includes(typeof value)) {
            vars[name] = String(value);
        } else {
            fault(`vars.${name}`, "must be a string, number or boolean.");
        }
    }
    const secrets = readSecrets(entry.secrets, fault);
    const role = readRole(entry.role, fault);
    const after = entry.after ?? [];
    if (!Array.isArray(after) || after.some((a) => typeof a !== "string")) {
        fault("after", "must be a list of job IDs.");
    }
    const clusters = entry.clusters;
    if (clusters !== undefined && (!Array.isArray(clusters) || clusters.some((c) => typeof c !== "string"))) {
        fault("clusters", "must be a list of cluster names from nomadClusters.");
    }
    if (problems.length > before) {
        return undefined;
    }
    return {
        origin,
        ...spec,
        namespace: namespace as string,
        vars,
        secrets,
        role,
        after: after as string[],
        ...(clusters === undefined ? {} : { clusters: clusters as string[] }),
    };
}

function readSecrets(value: unknown, fault: (field: string, message: string) => void): Record<string, Record<string, SecretText>> {
    if (value === undefined) {
        return {};
    }
    if (!isObject(value)) {
        fault("secrets", "must map secret names to their keys and values.");
        return {};
    }
    const secrets: Record<string, Record<string, SecretText>> = {};
    for (const [name, data] of Object.entries(value)) {
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
            fault(`secrets.${name}`, "a secret name is one path segment of letters, digits, _, . and -.");
        } else if (!isObject(data) || Object.keys(data).length === 0) {
            fault(`secrets.${name}`, "must map keys to values, such as { api_key: … }.");
        } else {
            secrets[name] = {};
            for (const [key, text] of Object.entries(data)) {
                // Go template field access (`.Data.data.<key>`) needs an identifier.
                if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
                    fault(`secrets.${name}.${key}`, "a key is letters, digits and _, so that templates can read .Data.data.<key>.");
                } else if (typeof text !== "string") {
                    fault(`secrets.${name}.${key}`, "must be a string.");
                } else {
                    secrets[name][key] = new SecretText(text);
                }
            }
        }
    }
    return secrets;
}

function readRole(value: unknown, fault: (field: string, message: string) => void): WorkloadRole | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isObject(value) || typeof value.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value.name)) {
        fault("role.name", "a role needs a name of letters, digits, _, . and -.");
        return undefined;
    }
    const grants = value.grants ?? [];
    if (!Array.isArray(grants) || grants.length === 0) {
        fault("role.grants", "a role needs at least one grant { path, capabilities }.");
        return undefined;
    }
    grants.forEach((grant, i) => {
        const ok =
            isObject(grant) &&
            typeof grant.path === "string" &&
            grant.path !== "" &&
            Array.isArray(grant.capabilities) &&
            grant.capabilities.length > 0 &&
            grant.capabilities.every((c) => typeof c === "string");
        if (!ok) {
            fault(`role.grants[${i}]`, 'must be { path: "…", capabilities: ["read", …] }.');
        }
    });
    return { name: value.name, grants: grants as Grant[] };
}

/**
 * Secret values must be encrypted in the stack file. Pulumi decrypts them before the program runs,
 * so the program tells them apart by the key's secret marking and, leaf by leaf, by the stack file.
 */
function checkSecretsEncrypted(
    workload: WorkloadSpec<SecretText>,
    index: number,
    isSecret: boolean,
    stored: unknown,
    problems: string[],
): void {
    const storedSecrets = isObject(stored) && isObject(stored.secrets) ? stored.secrets : undefined;
    for (const [name, data] of Object.entries(workload.secrets)) {
        for (const key of Object.keys(data)) {
            const leaf = storedSecrets && isObject(storedSecrets[name]) ? storedSecrets[name][key] : undefined;
            const plain = !isSecret || (storedSecrets !== undefined && !isSecureLeaf(leaf));
            if (plain) {
                const keyPath = `${WORKLOADS_KEY}[${index}].secrets${pathSegment(name)}${pathSegment(key)}`;
                problems.push(
                    `${workload.origin}: secrets.${name}.${key}: given in plain text. Fix: pulumi config set --secret --path '${keyPath}' <value>`,
                );
            }
        }
    }
}
