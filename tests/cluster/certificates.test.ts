import * as assert from "assert";
import { execFileSync } from "child_process";
import { X509Certificate, generateKeyPairSync } from "crypto";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { changes, createStack, engineEnv } from "../e2e/engine";
import { CLUSTER } from "../e2e/programs";
import { registerSecrets } from "../redact";
import { SignerFiles, TestCluster, kubeBinaries } from "./cluster";

// CertificateAuthorityKeyset and TlsCertificateSecret against a real kube-apiserver: it trusts client certificates
// from keyshift's trust bundle (--client-ca-file) and serves a certificate the keyset issued; a bump is loaded by
// restarting it. TlsCertificateSecret runs through the real Kubernetes provider on the same server.

interface CaState {
    bundle: string;
    kubeconfigCaData: string;
    primaryGeneration: number;
    servingCert: string;
    servingKey: string;
    aliceCert: string;
    aliceKey: string;
}

const D1 = "2026-01-01";
const D2 = "2026-02-01";
const D3 = "2026-03-01";

/** A client certificate for `user` from a CA nobody trusts, made by openssl. */
function strangerCertificate(user: string): { certPem: string; keyPem: string } {
    const dir = mkdtempSync(path.join(tmpdir(), "keyshift-stranger-"));
    try {
        const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
        openssl(
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=stranger-ca",
            "-days",
            "1",
        );
        openssl(
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "user.key",
            "-out",
            "user.csr",
            "-subj",
            `/CN=${user}`,
        );
        openssl(
            "x509",
            "-req",
            "-in",
            "user.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-out",
            "user.crt",
        );
        const read = (file: string) => execFileSync("cat", [path.join(dir, file)], { encoding: "utf8" });
        return { certPem: read("user.crt"), keyPem: read("user.key") };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("certificate authorities and TLS Secrets on a real Kubernetes API server", function () {
    this.timeout(900_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let caStack: Stack;
    let tlsStack: Stack | undefined;
    let cluster: TestCluster | undefined;
    const states: Record<string, CaState> = {};
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const signer: SignerFiles = {
        signingKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        trustedPublicKeys: [publicKey.export({ type: "spki", format: "pem" }).toString()],
    };

    async function keyset(date: string): Promise<CaState> {
        await caStack.setConfig("cluster:rotatedDate", { value: date });
        await caStack.up();
        const outputs = await caStack.outputs();
        registerSecrets(outputs.servingKey.value, outputs.aliceKey.value);
        return Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, value.value])) as CaState;
    }

    const tlsFiles = (state: CaState) => ({
        clientCaBundle: state.bundle,
        serving: { certPem: state.servingCert, keyPem: state.servingKey, caPem: state.bundle },
    });

    /** Who the API server says a client certificate is, or the HTTP status it refused it with. */
    async function whoAmI(certPem: string, keyPem: string): Promise<string | number> {
        const review = await cluster!.requestWithCertificate(
            certPem,
            keyPem,
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
        );
        return review.status === 201 ? review.body.status.userInfo.username : review.status;
    }

    before(async () => {
        kubeBinaries();
        ({ env, cleanup } = engineEnv());
        caStack = await createStack("ca", CLUSTER, env);
        await caStack.setConfig("cluster:part", { value: "ca" });
    });

    after(async () => {
        try {
            // No destroy: the provider's foreground deletion waits for a garbage collector this control plane does not
            // run, and the cluster goes away with the test.
            await tlsStack?.workspace.removeStack("tls", { force: true });
            await caStack?.workspace.removeStack("ca", { force: true });
        } finally {
            await cluster?.stop();
            cleanup?.();
        }
    });

    it("1. D1: a client certificate from the primary CA authenticates as its user; a stranger CA's is refused", async () => {
        states.d1 = await keyset(D1);
        cluster = await TestCluster.start(signer, tlsFiles(states.d1));
        assert.strictEqual(await whoAmI(states.d1.aliceCert, states.d1.aliceKey), "alice");
        const stranger = strangerCertificate("mallory");
        assert.strictEqual(await whoAmI(stranger.certPem, stranger.keyPem), 401);
    });

    it("2. D2: certificates from the old and the new primary both authenticate; kubeconfigCaData verifies the server", async () => {
        states.d2 = await keyset(D2);
        assert.notStrictEqual(states.d2.aliceCert, states.d1.aliceCert, "re-issued by the new primary");
        await cluster!.restart(signer, tlsFiles(states.d2));
        assert.strictEqual(await whoAmI(states.d1.aliceCert, states.d1.aliceKey), "alice");
        assert.strictEqual(await whoAmI(states.d2.aliceCert, states.d2.aliceKey), "alice");
        // A client that trusts only the kubeconfig's CA data reaches the server, whose certificate the keyset issued.
        const caData = Buffer.from(states.d2.kubeconfigCaData, "base64").toString();
        const ready = await cluster!.requestWithCertificate(
            states.d2.aliceCert,
            states.d2.aliceKey,
            "GET",
            "/readyz",
            undefined,
            caData,
        );
        assert.strictEqual(ready.status, 200);
        // The D1 bundle already held the CA that signs now: D1 clients verify the D2 server too.
        const early = await cluster!.requestWithCertificate(
            states.d2.aliceCert,
            states.d2.aliceKey,
            "GET",
            "/readyz",
            undefined,
            states.d1.bundle,
        );
        assert.strictEqual(early.status, 200);
    });

    it("3. D3: the D1 CA has left the bundle, so its certificate is refused; D2's still authenticates", async () => {
        states.d3 = await keyset(D3);
        await cluster!.restart(signer, tlsFiles(states.d3));
        assert.strictEqual(await whoAmI(states.d1.aliceCert, states.d1.aliceKey), 401);
        assert.strictEqual(await whoAmI(states.d2.aliceCert, states.d2.aliceKey), "alice");
        assert.strictEqual(await whoAmI(states.d3.aliceCert, states.d3.aliceKey), "alice");
    });

    it("4. TlsCertificateSecret: updated in place across a bump (same name and UID, never NotFound), the new leaf verifying against the bundle", async () => {
        tlsStack = await createStack("tls", CLUSTER, env);
        await tlsStack.setAllConfig({
            "cluster:part": { value: "tls" },
            "cluster:rotatedDate": { value: D1 },
            "cluster:kubeconfig": { value: cluster!.adminKubeconfig(), secret: true },
        });
        await tlsStack.up();
        const read = () => cluster!.request("GET", "/api/v1/namespaces/default/secrets/web-tls");
        const before = await read();
        assert.strictEqual(before.status, 200);
        assert.strictEqual(before.body.type, "kubernetes.io/tls");

        await tlsStack.setConfig("cluster:rotatedDate", { value: D2 });
        const statuses = new Set<number>();
        let polling = true;
        const poll = (async () => {
            while (polling) {
                statuses.add((await read()).status);
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        })();
        const result = await tlsStack.up().finally(() => (polling = false));
        await poll;
        assert.deepStrictEqual([...statuses], [200], "every read during the update found the Secret");
        // Updated: the two ledgers and the Secret. Replaced: the CA's new key and certificate; the TLS ring's new key,
        // its request and certificate; the other slot's certificate, re-issued by the new signing CA.
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { update: 3, replace: 6 });

        const after = await read();
        assert.strictEqual(after.body.metadata.uid, before.body.metadata.uid);
        const outputs = await tlsStack.outputs();
        const chain = Buffer.from(after.body.data["tls.crt"], "base64").toString();
        const leaf = new X509Certificate(chain);
        assert.strictEqual(leaf.toString().trim(), new X509Certificate(outputs.leaf.value).toString().trim());
        assert.notStrictEqual(outputs.leaf.value, outputs.previousLeaf.value);
        const trusted = (outputs.bundle.value as string).match(
            /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g,
        )!;
        assert.ok(
            trusted.some((pem) => leaf.verify(new X509Certificate(pem).publicKey)),
            "the leaf verifies against a CA of the bundle",
        );
        assert.strictEqual(Buffer.from(after.body.data["tls.key"], "base64").length > 0, true);
    });
});
