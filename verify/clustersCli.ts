// vaultnomad-verify over several Nomad clusters and one Vault: --nomad-addr given more than once
// (each `name=address`, or named by its host), or --clusters <file>, a JSON list of clusters whose
// fields are the connection flags' names. Each cluster's expectations are read from it (discover.ts);
// every other flag and variable is shared.
import * as fs from "fs";
import type { CONNECTION_FLAGS } from "./cli";
import { UsageError } from "./cli";
import { ClusterUnderCheck } from "./clusterKeys";
import { runAndPrintClusters } from "./clustersRun";
import { Connection, discoverTarget, Narrowing } from "./discover";
import { RunSettings } from "./run";

type Flag = keyof typeof CONNECTION_FLAGS;
/** A cluster as the command line or the file gives it: its name, and the flags that are its own. */
export interface ClusterEntry {
    readonly name: string;
    readonly flags: Partial<Record<Flag, string>>;
}

/** Only Nomad's flags may differ between clusters: they share one Vault. A function, evaluated per call (see settings/workloads.ts). */
const ownFlags = () => [
    "nomad-addr",
    "nomad-token",
    "nomad-region",
    "nomad-namespace",
    "nomad-cacert",
    "nomad-client-cert",
    "nomad-client-key",
    "nomad-skip-verify",
];

/** `name=address`, or an address named by its host. */
export function entryOfAddress(text: string): ClusterEntry {
    const named = /^([a-z0-9][a-z0-9-]*)=(.+)$/.exec(text);
    const address = named ? named[2] : text;
    const host = URL.parse(address)?.hostname;
    if (!host) {
        throw new UsageError(`--nomad-addr ${text}: want an address such as https://nomad-east:4646, or name=address.`);
    }
    return { name: named ? named[1] : host, flags: { "nomad-addr": address } };
}

/** The clusters of a --clusters file. */
export function entriesOfFile(file: string): ClusterEntry[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new UsageError(`--clusters ${file}: not a readable JSON file (${(err as Error).message}).`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0) {
        throw new UsageError(
            `--clusters ${file}: want a list of clusters, such as [{"name": "east", "nomad-addr": "https://nomad-east:4646"}].`,
        );
    }
    return parsed.map((entry, i) => {
        const fields = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {};
        const unknown = Object.keys(fields).filter((f) => f !== "name" && !ownFlags().includes(f));
        if (typeof fields.name !== "string" || !fields.name || typeof fields["nomad-addr"] !== "string" || unknown.length > 0) {
            throw new UsageError(
                `--clusters ${file}: entry ${i} wants a name, a nomad-addr and only ${ownFlags().slice(1).join(", ")}${unknown.length ? ` (not ${unknown.join(", ")})` : ""}.`,
            );
        }
        const { name, ...flags } = fields;
        return { name: name as string, flags: flags as ClusterEntry["flags"] };
    });
}

/** Names are ids: two clusters of one name would be one. */
function checkNames(entries: ClusterEntry[]): void {
    const names = entries.map((e) => e.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) {
        throw new UsageError(`two clusters are named ${twice}: name each, as --nomad-addr name=address.`);
    }
}

export interface ClustersRequest {
    readonly entries: ClusterEntry[];
    /** The shared flags and variables. */
    readonly setting: (flag: Flag) => string | undefined;
    readonly connection: (setting: (flag: Flag) => string | undefined) => Connection;
    readonly narrowing: Narrowing;
    readonly settings: RunSettings;
    readonly json: boolean;
}

/** Discovers each cluster, runs the checks, prints them; true when no check failed. */
export async function runClusters(request: ClustersRequest, out: (text: string) => void): Promise<boolean> {
    checkNames(request.entries);
    const clusters: ClusterUnderCheck[] = [];
    for (const entry of request.entries) {
        const reach = request.connection((flag) => entry.flags[flag] ?? request.setting(flag));
        const { target, expectations, view } = await discoverTarget(reach, request.narrowing, request.settings);
        if (!request.json) {
            expectations.forEach((line) => out(`expect: ${entry.name}: ${line}`));
        }
        clusters.push({ name: entry.name, target, view });
    }
    const label = `clusters ${clusters.map((c) => c.name).join(", ")}`;
    const results = await runAndPrintClusters(label, clusters, { ...request.settings, json: request.json }, out);
    return results.every((r) => r.status !== "fail");
}
