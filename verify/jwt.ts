// Just enough JWT for verify: decode a workload identity and check its signature against a JWKS.
import * as crypto from "crypto";

export interface DecodedJwt {
    readonly header: { alg?: string; kid?: string };
    readonly payload: Record<string, any>;
    readonly signingInput: string;
    readonly signature: Buffer;
}

export function decodeJwt(jwt: string): DecodedJwt | undefined {
    const parts = jwt.trim().split(".");
    if (parts.length !== 3) {
        return undefined;
    }
    try {
        const [header, payload] = parts.slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString("utf8")));
        return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], "base64url") };
    } catch {
        return undefined;
    }
}

/** True when `jwt` was signed by the key `jwk` (RS256 or EdDSA, the algorithms Nomad uses). */
export function signatureValid(jwt: DecodedJwt, jwk: crypto.JsonWebKey): boolean {
    const key = crypto.createPublicKey({ key: jwk, format: "jwk" });
    const digest = jwt.header.alg === "RS256" ? "sha256" : null;
    return crypto.verify(digest, Buffer.from(jwt.signingInput), key, jwt.signature);
}

/** Signs claims as Nomad does; tests use it to make real identities. */
export function signJwt(claims: Record<string, unknown>, key: crypto.KeyObject, kid: string): string {
    const alg = key.asymmetricKeyType === "ed25519" ? "EdDSA" : "RS256";
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const signingInput = `${encode({ alg, kid, typ: "JWT" })}.${encode(claims)}`;
    const signature = crypto.sign(alg === "RS256" ? "sha256" : null, Buffer.from(signingInput), key);
    return `${signingInput}.${signature.toString("base64url")}`;
}
