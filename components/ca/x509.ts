// What keyshift reports of a certificate, read from its PEM with Node's own X.509 parser. Pure: tested alone.

import { X509Certificate, createHash, createPublicKey } from "crypto";
import { parseRotationDate } from "../ring/dates";
import { Ledger } from "../ring/ring";

/** A certificate's identity and validity, as reviewers and pipelines compare them. Never key material. */
export interface CertificateFacts {
    /** The serial number, upper-case hex, as `openssl x509 -serial` prints it. */
    serialNumber: string;
    /** The subject key identifier: SHA-1 of the subject public key's bits (RFC 5280 4.2.1.2, method 1), hex. */
    subjectKeyId: string;
    /** Validity bounds, RFC 3339. */
    notBefore: string;
    /** The end of the validity, RFC 3339. */
    notAfter: string;
}

/**
 * The subjectPublicKey bits of a SubjectPublicKeyInfo: its DER is SEQUENCE { AlgorithmIdentifier, BIT STRING }, and
 * the identifier hashes the BIT STRING's contents after the unused-bits byte.
 */
function subjectPublicKeyBits(spki: Buffer): Buffer {
    let at = 0;
    const header = (): { length: number } => {
        at++; // tag
        let length = spki[at++];
        if (length & 0x80) {
            const bytes = length & 0x7f;
            length = 0;
            for (let i = 0; i < bytes; i++) length = length * 256 + spki[at++];
        }
        return { length };
    };
    header(); // the outer SEQUENCE
    const algorithm = header();
    at += algorithm.length;
    const bits = header();
    return spki.subarray(at + 1, at + bits.length);
}

/** The subject key identifier of a public key, as certificates from the tls provider carry it. */
export function subjectKeyIdOf(publicKeyPem: string): string {
    const spki = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
    return createHash("sha1").update(subjectPublicKeyBits(spki)).digest("hex").toUpperCase();
}

/** The facts of a PEM certificate. */
export function certificateFacts(certPem: string): CertificateFacts {
    const cert = new X509Certificate(certPem);
    return {
        serialNumber: cert.serialNumber.toUpperCase(),
        subjectKeyId: subjectKeyIdOf(cert.publicKey.export({ type: "spki", format: "pem" }).toString()),
        notBefore: new Date(cert.validFrom).toISOString(),
        notAfter: new Date(cert.validTo).toISOString(),
    };
}

/**
 * Why a CA certificate that stays trusted is a problem, or undefined: it expires (`notAfter`, RFC 3339) before the next
 * rotation the ring allows (`ledger.rotatedDate` + `minIntervalMs`), so clients would meet an expired CA in their
 * bundle, or a CA that signs would expire before it can be replaced. Revoked slots are not trusted.
 */
export function expiresTooSoon(
    ledger: Ledger,
    slot: number,
    notAfter: string,
    minIntervalMs: number,
    label: string,
): string | undefined {
    const record = ledger.slots[slot];
    const until = (parseRotationDate(ledger.rotatedDate) ?? 0) + minIntervalMs;
    if (record.revokedOn || Date.parse(notAfter) >= until) {
        return undefined;
    }
    return `${label} = ${JSON.stringify(ledger.rotatedDate)}: the CA certificate generated for ${record.date} (generation ${record.generation}) stays trusted but expires on ${notAfter}, before the next rotation is allowed (${new Date(until).toISOString()}); rotate sooner, or give new CAs a longer validityPeriodHours`;
}
