import * as assert from "assert";
import { execFileSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import { pemKeyPair } from "./harness";
import { buildJwks, jwkFromPublicKeyPem, kidFromPublicKeyPem, signingAlgorithms } from "../../components/jwks";

// The kid computed by the openssl command line, independently of Node's crypto: DER SubjectPublicKeyInfo, SHA-256,
// base64url without padding.
function opensslKid(publicKeyPem: string): string {
    const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "DER"], { input: publicKeyPem });
    const digest = execFileSync("openssl", ["dgst", "-sha256", "-binary"], { input: der });
    return digest.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const rsa = pemKeyPair("RSA").publicKeyPem;
const p256 = pemKeyPair("P-256").publicKeyPem;
const p384 = pemKeyPair("P-384").publicKeyPem;

describe("jwks", () => {
    it("computes the kid as Kubernetes does, matching openssl for RSA and EC keys", () => {
        for (const pem of [rsa, p256, p384]) {
            assert.strictEqual(kidFromPublicKeyPem(pem), opensslKid(pem));
            assert.match(kidFromPublicKeyPem(pem), /^[A-Za-z0-9_-]{43}$/);
        }
    });

    it("accepts the PKCS#1 RSA public keys some tools emit and gives the same kid", () => {
        const pkcs1 = generateKeyPairSync("rsa", {
            modulusLength: 2048,
            publicKeyEncoding: { type: "pkcs1", format: "pem" },
            privateKeyEncoding: { type: "pkcs8", format: "pem" },
        }).publicKey;
        const asSpki = execFileSync("openssl", ["rsa", "-RSAPublicKey_in", "-pubout"], {
            input: pkcs1,
            stdio: ["pipe", "pipe", "ignore"],
        }).toString();
        assert.strictEqual(kidFromPublicKeyPem(pkcs1), kidFromPublicKeyPem(asSpki));
    });

    it("builds JWKs with use, kty, kid, alg and public parameters only", () => {
        const jwk = jwkFromPublicKeyPem(rsa);
        assert.deepStrictEqual(Object.keys(jwk).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
        assert.deepStrictEqual([jwk.use, jwk.kty, jwk.alg, jwk.e], ["sig", "RSA", "RS256", "AQAB"]);
        const ec = jwkFromPublicKeyPem(p256);
        assert.deepStrictEqual([ec.kty, ec.alg, ec.crv], ["EC", "ES256", "P-256"]);
        assert.strictEqual(jwkFromPublicKeyPem(p384).alg, "ES384");
    });

    it("keeps the given order, drops duplicates and is byte-identical for the same keys", () => {
        const jwks = buildJwks([p256, rsa, p256]);
        assert.deepStrictEqual(
            jwks.keys.map((k) => k.kid),
            [kidFromPublicKeyPem(p256), kidFromPublicKeyPem(rsa)],
        );
        assert.strictEqual(JSON.stringify(buildJwks([p256, rsa])), JSON.stringify(jwks));
        assert.deepStrictEqual(signingAlgorithms(jwks), ["ES256", "RS256"]);
    });

    it("says what is wrong with a value that is not a public key", () => {
        assert.throws(() => kidFromPublicKeyPem("not a key"), /^Error: not a PEM public key/);
    });
});
