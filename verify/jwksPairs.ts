// A JWT mount that trusts several Nomad clusters holds their JWKS as jwks_pairs (vault-plugin-auth-jwt 0.20 and
// later; path_config.go, jwks_pairs.go): a list of {"jwks_ca_pem", "jwks_url"} objects, with jwks_url and
// jwks_ca_pem of the config itself "". This cluster's pair is the one at its JWKS URL, or else the one whose keys
// are its keys; Vault verifies its identities with that pair's keys, fetched with that pair's CA.
import { nomadTls } from "./clients";
import { json, request } from "./http";
import { fail } from "./outcome";
import { Outcome, Target } from "./types";
import { ClusterView } from "./viewTypes";

export interface JwksPair {
    readonly jwks_url: string;
    readonly jwks_ca_pem: string;
}

/** Where Vault fetches this cluster's keys, and the CA it trusts there. */
export interface KeySource {
    readonly url: string;
    readonly ca: string;
}

/** The config's pairs; none when it has none (null, [], or a plugin before 0.20 that does not send the field). */
export function jwksPairs(config: Record<string, unknown>): JwksPair[] {
    const pairs = Array.isArray(config.jwks_pairs) ? (config.jwks_pairs as Array<Record<string, unknown>>) : [];
    return pairs.map((pair) => ({ jwks_url: String(pair.jwks_url ?? ""), jwks_ca_pem: String(pair.jwks_ca_pem ?? "") }));
}

/** This cluster's JWKS as verify reaches it. */
export const ownJwksUrl = (t: Target) => `${t.nomadAddress.replace(/\/$/, "")}/.well-known/jwks.json`;

const kidsOf = (body: unknown): string[] => {
    const keys = (body as { keys?: Array<{ kid?: string }> } | undefined)?.keys;
    return Array.isArray(keys) ? keys.map((key) => String(key.kid)).sort() : [];
};

/** The pair that serves this cluster's keys: at its URL, or else with the same key IDs (fetched from Vault's side when verify can). */
async function clusterPair(t: Target, view: ClusterView, pairs: JwksPair[]): Promise<JwksPair | undefined> {
    const own = ownJwksUrl(t);
    const atOwnUrl = pairs.find((pair) => pair.jwks_url === own);
    if (atOwnUrl) {
        return atOwnUrl;
    }
    const ours = kidsOf(json(await view.jwks(t.nomadAddress))).join(",");
    const fetched = await Promise.all(
        pairs.map((pair) =>
            t.fetchFromVault
                ? t.fetchFromVault(pair.jwks_url)
                : request(pair.jwks_url, { ...nomadTls(t), ca: pair.jwks_ca_pem || t.nomadCaPem }),
        ),
    );
    return ours ? pairs.find((_pair, i) => kidsOf(json(fetched[i])).join(",") === ours) : undefined;
}

/**
 * Where Vault fetches this cluster's keys under jwks_pairs: undefined for a config without pairs, a failure naming
 * the mount and the URLs when no pair serves this cluster's keys.
 */
export async function pairSource(t: Target, view: ClusterView, config: Record<string, unknown>): Promise<KeySource | Outcome | undefined> {
    const pairs = jwksPairs(config);
    if (!pairs.length) {
        return undefined;
    }
    const pair = await clusterPair(t, view, pairs);
    return pair ? { url: pair.jwks_url, ca: pair.jwks_ca_pem } : missingPair(t, pairs);
}

function missingPair(t: Target, pairs: JwksPair[]): Outcome {
    const own = ownJwksUrl(t);
    const ca = own.startsWith("https:") ? '"$(cat nomad-ca.pem)"' : '""';
    return fail(
        `auth/${t.jwtPath}/config: jwks_pairs [${pairs.map((p) => p.jwks_url).join(", ")}] has no pair for this cluster's JWKS ${own}, and none serves its keys`,
        `Mount ${t.jwtPath}/ verifies identities only with the keys of its jwks_pairs: this cluster's logins fail with "failed to verify id token signature".`,
        `Add this cluster's pair and keep the others; a config write replaces every field, so write back what Vault has: ` +
            `vault read -format=json auth/${t.jwtPath}/config | jq --arg ca ${ca} '.data | .jwks_pairs += [{"jwks_url": "${own}", "jwks_ca_pem": $ca}]' | vault write auth/${t.jwtPath}/config - ` +
            `(use the address of this cluster's JWKS as Vault's network reaches it).`,
    );
}
