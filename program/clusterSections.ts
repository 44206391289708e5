// The example program's sections for the cluster's own keys and certificates: the API server's encryption config,
// a CA keyset and a TLS Secret it signs, Cilium's IPsec key, a registry pull Secret, and an IAM user's access keys.

import {
    CertificateAuthorityKeyset,
    CiliumIpsecKeys,
    ENCRYPTION_PROVIDERS,
    EncryptionConfigKeys,
    EncryptionKeySlot,
    EncryptionProvider,
    IamAccessKeys,
    KeyAlgorithm,
    RegistryCredentialSecret,
    TlsCertificateSecret,
} from "../components";
import {
    ApplicationSecretSettings,
    RotationSettings,
    Section,
    applicationSecret,
    parseWorkloads,
    requireFrom,
    rotation,
    rotationArgs,
} from "./sectionKit";

const KEY_ALGORITHMS = ["RSA-2048", "RSA-3072", "RSA-4096", "ECDSA-P256", "ECDSA-P384"] as const;

interface EncryptionSettings {
    rotatedDate: string;
    minRotationInterval?: string;
    provider?: EncryptionProvider;
    allowAesgcm?: boolean;
    resources?: string[];
    identityReader?: boolean;
    rewrittenDate?: string;
    dropUnrewrittenKey?: boolean;
    publishToKubernetes?: boolean;
    secretName?: string;
    namespace?: string;
}

const encryption: Section<EncryptionSettings> = {
    component: "EncryptionConfigKeys",
    argKeys: { "kubernetes.name": "secretName", "kubernetes.namespace": "namespace" },
    schema: {
        rotatedDate: rotation.rotatedDate,
        minRotationInterval: { type: "duration", doc: "least time between two rotations (default 7d)" },
        provider: { type: "string", oneOf: ENCRYPTION_PROVIDERS, doc: "provider of new keys (default secretbox)" },
        allowAesgcm: { type: "boolean", doc: "allow provider aesgcm (default false)" },
        resources: { type: "string-list", doc: "resources encrypted (default [secrets])" },
        identityReader: { type: "boolean", doc: "list identity last, for a cluster being encrypted (default false)" },
        rewrittenDate: { type: "string", doc: "when the last rewrite of every stored object finished" },
        dropUnrewrittenKey: { type: "boolean", doc: "drop the previous key at the next rotation without a rewrite" },
        publishToKubernetes: { type: "boolean", doc: "keep the file in a Secret too (needs keyshift:kubernetes)" },
        secretName: { type: "string", doc: "that Secret's name (default encryption-encryption-config)" },
        namespace: { type: "string", doc: "that Secret's namespace (default the provider's)" },
    },
    build(name, settings, path, context) {
        const keys = new EncryptionConfigKeys(name, {
            rotatedDate: settings.rotatedDate,
            minRotationInterval: settings.minRotationInterval,
            configPath: path,
            provider: settings.provider,
            allowAesgcm: settings.allowAesgcm,
            resources: settings.resources,
            identityReader: settings.identityReader,
            rewrittenDate: settings.rewrittenDate,
            dropUnrewrittenKey: settings.dropUnrewrittenKey,
            kubernetes: settings.publishToKubernetes
                ? {
                      provider: requireFrom(context.kubernetes, `${path}.publishToKubernetes`, "keyshift:kubernetes"),
                      name: settings.secretName,
                      namespace: settings.namespace,
                  }
                : undefined,
        });
        const describe = (slot: EncryptionKeySlot) => ({ name: slot.name, rotatedDate: slot.rotatedDate });
        return {
            ledger: keys.ledger,
            config: keys.config,
            configHash: keys.configHash,
            primary: describe(keys.primary),
            next: describe(keys.next),
            previous: describe(keys.previous),
        };
    },
};

interface ClusterCaSettings extends RotationSettings {
    algorithm?: KeyAlgorithm;
    commonName?: string;
    organization?: string;
    validityPeriodHours?: number;
}

const clusterCa: Section<ClusterCaSettings> = {
    component: "CertificateAuthorityKeyset",
    schema: {
        ...rotation,
        minRotationInterval: { type: "duration", doc: "least time between two rotations (default 7d)" },
        algorithm: { type: "string", oneOf: KEY_ALGORITHMS, doc: "CA key algorithm (default RSA-2048)" },
        commonName: { type: "string", doc: "the CA certificates' common name (default the section name)" },
        organization: { type: "string", doc: "the CA certificates' organization" },
        validityPeriodHours: { type: "number", doc: "each CA certificate's validity in hours (default 87600)" },
    },
    build(name, settings, path, context) {
        const ca = new CertificateAuthorityKeyset(name, {
            ...rotationArgs(settings, path),
            algorithm: settings.algorithm,
            subject: { commonName: settings.commonName ?? name, organization: settings.organization },
            validityPeriodHours: settings.validityPeriodHours,
        });
        context.clusterCa = ca;
        const describe = (slot: CertificateAuthorityKeyset["primary"]) => ({
            rotatedDate: slot.rotatedDate,
            facts: slot.facts,
        });
        return {
            ledger: ca.ledger,
            trustBundle: ca.trustBundle,
            primary: describe(ca.primary),
            next: describe(ca.next),
            previous: describe(ca.previous),
        };
    },
};

interface IngressTlsSettings extends RotationSettings {
    secretName: string;
    namespace?: string;
    dnsNames?: string[];
    signedByClusterCa?: boolean;
    validityPeriodHours?: number;
    restartWorkloads?: string[];
}

