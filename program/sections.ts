// The example program's config sections: each names a component, the schema of its settings, and how to build it.
// Sections are built in this order, so later ones can use what earlier ones made (the Kubernetes provider, the signer).

import * as k8s from "@pulumi/kubernetes";
import { OidcIssuer } from "../components/aws/oidcIssuer";
import { PublicSlot, ServiceAccountSigningKeys, SigningAlgorithm } from "../components/k8s/serviceAccountSigningKeys";
import { RotatingPassword } from "../components/passwords/rotatingPassword";
import { ConfigError, SectionSchema } from "./schema";

/** What earlier sections made, for later ones. */
export interface BuildContext {
    kubernetes?: k8s.Provider;
    signer?: ServiceAccountSigningKeys;
}

export interface Section<T> {
    /** The component the section builds. */
    component: string;
    schema: SectionSchema;
    /** `path` is the section's config key, such as `keyshift:signingKeys`. */
    build(name: string, settings: T, path: string, context: BuildContext): Record<string, unknown>;
}

const rotation = {
    rotatedDate: {
        type: "date",
        required: true,
        doc: "the rotation date; a later date rotates once, the date before the last rotation rolls back",
    },
    minRotationInterval: { type: "interval", doc: "least time between two rotations (default 1d)" },
} as const;

interface KubernetesSettings {
    renderYamlToDirectory?: string;
    context?: string;
}

interface SigningKeysSettings {
    rotatedDate: string;
    minRotationInterval?: string;
    algorithm?: SigningAlgorithm;
    publishToKubernetes?: boolean;
    nextKeySecretNamespace?: string;
    trustedKeysConfigMapNamespace?: string;
}

interface OidcSettings {
    issuerUrl: string;
    bucketName?: string;
    existingBucketName?: string;
}

interface PasswordSettings {
    rotatedDate: string;
    minRotationInterval?: string;
    length?: number;
    special?: string;
}

function describeKey(slot: PublicSlot) {
    return { fingerprint: slot.kid, rotatedDate: slot.rotatedDate };
}

function requireFrom<T>(value: T | undefined, path: string, needed: string): T {
    if (value === undefined) {
        throw new ConfigError(`${path}: needs ${needed} to be configured too`);
    }
    return value;
}

const kubernetes: Section<KubernetesSettings> = {
    component: "@pulumi/kubernetes Provider",
    schema: {
        renderYamlToDirectory: {
            type: "string",
            doc: "write manifests into this directory instead of applying them (no cluster needed)",
        },
        context: { type: "string", doc: "kubeconfig context of the cluster to apply to" },
    },
    build(name, settings, _path, context) {
        // Without the two mutable flags the provider replaces a ConfigMap or Secret whose data changes: a named object
        // would be deleted and recreated on every rotation instead of updated in place.
        context.kubernetes = new k8s.Provider(name, {
            ...settings,
            enableConfigMapMutable: true,
            enableSecretMutable: true,
        });
        return { renderYamlToDirectory: settings.renderYamlToDirectory };
    },
};

const signingKeys: Section<SigningKeysSettings> = {
    component: "ServiceAccountSigningKeys",
    schema: {
        ...rotation,
        algorithm: {
            type: "string",
            oneOf: ["RSA-2048", "RSA-4096", "ECDSA-P256"],
            doc: "signer algorithm (default RSA-2048)",
        },
        publishToKubernetes: {
            type: "boolean",
            doc: "publish the staged key Secret and trusted-keys ConfigMap with keyshift:kubernetes",
        },
        nextKeySecretNamespace: {
            type: "string",
            doc: "namespace of the staged key Secret (default openshift-kube-apiserver-operator)",
        },
        trustedKeysConfigMapNamespace: {
            type: "string",
            doc: "namespace of the trusted keys ConfigMap (default openshift-config-managed)",
        },
    },
    build(name, settings, path, context) {
        const publish = settings.publishToKubernetes
            ? {
                  provider: requireFrom(context.kubernetes, `${path}.publishToKubernetes`, "keyshift:kubernetes"),
                  nextKeySecret: { namespace: settings.nextKeySecretNamespace },
                  trustedKeysConfigMap: { namespace: settings.trustedKeysConfigMapNamespace },
              }
            : undefined;
        const signer = new ServiceAccountSigningKeys(name, {
            rotatedDate: settings.rotatedDate,
            minRotationInterval: settings.minRotationInterval,
            algorithm: settings.algorithm,
            configPath: `${path}.rotatedDate`,
            kubernetes: publish,
        });
        context.signer = signer;
        return {
            ledger: signer.ledger,
            primary: describeKey(signer.primary),
            previous: describeKey(signer.previous),
            next: describeKey(signer.next),
            trustedPublicKeys: signer.trustedPublicKeys,
            signingKeyPem: signer.signingKeyPem,
            keysJson: signer.jwks,
        };
    },
};

const oidc: Section<OidcSettings> = {
    component: "OidcIssuer",
    schema: {
        issuerUrl: { type: "string", required: true, doc: "the API server's --service-account-issuer (https)" },
        bucketName: { type: "string", doc: "name of the bucket to create" },
        existingBucketName: { type: "string", doc: "publish into this existing bucket instead" },
    },
    build(name, settings, path, context) {
        const signer = requireFrom(context.signer, path, "keyshift:signingKeys");
        const issuer = new OidcIssuer(name, { ...settings, jwks: signer.jwks });
        return { bucketName: issuer.bucketName, jwksUri: issuer.jwksUri };
    },
};

const appPassword: Section<PasswordSettings> = {
    component: "RotatingPassword",
    schema: {
        ...rotation,
        length: { type: "number", doc: "password length (default 32)" },
        special: { type: "string", doc: "special characters allowed (default none: alphanumeric)" },
    },
    build(name, settings, path) {
        const password = new RotatingPassword(name, {
            ...settings,
            configPath: `${path}.rotatedDate`,
            rulesPath: path,
        });
        return {
            ledger: password.ledger,
            primary: { value: password.primary.value, rotatedDate: password.primary.rotatedDate },
            previous: { value: password.previous.value, rotatedDate: password.previous.rotatedDate },
        };
    },
};

export const SECTIONS = { kubernetes, signingKeys, oidc, appPassword } as unknown as Record<string, Section<never>>;
