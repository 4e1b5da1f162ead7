// How Vault's JWT method and roles read Nomad's identities: the signing algorithms it accepts and
// the claims every role maps to alias metadata, as the keys jwtSupportedAlgs and claimMappings write them.
import { fq } from "./keys";

/** The algorithms Vault's JWT method accepts (hashicorp/cap jwt/algs.go, supportedAlgorithms). */
const VAULT_ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"];

/** The alias metadata the templated policy reads: each must come from the claim of the same name. */
export const POLICY_METADATA = ["nomad_namespace", "nomad_job_id"];

const items = (text: string) => text.split(",").map((item) => item.trim());

/** The algorithms of `jwtSupportedAlgs`, in their order (Vault keeps it); a problem for each fault. */
export function readAlgs(text: string, problems: string[]): string[] {
    const algs = items(text);
    const unknown = algs.filter((alg) => !VAULT_ALGS.includes(alg));
    if (unknown.length > 0) {
        problems.push(
            `${fq("jwtSupportedAlgs")}: ${unknown.map((a) => JSON.stringify(a)).join(", ")}: Vault accepts ${VAULT_ALGS.join(", ")}.`,
        );
    } else if (new Set(algs).size !== algs.length) {
        problems.push(`${fq("jwtSupportedAlgs")}: "${text}" names an algorithm twice.`);
    } else if (!algs.includes("RS256") && !algs.includes("EdDSA")) {
        problems.push(`${fq("jwtSupportedAlgs")}: "${text}": Nomad signs identities with RS256 or EdDSA; accept at least one of them.`);
    }
    return algs;
}

/** `claimMappings` as a map from claim to metadata name: "claim" maps a claim to its own name, "claim=name" renames it. */
export function readClaimMappings(text: string, problems: string[]): Record<string, string> {
    const mappings: Record<string, string> = {};
    for (const item of items(text)) {
        const [claim, metadata = claim, ...rest] = item.split("=").map((part) => part.trim());
        if (!/^[^\s=]+$/.test(claim) || !/^[^\s=]+$/.test(metadata) || rest.length > 0) {
            problems.push(`${fq("claimMappings")}: "${item}" is neither a claim nor claim=metadata.`);
        } else if (claim in mappings) {
            problems.push(`${fq("claimMappings")}: maps the claim ${claim} twice.`);
        } else {
            mappings[claim] = metadata;
        }
    }
    for (const needed of POLICY_METADATA.filter((name) => mappings[name] !== name)) {
        problems.push(`${fq("claimMappings")}: the templated policy reads the alias metadata ${needed}: map the claim ${needed} to it.`);
    }
    return mappings;
}

/** The `claimMappings` text of a map: the inverse of readClaimMappings. */
export function claimMappingsText(mappings: Record<string, string>): string {
    return Object.entries(mappings)
        .map(([claim, metadata]) => (claim === metadata ? claim : `${claim}=${metadata}`))
        .join(",");
}
