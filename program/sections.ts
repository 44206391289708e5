// The example program's config sections: each names a component, the schema of its settings, and how to build it.
// Sections are built in this order, so later ones can use what earlier ones made (the Kubernetes provider, the signer).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    ElasticacheAuthToken,
    ManagedClusterArgs,
    ManagedInstanceArgs,
    ManagedReplicationGroupArgs,
    OidcIssuer,
    PasswordSlot,
    PublicSlot,
    RDS_ENGINES,
    RdsConnection,
    RdsEngine,
    RdsPassword,
    RotatingPassword,
    ServiceAccountSigningKeys,
    ServiceAccountToken,
    SigningAlgorithm,
} from "../components";
import { CLUSTER_SECTIONS } from "./clusterSections";
import {
    ApplicationSecretSettings,
    BuildContext,
    RotationSettings,
    Section,
    applicationSecret,
    parseWorkloads,
    requireFrom,
    rotation,
    rotationArgs,
} from "./sectionKit";

interface KubernetesSettings {
    renderYamlToDirectory?: string;
    context?: string;
}

interface SigningKeysSettings extends RotationSettings {
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

interface PasswordSettings extends RotationSettings {
    length?: number;
    special?: string;
}

function describeKey(slot: PublicSlot) {
    return { kid: slot.kid, rotatedDate: slot.rotatedDate };
}

/** The stack outputs of a two-slot credential: its ledger and both values (secrets) with their dates. */
function describePasswords(credential: {
    ledger: pulumi.Output<unknown>;
    primary: PasswordSlot;
    previous: PasswordSlot;
}) {
    const slot = (role: PasswordSlot) => ({ value: role.value, rotatedDate: role.rotatedDate });
    return { ledger: credential.ledger, primary: slot(credential.primary), previous: slot(credential.previous) };
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
    argKeys: {
        "kubernetes.nextKeySecret.namespace": "nextKeySecretNamespace",
        "kubernetes.trustedKeysConfigMap.namespace": "trustedKeysConfigMapNamespace",
    },
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
            ...rotationArgs(settings, path),
            algorithm: settings.algorithm,
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
            jwks: signer.jwks,
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

interface DatabaseSettings extends ApplicationSecretSettings, RotationSettings {
    engine: RdsEngine;
    username: string;
    length?: number;
    special?: string;
    instance?: ManagedInstanceArgs;
    cluster?: ManagedClusterArgs;
    connection?: RdsConnection;
}

interface RedisSettings extends ApplicationSecretSettings, RotationSettings {
    replicationGroup: ManagedReplicationGroupArgs;
    length?: number;
    special?: string;
    addingFirstToken?: boolean;
}

function publishArgs(settings: ApplicationSecretSettings, path: string, context: BuildContext) {
    if (!settings.publishToKubernetes) {
        return undefined;
    }
    return {
        provider: requireFrom(context.kubernetes, `${path}.publishToKubernetes`, "keyshift:kubernetes"),
        name: settings.secretName,
        namespace: settings.namespace,
        restartWorkloads: parseWorkloads(settings.restartWorkloads, path),
    };
}

const database: Section<DatabaseSettings> = {
    component: "RdsPassword",
    argKeys: { "kubernetes.name": "secretName", "kubernetes.namespace": "namespace" },
    schema: {
        ...rotation,
        engine: {
            type: "string",
            required: true,
            oneOf: RDS_ENGINES,
            doc: "the RDS engine; decides length and character limits",
        },
        username: { type: "string", required: true, doc: "the master user name" },
        length: { type: "number", doc: "password length (default: the engine's longest up to 32)" },
        special: { type: "string", doc: "special characters allowed (default none)" },
        instance: { type: "object", doc: "manage the aws.rds.Instance with these arguments (not for aurora-*)" },
        cluster: { type: "object", doc: "manage the aws.rds.Cluster with these arguments (Aurora, Multi-AZ clusters)" },
        connection: { type: "object", doc: "address, port and dbName of a database defined elsewhere" },
        ...applicationSecret,
    },
    build(name, settings, path, context) {
        const db = new RdsPassword(name, {
            ...rotationArgs(settings, path),
            engine: settings.engine,
            username: settings.username,
            length: settings.length,
            special: settings.special,
            instance: settings.instance,
            cluster: settings.cluster,
            connection: settings.connection,
            kubernetes: publishArgs(settings, path, context),
        });
        return describePasswords(db);
    },
};

const redis: Section<RedisSettings> = {
    component: "ElasticacheAuthToken",
    argKeys: { "kubernetes.name": "secretName", "kubernetes.namespace": "namespace" },
    schema: {
        ...rotation,
        replicationGroup: { type: "object", required: true, doc: "aws.elasticache.ReplicationGroup arguments" },
        length: { type: "number", doc: "token length, 16 to 128 (default 64)" },
        special: { type: "string", doc: "special characters allowed, from !&#$^<>- (default none)" },
        addingFirstToken: { type: "boolean", doc: "deprecated, no effect: the first token is always set with SET" },
        ...applicationSecret,
    },
    build(name, settings, path, context) {
        const cache = new ElasticacheAuthToken(name, {
            ...rotationArgs(settings, path),
            replicationGroup: settings.replicationGroup,
            length: settings.length,
            special: settings.special,
            addingFirstToken: settings.addingFirstToken,
            kubernetes: publishArgs(settings, path, context),
        });
        return describePasswords(cache);
    },
};

interface CiTokenSettings extends RotationSettings {
    namespace: string;
    serviceAccount: string;
    createServiceAccount?: boolean;
    clusterServer?: string;
    clusterCertificateAuthorityData?: string;
    restartWorkloads?: string[];
}

const ciToken: Section<CiTokenSettings> = {
    component: "ServiceAccountToken",
    argKeys: { "serviceAccount.namespace": "namespace", "serviceAccount.name": "serviceAccount" },
    schema: {
        ...rotation,
        namespace: { type: "string", required: true, doc: "the ServiceAccount's namespace" },
        serviceAccount: { type: "string", required: true, doc: "the ServiceAccount whose token rotates" },
        createServiceAccount: { type: "boolean", doc: "create the ServiceAccount too (default false)" },
        clusterServer: { type: "string", doc: "API server URL, to build a kubeconfig output" },
        clusterCertificateAuthorityData: { type: "string", doc: "base64 CA data for that kubeconfig" },
        restartWorkloads: applicationSecret.restartWorkloads,
    },
    build(name, settings, path, context) {
        const provider = requireFrom(context.kubernetes, path, "keyshift:kubernetes");
        const cluster =
            settings.clusterServer === undefined
                ? undefined
                : {
                      server: settings.clusterServer,
                      certificateAuthorityData: requireFrom(
                          settings.clusterCertificateAuthorityData,
                          `${path}.clusterServer`,
                          `${path}.clusterCertificateAuthorityData`,
                      ),
                  };
        const token = new ServiceAccountToken(name, {
            ...rotationArgs(settings, path),
            provider,
            serviceAccount: {
                namespace: settings.namespace,
                name: settings.serviceAccount,
                create: settings.createServiceAccount,
            },
            cluster,
            restartWorkloads: parseWorkloads(settings.restartWorkloads, path),
        });
        return {
            ledger: token.ledger,
            primary: { value: token.token, rotatedDate: token.rotatedDate, secretName: token.primarySecretName },
            previous: {
                value: token.previousToken,
                rotatedDate: token.previousRotatedDate,
                secretName: token.previousSecretName,
            },
            kubeconfig: token.kubeconfig,
        };
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
            ...rotationArgs(settings, path),
            length: settings.length,
            special: settings.special,
        });
        return describePasswords(password);
    },
};

export const SECTIONS = {
    kubernetes,
    signingKeys,
    oidc,
    database,
    redis,
    ciToken,
    appPassword,
    ...CLUSTER_SECTIONS,
} as unknown as Record<string, Section<never>>;
