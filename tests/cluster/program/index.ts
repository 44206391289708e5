// The programs the real-cluster tests run inline through the Automation API, one part per stack: `signer` builds the
// service-account signing keys a test starts the API server with; `token` rotates a ServiceAccount's token Secrets on
// that running cluster through the real Kubernetes provider; `encryption` builds the API server's encryption config;
// `ca` a client and serving CA with the certificates a test needs from it; `tls` a TLS Secret on the running cluster.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceAccountSigningKeys, SigningAlgorithm } from "../../../components/k8s/serviceAccountSigningKeys";
import { ServiceAccountToken } from "../../../components/k8s/serviceAccountToken";
import { EncryptionConfigKeys } from "../../../components/k8s/encryptionConfigKeys";
import { CertificateAuthorityKeyset } from "../../../components/ca/certificateAuthorityKeyset";
import { TlsCertificateSecret } from "../../../components/ca/tlsCertificateSecret";
import * as tls from "@pulumi/tls";

export = function clusterProgram(): Record<string, unknown> {
    const config = new pulumi.Config("cluster");
    const compromised = config.get("compromised");
    const rotation = {
        rotatedDate: config.require("rotatedDate"),
        configPath: "cluster:rotatedDate",
        compromised: compromised === "true" ? true : compromised,
    };
    const outputs: Record<string, unknown> = {};

    const part = config.require("part");
    if (part === "ca") {
        const ca = new CertificateAuthorityKeyset("cluster-ca", {
            ...rotation,
            algorithm: "ECDSA-P256",
            subject: { commonName: "keyshift-test-ca" },
        });
        const key = (name: string) => new tls.PrivateKey(name, { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const servingKey = key("apiserver-key");
        const serving = ca.issueCertificate("apiserver", {
            privateKeyPem: servingKey.privateKeyPem,
            subject: { commonName: "kube-apiserver" },
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1"],
        });
        const aliceKey = key("alice-key");
        const alice = ca.issueCertificate("alice", {
            privateKeyPem: aliceKey.privateKeyPem,
            subject: { commonName: "alice", organization: "keyshift-testers" },
            allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
        });
        Object.assign(outputs, {
            bundle: ca.trustBundle,
            kubeconfigCaData: ca.kubeconfigCaData,
            primaryGeneration: ca.primary.generation,
            servingCert: serving.certPem,
            servingKey: servingKey.privateKeyPem,
            aliceCert: alice.certPem,
            aliceKey: aliceKey.privateKeyPem,
        });
    } else if (part === "tls") {
        const provider = new k8s.Provider("cluster", {
            kubeconfig: config.requireSecret("kubeconfig"),
            enableSecretMutable: true,
        });
        const ca = new CertificateAuthorityKeyset("web-ca", { ...rotation, algorithm: "ECDSA-P256" });
        const web = new TlsCertificateSecret("web", {
            ...rotation,
            provider,
            name: "web-tls",
            namespace: "default",
            ca,
            dnsNames: ["web.example.com"],
        });
        Object.assign(outputs, {
            bundle: ca.trustBundle,
            leaf: web.primary.certPem,
            previousLeaf: web.previous.certPem,
        });
    } else if (part === "encryption") {
        const keys = new EncryptionConfigKeys("etcd", {
            rotatedDate: rotation.rotatedDate,
            configPath: rotation.configPath,
            minRotationInterval: "1d",
            rewrittenDate: config.get("rewrittenDate"),
        });
        Object.assign(outputs, {
            config: keys.config,
            configHash: keys.configHash,
            names: { primary: keys.primary.name, next: keys.next.name, previous: keys.previous.name },
        });
    } else if (part === "signer") {
        const signer = new ServiceAccountSigningKeys("sa-signer", {
            ...rotation,
            algorithm: config.get("algorithm") as SigningAlgorithm | undefined,
        });
        Object.assign(outputs, {
            signingKeyPem: signer.signingKeyPem,
            trustedPublicKeys: signer.trustedPublicKeys,
            jwks: signer.jwks,
            kids: { primary: signer.primary.kid, previous: signer.previous.kid, next: signer.next.kid },
        });
    } else {
        const provider = new k8s.Provider("cluster", {
            kubeconfig: config.requireSecret("kubeconfig"),
            enableSecretMutable: true,
        });
        const token = new ServiceAccountToken("ci", {
            ...rotation,
            provider,
            serviceAccount: { namespace: "ci", name: "deployer", create: true },
            cluster: {
                server: config.require("server"),
                certificateAuthorityData: config.require("caData"),
                name: "test",
            },
        });
        Object.assign(outputs, {
            token: token.token,
            previousToken: token.previousToken,
            primarySecretName: token.primarySecretName,
            previousSecretName: token.previousSecretName,
            kubeconfig: token.kubeconfig,
        });
    }

    return outputs;
};
