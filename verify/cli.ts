#!/usr/bin/env node
// `vaultnomad-verify`: verify for any Nomad + Vault cluster, with no Pulumi stack. It takes the
// usual VAULT_* and NOMAD_* variables (or the same as flags, which win) and reads what it expects
// from the cluster itself. Same lines, --json and exit codes as `npm run verify`.
// It reads the command line before it loads the checks (imported when a run starts): --help and a
// wrong flag answer at Node.js's own start-up speed.
import * as fs from "fs";
import { parseArgs } from "util";
import type { Connection, Narrowing } from "./discover";
import { concurrencyOf, concurrencyUsage, DEFAULT_CONCURRENCY } from "./readLimit";
import { durationSeconds } from "./roleMeaning";

/** Exit codes, as the stack driver's (automation/exitCodes.ts). */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Each connection flag and the environment variable it stands for (the stack driver's adopt takes them too). */
export const CONNECTION_FLAGS = {
    "vault-addr": "VAULT_ADDR",
    "vault-token": "VAULT_TOKEN",
    "vault-namespace": "VAULT_NAMESPACE",
    "vault-cacert": "VAULT_CACERT",
    "vault-client-cert": "VAULT_CLIENT_CERT",
    "vault-client-key": "VAULT_CLIENT_KEY",
    "vault-skip-verify": "VAULT_SKIP_VERIFY",
    "nomad-addr": "NOMAD_ADDR",
    "nomad-token": "NOMAD_TOKEN",
    "nomad-region": "NOMAD_REGION",
    "nomad-namespace": "NOMAD_NAMESPACE",
    "nomad-cacert": "NOMAD_CACERT",
    "nomad-client-cert": "NOMAD_CLIENT_CERT",
    "nomad-client-key": "NOMAD_CLIENT_KEY",
    "nomad-skip-verify": "NOMAD_SKIP_VERIFY",
} as const;

const HELP = `Usage: vaultnomad-verify [options]

Diagnoses the Nomad workload identity → Vault login chain of any cluster: no Pulumi, no stack, no
Docker. What it expects (the JWT mount, the role, the audience, the templated policy) is read from
the cluster itself; the first lines say what was found and where.

Connection (flags win over the environment variable named):
${Object.entries(CONNECTION_FLAGS)
    .map(([flag, env]) => `  --${flag.padEnd(22)} ${env}`)
    .join("\n")}

Several Nomad clusters against one Vault (each cluster's chain, and which mount trusts whose keys):
  --nomad-addr <[name=]address>  given more than once: one cluster each, named by name= or its host
  --clusters <file>        a JSON list of clusters: [{"name": "east", "nomad-addr": "…", "nomad-token": "…"}, …],
                           with any --nomad-* flag's name; the other flags and variables are shared

Narrowing and checks:
  --auth-path <path>       the JWT mount to check (default: the agents' jwt_auth_backend_path)
  --role <name>            the role to check (default: the mount's default_role)
  --audience <aud>         the audience of the probe's identity (default: the agents' default_identity)
  --job <namespace>/<job>  walk one job's chain: vault block, identity, bound claims, secret paths
  --expect <role.json>     the role as you declared it (Vault's field names): checks drift against it
  --probe                  run a short probe job for a real workload identity (needs submit-job)
  --wait <duration>        retry failures that waiting can heal, this long (such as 30s)
  --concurrency <n>        requests in flight at once, 1 to 256 (default ${DEFAULT_CONCURRENCY})
  --json                   one JSON document on stdout (verify/result.schema.json)
  -h, --help               this text

Exit codes: 0 no check failed, 1 a check failed, 2 the command line or a file is wrong.
Minimal Vault and Nomad policies for its tokens: docs/verify.md.`;

const OPTIONS = {
    ...Object.fromEntries(Object.keys(CONNECTION_FLAGS).map((flag) => [flag, { type: "string" as const }])),
    "nomad-addr": { type: "string", multiple: true },
    clusters: { type: "string" },
    "auth-path": { type: "string" },
    role: { type: "string" },
    audience: { type: "string" },
    job: { type: "string" },
    expect: { type: "string" },
    probe: { type: "boolean" },
    wait: { type: "string" },
    concurrency: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

export class UsageError extends Error {}

export interface CliIo {
    readonly env: Record<string, string | undefined>;
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

export async function runCluster(argv: string[], io: CliIo): Promise<number> {
    try {
        const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
        if (values.help) {
            io.out(HELP);
            return EXIT.ok;
        }
        // --nomad-addr may be repeated: one address is one cluster, as ever; several are clustersCli.ts's.
        const setting = (flag: keyof typeof CONNECTION_FLAGS) =>
            [(values as Record<string, string | string[] | undefined>)[flag]].flat()[0] || io.env[CONNECTION_FLAGS[flag]] || undefined;
        const settings = {
            waitMs: values.wait === undefined ? 0 : waitSeconds(values.wait) * 1000,
            concurrency: values.concurrency === undefined ? undefined : concurrency(values.concurrency),
        };
        // Stryker disable next-line ArrayDeclaration: one unnamed address is one cluster, as none is
        const addresses = values["nomad-addr"] ?? [];
        // A named address (east=https://…) is a cluster of several too, even alone.
        if (addresses.length > 1 || values.clusters || /^[a-z0-9-]+=/.test(String(addresses[0]))) {
            const { entriesOfFile, entryOfAddress, runClusters } = await import("./clustersCli");
            const entries = values.clusters ? entriesOfFile(values.clusters) : addresses.map(entryOfAddress);
            const request = { entries, setting, connection, narrowing: narrowing(values), settings, json: !!values.json };
            return (await runClusters(request, io.out)) ? EXIT.ok : EXIT.failed;
        }
        const reach = connection(setting);
        const narrowed = narrowing(values);
        const [{ discoverTarget }, { runAndPrint }] = await Promise.all([import("./discover"), import("./report")]);
        const { target, expectations, view } = await discoverTarget(reach, narrowed, settings);
        const label = `cluster ${target.vaultAddress} ${target.nomadAddress}`;
        const results = await runAndPrint(label, target, { json: !!values.json, ...settings, expectations, view }, io.out);
        return results.some((r) => r.status === "fail") ? EXIT.failed : EXIT.ok;
    } catch (err) {
        const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
        const message = (err as Error).message ?? String(err);
        if (argv.includes("--json")) {
            io.out(JSON.stringify({ stack: "cluster", passed: false, error: message }, null, 2));
        } else {
            io.err(usage ? `${message}\nvaultnomad-verify --help lists the options.` : message);
        }
        return usage ? EXIT.usage : EXIT.failed;
    }
}

/** What each required setting is, as its flag's argument. */
const REQUIRED = { "vault-addr": "<address>", "vault-token": "<token>", "nomad-addr": "<address>" } as const;

/** All the required settings that are missing, named at once. */
function missingSettings(setting: (flag: keyof typeof CONNECTION_FLAGS) => string | undefined): string | undefined {
    const missing = (Object.keys(REQUIRED) as Array<keyof typeof REQUIRED>).filter((flag) => !setting(flag));
    const list = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}` : items[0]);
    return missing.length
        ? `${list(missing.map((flag) => CONNECTION_FLAGS[flag]))} ${missing.length > 1 ? "are" : "is"} not set: ` +
              `export ${missing.length > 1 ? "them" : "it"}, or pass ${list(missing.map((flag) => `--${flag} ${REQUIRED[flag]}`))}.`
        : undefined;
}

export function connection(setting: (flag: keyof typeof CONNECTION_FLAGS) => string | undefined): Connection {
    const missing = missingSettings(setting);
    if (missing) {
        throw new UsageError(missing);
    }
    const address = (flag: "vault-addr" | "nomad-addr") => setting(flag)!.replace(/\/+$/, "");
    const pem = (flag: keyof typeof CONNECTION_FLAGS) => {
        const file = setting(flag);
        try {
            // Stryker disable next-line StringLiteral: Node reads an empty encoding name as utf8
            return file ? fs.readFileSync(file, "utf8") : undefined;
        } catch (err) {
            throw new UsageError(`${CONNECTION_FLAGS[flag]} (--${flag}): cannot read ${file}: ${(err as Error).message}`);
        }
    };
    const yes = (flag: keyof typeof CONNECTION_FLAGS) => /^(1|true|yes)$/i.test(String(setting(flag)));
    return {
        vaultAddress: address("vault-addr"),
        vaultToken: setting("vault-token")!,
        vaultNamespace: setting("vault-namespace"),
        vaultCaPem: pem("vault-cacert"),
        vaultClientCertPem: pem("vault-client-cert"),
        vaultClientKeyPem: pem("vault-client-key"),
        vaultSkipVerify: yes("vault-skip-verify"),
        nomadAddress: address("nomad-addr"),
        nomadToken: setting("nomad-token") ?? "",
        nomadRegion: setting("nomad-region"),
        nomadNamespace: setting("nomad-namespace"),
        nomadCaPem: pem("nomad-cacert"),
        nomadClientCertPem: pem("nomad-client-cert"),
        nomadClientKeyPem: pem("nomad-client-key"),
        nomadSkipVerify: yes("nomad-skip-verify"),
    };
}

function narrowing(values: Record<string, string | string[] | boolean | undefined>): Narrowing {
    const job = values.job as string | undefined;
    // Stryker disable next-line ArrayDeclaration: without a slash there is no id either, refused below
    const [namespace, id] = job?.includes("/") ? [job.slice(0, job.indexOf("/")), job.slice(job.indexOf("/") + 1)] : [];
    if (job && (!namespace || !id)) {
        throw new UsageError(`--job ${job}: give it as <namespace>/<job>, such as default/api.`);
    }
    return {
        authPath: (values["auth-path"] as string | undefined)?.replace(/^\/|\/$/g, ""),
        role: values.role as string | undefined,
        audience: values.audience as string | undefined,
        job: job ? { namespace: namespace!, id: id! } : undefined,
        expect: values.expect ? declaredRole(values.expect as string) : undefined,
        probe: !!values.probe,
    };
}

/** The role file: the role's fields, or Vault's answer to reading it (`vault read -format=json …`, with `data`). */
function declaredRole(file: string): Record<string, unknown> {
    let parsed: any;
    try {
        // Stryker disable next-line StringLiteral: Node reads an empty encoding name as utf8
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new UsageError(`--expect ${file}: not a readable JSON file (${(err as Error).message}).`);
    }
    const role = parsed?.data && typeof parsed.data === "object" ? parsed.data : parsed;
    if (!role || typeof role !== "object" || Array.isArray(role)) {
        throw new UsageError(`--expect ${file}: want a JSON object of the role's fields, such as {"bound_audiences": ["vault.io"], …}.`);
    }
    return role;
}

function concurrency(text: string): number {
    const value = concurrencyOf(text);
    if (value === undefined) {
        throw new UsageError(concurrencyUsage(text));
    }
    return value;
}

function waitSeconds(text: string): number {
    const seconds = durationSeconds(text);
    if (seconds === undefined) {
        throw new UsageError(`--wait ${text}: want a duration such as 30s or 2m.`);
    }
    return seconds;
}

// Stryker disable all: runs only as its own process (tests/verifyPackage.test.ts starts it), where coverage is not seen.
// runCluster answers every error itself, with its exit code: nothing is left to reject.
if (require.main === module) {
    void runCluster(process.argv.slice(2), { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text) }).then(
        (code) => process.exit(code),
    );
}
// Stryker restore all
