// Public keys as verifiers see them: the Kubernetes `kid`, JWKs and the JWKS document (`keys.json`).
// Node's own crypto does the parsing, so any PEM the tls provider emits (PKCS#1 or SPKI) is accepted.

import { createHash, createPublicKey, KeyObject } from "crypto";

/** A public JSON Web Key as an OIDC issuer publishes it. */
export interface PublicJwk {
    /** Always `sig`: the key verifies signatures. */
    use: "sig";
    /** Key type. */
    kty: "RSA" | "EC";
    /** The key id Kubernetes computes: unpadded base64url of the SHA-256 of the DER SubjectPublicKeyInfo. */
    kid: string;
    /** The signing algorithm tokens signed by this key use. */
    alg: "RS256" | "ES256" | "ES384" | "ES512";
    /** RSA modulus, base64url. */
    n?: string;
    /** RSA public exponent, base64url (`AQAB`). */
    e?: string;
    /** EC curve: `P-256`, `P-384` or `P-521`. */
    crv?: string;
    /** EC public point x, base64url. */
    x?: string;
    /** EC public point y, base64url. */
    y?: string;
}

/** A JSON Web Key Set. */
export interface Jwks {
    /** The trusted keys, the signing key first. */
    keys: PublicJwk[];
}

function publicKey(pem: string): KeyObject {
    try {
        return createPublicKey(pem);
    } catch (error) {
        throw new Error(`not a PEM public key (${(error as Error).message})`);
    }
}

/**
 * The key id Kubernetes gives a service-account signing key: the unpadded base64url encoding of the SHA-256 digest of
 * the public key's DER-encoded SubjectPublicKeyInfo.
 */
export function kidFromPublicKeyPem(pem: string): string {
    const der = publicKey(pem).export({ type: "spki", format: "der" });
    return createHash("sha256").update(der).digest("base64url");
}

const EC_ALGORITHMS: Record<string, PublicJwk["alg"]> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/** The JWK of a public key, with `use`, `kid` (Kubernetes' algorithm) and `alg` set as API servers publish them. */
export function jwkFromPublicKeyPem(pem: string): PublicJwk {
    const key = publicKey(pem);
    const kid = kidFromPublicKeyPem(pem);
    const jwk = key.export({ format: "jwk" });
    if (jwk.kty === "RSA") {
        return { use: "sig", kty: "RSA", kid, alg: "RS256", n: jwk.n, e: jwk.e };
    }
    if (jwk.kty === "EC" && jwk.crv && EC_ALGORITHMS[jwk.crv]) {
        return { use: "sig", kty: "EC", kid, alg: EC_ALGORITHMS[jwk.crv], crv: jwk.crv, x: jwk.x, y: jwk.y };
    }
    throw new Error(
        `unsupported public key type ${String(jwk.kty)}${jwk.crv ? ` (${jwk.crv})` : ""}: use RSA or ECDSA P-256/P-384/P-521`,
    );
}

/**
 * The JWKS of the given public keys in the order given (keyshift passes primary first), without duplicates, so the
 * document is byte-identical for the same keys.
 */
export function buildJwks(pems: readonly string[]): Jwks {
    const seen = new Set<string>();
    const keys: PublicJwk[] = [];
    for (const pem of pems) {
        const jwk = jwkFromPublicKeyPem(pem);
        if (!seen.has(jwk.kid)) {
            seen.add(jwk.kid);
            keys.push(jwk);
        }
    }
    return { keys };
}

/** The signing algorithms a JWKS's keys use, sorted, for the discovery document. */
export function signingAlgorithms(jwks: Jwks): string[] {
    return [...new Set(jwks.keys.map((key) => key.alg))].sort();
}

/** Reads a JWKS given as text or as a document; throws an Error saying what is wrong with it. */
export function readJwks(value: string | Jwks): Jwks {
    const doc = (typeof value === "string" ? JSON.parse(value) : value) as Partial<Jwks> | null;
    if (!doc || !Array.isArray(doc.keys)) {
        throw new Error('it has no "keys" array');
    }
    return doc as Jwks;
}
