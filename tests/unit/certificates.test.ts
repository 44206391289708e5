import * as assert from "assert";
import { execFileSync } from "child_process";
import { X509Certificate } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { Harness, pemKeyPair, valueOf } from "./harness";
import { CertificateAuthorityKeyset } from "../../components/ca/certificateAuthorityKeyset";
import { TlsCertificateSecret } from "../../components/ca/tlsCertificateSecret";
import { certificateFacts, expiresTooSoon, subjectKeyIdOf } from "../../components/ca/x509";
import { planRotation } from "../../components/ring/ring";

// CertificateAuthorityKeyset and TlsCertificateSecret under mocks, with real certificates made by openssl from the
// inputs each tls resource receives (tests/unit/harness.ts), so chains and facts are checked for real.

const CERT = "tls:index/selfSignedCert:SelfSignedCert";
const KEY = "tls:index/privateKey:PrivateKey";

const certsIn = (bundle: string): string[] =>
    bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];

async function keyset(harness: Harness, rotatedDate: string, extra: object = {}) {
    await harness.newRun();
    const ca = new CertificateAuthorityKeyset("cluster-ca", {
        rotatedDate,
        configPath: "keyshift:clusterCa",
        subject: { commonName: "kubernetes-ca", organization: "keyshift" },
        ...extra,
    });
    return {
        ca,
        bundle: await valueOf(ca.trustBundle),
        primary: await valueOf(ca.primary.certPem),
        next: await valueOf(ca.next.certPem),
        previous: await valueOf(ca.previous.certPem),
    };
}

describe("CertificateAuthorityKeyset", () => {
    it("declares three CA keys and self-signed CA certificates, keyed by generation, with the subject asked for", async () => {
        const harness = new Harness();
        await keyset(harness, "2026-01-01");
        assert.deepStrictEqual(
            harness.byType(KEY).map((key) => key.inputs),
            [1, 2, 3].map(() => ({ algorithm: "RSA", rsaBits: 2048 })),
        );
        const certs = harness.byType(CERT);
        assert.deepStrictEqual(
            certs.map((cert) => cert.name),
            ["cluster-ca-slot0-cert", "cluster-ca-slot1-cert", "cluster-ca-slot2-cert"],
        );
        const { privateKeyPem, ...inputs } = certs[0].inputs;
        assert.match(privateKeyPem, /BEGIN PRIVATE KEY/);
        assert.ok(certs[0].secretInputs.includes("privateKeyPem"));
        assert.deepStrictEqual(inputs, {
            isCaCertificate: true,
            setSubjectKeyId: true,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            validityPeriodHours: 87600,
            subject: { commonName: "kubernetes-ca", organization: "keyshift" },
        });
    });

    it("trusts every CA, oldest first, before it signs; a bump promotes the staged CA and stages one new one", async () => {
        const harness = new Harness();
        const first = await keyset(harness, "2026-01-01");
        assert.strictEqual(await pulumi.isSecret(first.ca.primary.privateKeyPem), true);
        assert.strictEqual(await pulumi.isSecret(first.ca.trustBundle), false);
        // Generations 1, 2, 3 are slots 0, 1, 2 at creation: the bundle is in that order.
        assert.deepStrictEqual(certsIn(first.bundle), [first.primary, first.next, first.previous]);
        assert.strictEqual(Buffer.from(await valueOf(first.ca.kubeconfigCaData), "base64").toString(), first.bundle);

        const bumped = await keyset(harness, "2026-03-01");
        assert.strictEqual(harness.generatedThisRun, 1, "one new CA key");
        assert.strictEqual(bumped.primary, first.next, "the staged CA signs now, byte for byte");
        assert.strictEqual(bumped.previous, first.primary);
        // Generation 3 (the old previous, never a signer) left; the new next is generation 4, newest last.
        assert.deepStrictEqual(certsIn(bumped.bundle), [first.primary, first.next, bumped.next]);
        assert.ok(!bumped.bundle.includes(first.previous));
    });

    it("reports each certificate's serial, subject key id and validity as openssl reads them", async () => {
        const harness = new Harness();
        const { ca, primary } = await keyset(harness, "2026-01-01");
        const facts = (await valueOf(ca.primary.facts))!;
        const openssl = (...args: string[]) =>
            execFileSync("openssl", ["x509", "-noout", ...args], { input: primary }).toString();
        assert.strictEqual(`serial=${facts.serialNumber}\n`, openssl("-serial"));
        const cert = new X509Certificate(primary);
        assert.strictEqual(facts.notAfter, new Date(cert.validTo).toISOString());
        // openssl adds a subject key id to the certificates it makes; the tls provider computes it the same way.
        const ski = openssl("-ext", "subjectKeyIdentifier").split("\n")[1].trim().replace(/:/g, "");
        assert.strictEqual(facts.subjectKeyId, ski);
        assert.strictEqual(subjectKeyIdOf(cert.publicKey.export({ type: "spki", format: "pem" }).toString()), ski);
    });

    it("re-issues a leaf when the signing CA changes, and only then", async () => {
        const harness = new Harness();
        const leafAt = async (rotatedDate: string, extra: object = {}) => {
            const { ca } = await keyset(harness, rotatedDate, extra);
            const leaf = ca.issueCertificate("apiserver", {
                privateKeyPem: LEAF_KEY,
                subject: { commonName: "kube-apiserver" },
                dnsNames: ["kubernetes.default.svc"],
            });
            const pem = await valueOf(leaf.certPem);
            const signer = new X509Certificate(await valueOf(ca.primary.certPem));
            assert.ok(new X509Certificate(pem).verify(signer.publicKey), "signed by the primary CA");
            return pem;
        };
        const d1 = await leafAt("2026-01-01");
        assert.strictEqual(await leafAt("2026-01-01"), d1, "same config: same leaf");
        assert.strictEqual(await leafAt("2026-01-01", { validityPeriodHours: 43800 }), d1, "a settings change waits");
        const d2 = await leafAt("2026-03-01", { validityPeriodHours: 43800 });
        assert.notStrictEqual(d2, d1);
        assert.notStrictEqual(await leafAt("2026-01-01", { validityPeriodHours: 43800 }), d2, "a rollback re-signs");
    });

    it("refuses bad input with one line naming the config key", async () => {
        const harness = new Harness();
        await harness.newRun();
        const refusal = (extra: object) => {
            try {
                new CertificateAuthorityKeyset("ca", {
                    rotatedDate: "2026-01-01",
                    configPath: "keyshift:clusterCa",
                    ...extra,
                });
            } catch (e: any) {
                return `${e.propertyPath}: ${e.reason}`;
            }
            return "accepted";
        };
        assert.strictEqual(
            refusal({ algorithm: "DSA" }),
            'keyshift:clusterCa.algorithm: "DSA" is not supported: use one of RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384',
        );
        assert.strictEqual(
            refusal({ validityPeriodHours: 0.5 }),
            "keyshift:clusterCa.validityPeriodHours: 0.5 is not a whole number of hours of at least 1",
        );
    });
});

