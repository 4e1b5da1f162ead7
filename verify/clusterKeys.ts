// What several Nomad clusters and one Vault say about trust: the keys each cluster signs with, the
// mount each cluster's agents log tasks in at, and the keys each JWT mount trusts (what its JWKS
// URLs serve, or its static keys). A key is compared by its public key, not its kid: static keys
// have no kid, and two clusters could reuse one.
import * as crypto from "crypto";
import { describe, json, request } from "./http";
import { Target } from "./types";
import { ClusterView } from "./viewTypes";

/** One cluster under check: its own target (its Nomad, the one Vault), and the mount the stack declares for it. */
export interface ClusterUnderCheck {
    readonly name: string;
    readonly target: Target;
    /** The JWT mount the stack gives this cluster; undefined in cluster mode (read from the agents). */
    readonly declaredMount?: string;
    /** What was read of it before the run (its discovery), for the run to go on from. */
    readonly view?: ClusterView;
}

export interface ClusterFacts {
    readonly name: string;
    readonly declaredMount?: string;
    /** The JWT paths its agents log tasks in at, without slashes. */
    readonly agentPaths: string[];
    /** The public keys its servers publish (SPKI, base64). */
    readonly keys: Set<string>;
    /** Why its keys could not be read, when they could not. */
    readonly keysUnread?: string;
    /** The IDs of its jobs that use Vault. */
    readonly jobIds: string[];
}

/** Where a mount's trusted keys come from: a JWKS URL (one of jwks_pairs), or its static keys. */
export interface KeySource {
    readonly from: string;
    readonly keys: Set<string>;
    /** Why the URL gave no keys, when it gave none. */
    readonly unread?: string;
}

export interface MountFacts {
    readonly path: string;
    readonly sources: KeySource[];
    /** The user_claim of the mount's default role. */
    readonly userClaim?: string;
    /** Why the mount's config could not be read, when it could not. */
    readonly unread?: string;
}

/** A public key's identity: its SPKI, base64; undefined for what is no key Node reads. */
function spkiOf(key: crypto.JsonWebKey | string): string | undefined {
    try {
        const object = typeof key === "string" ? crypto.createPublicKey(key) : crypto.createPublicKey({ key, format: "jwk" });
        return object.export({ type: "spki", format: "der" }).toString("base64");
    } catch {
        return undefined;
    }
}

/** The keys of a JWKS document. */
export function jwksKeys(body: { keys?: crypto.JsonWebKey[] } | undefined): Set<string> {
    return new Set((body?.keys ?? []).flatMap((k) => spkiOf(k) ?? []));
}

/** What a JWKS URL serves, fetched from here with the CA the mount gives Vault for it. */
async function fetchKeys(url: string, ca: string | undefined): Promise<KeySource> {
    const reply = await request(url, { ca });
    return { from: url, keys: jwksKeys(json(reply)), ...(reply.status === 200 ? {} : { unread: describe(reply) }) };
}

/** A cluster's agents' mounts, its published keys and its Vault jobs, through its run's view. */
export async function readCluster(cluster: ClusterUnderCheck, view: ClusterView): Promise<ClusterFacts> {
    const agents = await view.agents();
    const agentPaths = [...new Set(agents.found.flatMap((a) => (a.enabled && a.jwtPath ? [a.jwtPath.replace(/\/+$/, "")] : [])))];
    const reply = await view.jwks(cluster.target.nomadAddress);
    const jobs = await view.vaultJobs();
    return {
        name: cluster.name,
        declaredMount: cluster.declaredMount,
        agentPaths,
        keys: jwksKeys(json(reply)),
        ...(reply.status === 200 ? {} : { keysUnread: describe(reply) }),
        jobIds: [...new Set(jobs.map((j) => j.id))],
    };
}

/** A mount's config: the keys it trusts, source by source, and its default role's user_claim. */
export async function readMount(path: string, view: ClusterView): Promise<MountFacts> {
    const reply = await view.vault(`auth/${path}/config`);
    // Vault's errors carry no data.
    const config = json(reply)?.data;
    if (!config) {
        return { path, sources: [], unread: describe(reply) };
    }
    const pubkeys: string[] = config.jwt_validation_pubkeys ?? [];
    const pairs: Array<{ jwks_url: string; jwks_ca_pem?: string }> = config.jwks_pairs ?? [];
    const urls = config.jwks_url ? [{ jwks_url: config.jwks_url as string, jwks_ca_pem: config.jwks_ca_pem as string }, ...pairs] : pairs;
    const sources = await Promise.all(urls.map((p) => fetchKeys(p.jwks_url, p.jwks_ca_pem)));
    if (pubkeys.length > 0) {
        sources.push({ from: "jwt_validation_pubkeys", keys: new Set(pubkeys.flatMap((k) => spkiOf(k) ?? [])) });
    }
    const role = config.default_role ? await view.vault(`auth/${path}/role/${config.default_role}`) : undefined;
    return { path, sources, userClaim: role && json(role)?.data?.user_claim };
}

export const overlaps = (a: Set<string>, b: Set<string>) => [...a].some((k) => b.has(k));

/** The mounts the clusters use: those the stack declares and those their agents name. */
export function mountsInUse(clusters: ClusterFacts[]): string[] {
    return [...new Set(clusters.flatMap((c) => [...(c.declaredMount ? [c.declaredMount] : []), ...c.agentPaths]))];
}

/** The clusters that log in at a mount, or should. */
export const usersOf = (path: string, clusters: ClusterFacts[]) =>
    clusters.filter((c) => c.declaredMount === path || c.agentPaths.includes(path));
