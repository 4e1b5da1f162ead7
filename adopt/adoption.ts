// A cluster, read, as a stack of this program: the configuration that says what it holds, loaded as
// the program loads it and held against the cluster field by field, then its jobs as workloads, and
// the import file for everything the program will register. Refused as a whole, with every reason,
// when the program cannot say what the cluster holds.
import { checkedWorkloads } from "../program/workloads";
import { ConfigError, fq, loadSettings, Settings } from "../settings";
import { NAMESPACES_KEY } from "../settings/namespaces";
import { WORKLOADS_KEY } from "../settings/workloads";
import { ClusterFacts } from "./cluster";
import { identityDifferences, identityKeys, identityRefusals, KeyValues, mountRefusals, Refusal, VaultFiles } from "./identity";
import { ImportFile, importFile } from "./importFile";
import { adoptJobs, LeftOut } from "./jobs";

export interface AdoptionPlan {
    readonly refusals: Refusal[];
    /** The stack's configuration, by fully qualified key; empty when refused. */
    readonly config: Record<string, unknown>;
    readonly importFile?: ImportFile;
    /** The jobs taken as workloads, `<namespace>/<job ID>`. */
    readonly workloads: string[];
    readonly leftOut: LeftOut[];
    /** What the first `up` would write otherwise than the cluster holds it. */
    readonly changes: string[];
    /** What stays outside the program, one line each. */
    readonly outside: string[];
}

const refused = (refusals: Refusal[]): AdoptionPlan => ({
    refusals,
    config: {},
    workloads: [],
    leftOut: [],
    changes: [],
    outside: [],
});

/** The configuration as Pulumi hands it to the program: structured values as JSON, secrets from the environment, never from the file. */
function load(stack: string, config: Record<string, unknown>, facts: ClusterFacts): Settings {
    const raw = Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
    const c = facts.connection;
    const key = c.nomadClientKeyPem ? { [fq("nomadClientKeyPem")]: c.nomadClientKeyPem } : {};
    return loadSettings({ ...raw, ...key }, stack, { VAULT_TOKEN: c.vaultToken, NOMAD_TOKEN: c.nomadToken });
}

const configOf = (keys: KeyValues): Record<string, unknown> =>
    Object.fromEntries(Object.entries(keys).map(([key, value]) => [fq(key), value]));

/** The configuration's own problems, as refusals (a name Vault took that the program's checks refuse, …). */
const asRefusals = (err: ConfigError): Refusal[] =>
    err.problems.map((problem) => ({
        subject: "the configuration that says what the cluster holds",
        reason: problem,
        fix: "The program cannot take this value; change it in the cluster, then adopt again.",
    }));

export async function planAdoption(stack: string, facts: ClusterFacts, files: VaultFiles, authPath?: string): Promise<AdoptionPlan> {
    const unread = facts.unread.map((line) => ({
        subject: "reading the cluster",
        reason: line,
        fix: "Give adopt's tokens read on what it reads (docs/external.md lists the policies), then adopt again.",
    }));
    // Without the right mount, what was read of it says nothing: nor does a failed read under a mount that is not there.
    const wrongMount = mountRefusals(facts, authPath);
    const underNoMount = (line: Refusal) => wrongMount.length > 0 && /^auth\//.test(line.reason);
    const unreadable = [...unread.filter((line) => !underNoMount(line)), ...wrongMount];
    if (unreadable.length > 0) {
        return refused(unreadable);
    }
    const refusals = identityRefusals(facts);
    if (refusals.length > 0) {
        return refused(refusals);
    }
    const keys = identityKeys(facts, files);
    let settings: Settings;
    try {
        settings = load(stack, configOf(keys), facts);
    } catch (err) {
        // loadSettings throws ConfigError only; anything else is a fault of the program, and fails adopt.
        return refused(asRefusals(err as ConfigError));
    }
    const identity = await identityDifferences(facts, settings);
    if (identity.refusals.length > 0) {
        return refused(identity.refusals);
    }
    const jobs = await adoptJobs(facts, settings);
    const config = {
        ...configOf(keys),
        ...(jobs.entries.length > 0 ? { [fq(WORKLOADS_KEY)]: jobs.entries } : {}),
        ...(Object.keys(jobs.namespaces).length > 0 ? { [fq(NAMESPACES_KEY)]: jobs.namespaces } : {}),
    };
    // The keys loaded already, and each job passed the guardrail beside those before it: a fault here is the program's.
    const final = load(stack, config, facts);
    return {
        refusals: [],
        config,
        importFile: importFile(stack, final, await checkedWorkloads(final)),
        workloads: jobs.taken,
        leftOut: jobs.leftOut,
        changes: [...identity.changes, ...jobs.changes],
        outside: outside(facts, settings, jobs.secretsRead),
    };
}

/** What the program leaves as it is. */
function outside(facts: ClusterFacts, settings: Settings, secretsRead: Array<{ job: string; path: string }>): string[] {
    const otherMounts = (facts.jwtMounts ?? []).filter((m) => m !== settings.jwtAuthPath);
    const kvExists = facts.kvMounts![settings.kvMount] !== undefined;
    return [
        ...(otherMounts.length > 0 ? [`the other JWT mounts [${otherMounts.join(", ")}]`] : []),
        kvExists
            ? `the KV mount ${settings.kvMount}/: the program writes into it only the secrets its configuration gives (createKvMount: false), and never deletes it`
            : `no KV mount ${settings.kvMount}/ exists, though the templated policy grants it: set createKvMount: true for the program to create it`,
        ...secretsRead.map(({ job, path }) => `the secret ${path}, read by ${job}: its value stays in Vault, never copied`),
        "the agents' vault blocks, in their configuration files (the stack's outputs nomadServerVaultConfig and nomadClientVaultConfig show what they hold)",
        "the tokens: the stack reads VAULT_TOKEN and NOMAD_TOKEN from the environment (or pulumi config set --secret vaultToken / nomadToken)",
    ];
}