describe("a CA that would expire before the next allowed rotation", () => {
    it("is refused exactly when a trusted certificate ends before rotatedDate + minRotationInterval", () => {
        const day = 86_400_000;
        fc.assert(
            fc.property(
                fc.integer({ min: -30, max: 30 }),
                fc.integer({ min: 0, max: 14 }),
                (offsetDays, intervalDays) => {
                    const ledger = planRotation(undefined, {
                        rotatedDate: "2026-06-01",
                        minRotationInterval: "1d",
                        slotCount: 3,
                        staged: 1,
                        label: "keyshift:clusterCa.rotatedDate",
                    }).ledger;
                    const notAfter = new Date(Date.parse("2026-06-01") + offsetDays * day).toISOString();
                    const problem = expiresTooSoon(
                        ledger,
                        0,
                        notAfter,
                        intervalDays * day,
                        "keyshift:clusterCa.rotatedDate",
                    );
                    assert.strictEqual(problem !== undefined, offsetDays < intervalDays);
                    if (problem)
                        assert.match(
                            problem,
                            /^keyshift:clusterCa.rotatedDate = "2026-06-01": the CA certificate generated for 2026-06-01 \(generation 1\) stays trusted but expires on /,
                        );
                },
            ),
        );
    });

    it("reads its facts from any certificate openssl makes", () => {
        const pem = execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "/dev/null",
                "-subj",
                "/CN=t",
                "-days",
                "3",
            ],
            { stdio: ["ignore", "pipe", "ignore"] },
        ).toString();
        const facts = certificateFacts(pem);
        assert.match(facts.serialNumber, /^[0-9A-F]+$/);
        assert.match(facts.subjectKeyId, /^[0-9A-F]{40}$/);
        assert.ok(Date.parse(facts.notAfter) - Date.parse(facts.notBefore) === 3 * 86_400_000);
    });
});