const ingressTls: Section<IngressTlsSettings> = {
    component: "TlsCertificateSecret",
    argKeys: { name: "secretName" },
    schema: {
        ...rotation,
        secretName: { type: "string", required: true, doc: "the kubernetes.io/tls Secret's name" },
        namespace: { type: "string", doc: "its namespace (default the provider's)" },
        dnsNames: { type: "string-list", doc: "DNS names the certificate is for" },
        signedByClusterCa: { type: "boolean", doc: "sign with keyshift:clusterCa's primary (default self-signed)" },
        validityPeriodHours: { type: "number", doc: "each certificate's validity in hours (default 2160)" },
        restartWorkloads: applicationSecret.restartWorkloads,
    },
    build(name, settings, path, context) {
        const tls = new TlsCertificateSecret(name, {
            ...rotationArgs(settings, path),
            provider: requireFrom(context.kubernetes, path, "keyshift:kubernetes"),
            name: settings.secretName,
            namespace: settings.namespace,
            dnsNames: settings.dnsNames,
            validityPeriodHours: settings.validityPeriodHours,
            ca: settings.signedByClusterCa
                ? requireFrom(context.clusterCa, `${path}.signedByClusterCa`, "keyshift:clusterCa")
                : undefined,
            restartWorkloads: parseWorkloads(settings.restartWorkloads, path),
        });
        const describe = (slot: TlsCertificateSecret["primary"]) => ({
            rotatedDate: slot.rotatedDate,
            facts: slot.facts,
        });
        return { primary: describe(tls.primary), previous: describe(tls.previous) };
    },
};

interface CiliumIpsecSettings extends RotationSettings {
    namespace?: string;
    keyBytes?: number;
    icvBits?: number;
}

const ciliumIpsec: Section<CiliumIpsecSettings> = {
    component: "CiliumIpsecKeys",
    schema: {
        ...rotation,
        namespace: { type: "string", doc: "Cilium's namespace (default kube-system)" },
        keyBytes: { type: "number", doc: "key bytes, 20, 28 or 36 (default 20); fixed for the Secret's life" },
        icvBits: { type: "number", doc: "ICV bits, 64, 96 or 128 (default 128); fixed for the Secret's life" },
    },
    build(name, settings, path, context) {
        const ipsec = new CiliumIpsecKeys(name, {
            ...rotationArgs(settings, path),
            provider: requireFrom(context.kubernetes, path, "keyshift:kubernetes"),
            namespace: settings.namespace,
            keyBytes: settings.keyBytes,
            icvBits: settings.icvBits,
        });
        const describe = (slot: CiliumIpsecKeys["primary"]) => ({ rotatedDate: slot.rotatedDate, spi: slot.spi });
        return { ledger: ipsec.ledger, primary: describe(ipsec.primary), previous: describe(ipsec.previous) };
    },
};

interface RegistrySettings extends RotationSettings {
    secretName: string;
    namespace?: string;
    server: string;
    username: string;
    length?: number;
    restartWorkloads?: string[];
}

const registry: Section<RegistrySettings> = {
    component: "RegistryCredentialSecret",
    argKeys: { name: "secretName" },
    schema: {
        ...rotation,
        secretName: { type: "string", required: true, doc: "the dockerconfigjson Secret's name" },
        namespace: { type: "string", doc: "its namespace (default the provider's)" },
        server: { type: "string", required: true, doc: "the registry host, with an optional port" },
        username: { type: "string", required: true, doc: "the registry user" },
        length: { type: "number", doc: "length of the generated password (default 32)" },
        restartWorkloads: applicationSecret.restartWorkloads,
    },
    build(name, settings, path, context) {
        const pull = new RegistryCredentialSecret(name, {
            ...rotationArgs(settings, path),
            provider: requireFrom(context.kubernetes, path, "keyshift:kubernetes"),
            name: settings.secretName,
            namespace: settings.namespace,
            server: settings.server,
            username: settings.username,
            length: settings.length,
            restartWorkloads: parseWorkloads(settings.restartWorkloads, path),
        });
        const password = pull.password!;
        const slot = (role: typeof password.primary) => ({ value: role.value, rotatedDate: role.rotatedDate });
        return { ledger: password.ledger, primary: slot(password.primary), previous: slot(password.previous) };
    },
};

interface IamKeysSettings extends RotationSettings, ApplicationSecretSettings {
    user: string;
    deactivatePreviousAfter?: string;
}

const iamKeys: Section<IamKeysSettings> = {
    component: "IamAccessKeys",
    argKeys: { "kubernetes.name": "secretName", "kubernetes.namespace": "namespace" },
    schema: {
        ...rotation,
        user: { type: "string", required: true, doc: "the IAM user whose two access keys rotate" },
        deactivatePreviousAfter: { type: "string", doc: "make the previous key Inactive this long after a rotation" },
        ...applicationSecret,
    },
    build(name, settings, path, context) {
        const keys = new IamAccessKeys(name, {
            ...rotationArgs(settings, path),
            user: settings.user,
            deactivatePreviousAfter: settings.deactivatePreviousAfter,
            kubernetes: settings.publishToKubernetes
                ? {
                      provider: requireFrom(context.kubernetes, `${path}.publishToKubernetes`, "keyshift:kubernetes"),
                      name: settings.secretName,
                      namespace: settings.namespace,
                      restartWorkloads: parseWorkloads(settings.restartWorkloads, path),
                  }
                : undefined,
        });
        const slot = (role: IamAccessKeys["primary"]) => ({
            accessKeyId: role.accessKeyId,
            secretAccessKey: role.secretAccessKey,
            status: role.status,
            rotatedDate: role.rotatedDate,
        });
        return { ledger: keys.ledger, primary: slot(keys.primary), previous: slot(keys.previous) };
    },
};

/** In build order: the CA before the TLS Secret it signs. */
export const CLUSTER_SECTIONS = { encryption, clusterCa, ingressTls, ciliumIpsec, registry, iamKeys };