const LEAF_KEY = pemKeyPair("P-256").privateKeyPem;

describe("TlsCertificateSecret", () => {
    async function declare(harness: Harness, rotatedDate: string, caDate = "2026-01-01", mutable = true) {
        await harness.newRun();
        const ca = new CertificateAuthorityKeyset("ca", { rotatedDate: caDate });
        const provider = new k8s.Provider("cluster", mutable ? { enableSecretMutable: true } : {});
        const tlsSecret = new TlsCertificateSecret("web", {
            rotatedDate,
            provider,
            name: "web-tls",
            namespace: "ingress",
            ca,
            dnsNames: ["web.example.com"],
            restartWorkloads: [{ kind: "Deployment", namespace: "ingress", name: "gateway" }],
        });
        return { ca, tlsSecret };
    }

    it("publishes a kubernetes.io/tls Secret: leaf then CA in tls.crt, the key in tls.key, all secret", async () => {
        const harness = new Harness();
        const { ca, tlsSecret } = await declare(harness, "2026-01-01");
        await valueOf(tlsSecret.secret.urn);
        await harness.settled();
        const secret = harness.byType("kubernetes:core/v1:Secret")[0];
        assert.strictEqual(secret.inputs.type, "kubernetes.io/tls");
        assert.deepStrictEqual(secret.inputs.metadata, {
            name: "web-tls",
            namespace: "ingress",
            labels: { "app.kubernetes.io/managed-by": "keyshift" },
        });
        assert.ok(secret.secretInputs.includes("stringData"));
        const chain: string[] = certsIn(secret.inputs.stringData["tls.crt"]);
        assert.deepStrictEqual(chain, [await valueOf(tlsSecret.primary.certPem), await valueOf(ca.primary.certPem)]);
        assert.strictEqual(secret.inputs.stringData["tls.key"], await valueOf(tlsSecret.primary.privateKeyPem));
        assert.strictEqual(await pulumi.isSecret(tlsSecret.previous.privateKeyPem), true);
        const leaf = new X509Certificate(chain[0]);
        assert.strictEqual(leaf.subjectAltName, "DNS:web.example.com");
        assert.ok(harness.byType("kubernetes:apps/v1:DeploymentPatch").length === 1);
    });

    it("a bump issues one new key and certificate into the primary slot; the previous pair stays for a rollback", async () => {
        const harness = new Harness();
        const first = await declare(harness, "2026-01-01");
        const oldPrimary = await valueOf(first.tlsSecret.primary.certPem);
        const bumped = await declare(harness, "2026-02-01");
        assert.strictEqual(await valueOf(bumped.tlsSecret.previous.certPem), oldPrimary);
        assert.notStrictEqual(await valueOf(bumped.tlsSecret.primary.certPem), oldPrimary);
        assert.strictEqual(harness.generatedThisRun, 1);
    });

    it("a rotation of the signing CA re-issues the certificates for the same keys", async () => {
        const harness = new Harness();
        const first = await declare(harness, "2026-01-01", "2026-01-01");
        const before = await valueOf(first.tlsSecret.primary.certPem);
        const rotatedCa = await declare(harness, "2026-01-01", "2026-03-01");
        const after = await valueOf(rotatedCa.tlsSecret.primary.certPem);
        assert.notStrictEqual(after, before);
        const leafKey = (pem: string) => new X509Certificate(pem).publicKey.export({ type: "spki", format: "pem" });
        assert.strictEqual(leafKey(after), leafKey(before), "same key");
        assert.ok(
            new X509Certificate(after).verify(
                new X509Certificate(await valueOf(rotatedCa.ca.primary.certPem)).publicKey,
            ),
        );
    });

    it("refuses a provider without enableSecretMutable at the ledger, saying why, before any Secret", async () => {
        const harness = new Harness();
        await declare(harness, "2026-01-01", "2026-01-01", false);
        await harness.settled();
        assert.deepStrictEqual(harness.refusals, [
            "web.provider: the Kubernetes provider needs enableSecretMutable: true, or a rotation deletes the Secret web-tls before creating it again and ingress controllers serve their default certificate meanwhile",
        ]);
        assert.deepStrictEqual(harness.byType("kubernetes:core/v1:Secret"), []);
    });
});
