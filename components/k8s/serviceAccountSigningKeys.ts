import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Jwks, buildJwks } from "../jwks";
import { KeyAlgorithm, KeySlot, RotatingKeyPair } from "../keys/rotatingKeyPair";
import { Ledger, configKey } from "../ring/ring";
import { RotationArgs } from "../ring/slots";
import {
    argError,
    checkKnownArgs,
    checkKnownFields,
    checkNamespace,
    checkObjectName,
    ROTATION_ARGS,
} from "../validation";

/** Signer algorithms the Kubernetes API server accepts for service-account tokens. */
export type SigningAlgorithm = Extract<KeyAlgorithm, "RSA-2048" | "RSA-4096" | "ECDSA-P256">;
const SIGNING_ALGORITHMS: SigningAlgorithm[] = ["RSA-2048", "RSA-4096", "ECDSA-P256"];

/** Where a Kubernetes object goes. */
export interface ObjectRef {
    /** Object name; each use documents its default. A DNS-1123 subdomain, refused at preview otherwise. */
    name?: string;
    /** Namespace; each use documents its default. A DNS-1123 label, refused at preview otherwise. */
    namespace?: string;
}

/** Publication of the keys as Kubernetes objects, the way OpenShift's operator reads them. */
export interface SigningKeysKubernetesArgs {
    /**
     * The provider of the cluster (or a render-mode provider) to publish to. Give it `enableConfigMapMutable` and
     * `enableSecretMutable`: without them the provider replaces (deletes and recreates) the objects on every rotation
     * instead of updating them in place.
     */
    provider: k8s.Provider;
    /**
     * The Secret holding the staged next pair (`service-account.key`, `service-account.pub`). Default
     * `next-bound-service-account-signing-key` in `openshift-kube-apiserver-operator`.
     */
    nextKeySecret?: ObjectRef;
    /**
     * The ConfigMap of trusted public keys, `service-account-001.pub` … by slot. Default `bound-sa-token-signing-certs`
     * in `openshift-config-managed`.
     */
    trustedKeysConfigMap?: ObjectRef;
}

/** Arguments of ServiceAccountSigningKeys. */
export interface ServiceAccountSigningKeysArgs extends RotationArgs {
    /**
     * `RSA-2048` (default), `RSA-4096` (OpenShift's choice) or `ECDSA-P256`, for keys generated from now on. A change
     * regenerates nothing: the ring migrates one key per rotation, and while it does, the trusted set, the JWKS and
     * the ConfigMap hold both kinds, so tokens signed by the old kind verify until their key leaves.
     */
    algorithm?: SigningAlgorithm;
    /**
     * Least time between rotations; default `1d`. The API server caches verifying keys for up to an hour and
     * kubelet-refreshed tokens turn over within a day. A shorter interval lets a second bump retire a key that still
     * signed live tokens, which then stop verifying.
     */
    minRotationInterval?: pulumi.Input<string | 0>;
    /** Also publish the staged key and the trusted public keys as Kubernetes objects. */
    kubernetes?: SigningKeysKubernetesArgs;
}

/** A role's public side, as verifiers see it; every field "" while an emergency rotation has revoked the role's key. */
export interface PublicSlot {
    /** PEM public key (SubjectPublicKeyInfo). */
    publicKeyPem: pulumi.Output<string>;
    /** The key id Kubernetes computes; tokens the key signs carry it. */
    kid: pulumi.Output<string>;
    /** The config date the key was generated for. */
    rotatedDate: pulumi.Output<string>;
    /** The key's algorithm, such as `RSA-2048`. */
    algorithm: pulumi.Output<string>;
}

function publicSide(slot: KeySlot): PublicSlot {
    return {
        publicKeyPem: slot.publicKeyPem,
        kid: slot.kid,
        rotatedDate: slot.rotatedDate,
        algorithm: slot.algorithm,
    };
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    algorithm: true,
    kubernetes: true,
} as const satisfies Record<keyof ServiceAccountSigningKeysArgs, boolean>;

/**
 * Service-account token signing keys in three slots: previous, primary and a staged next. The primary private key is
 * what `--service-account-signing-key-file` takes; `trustedPublicKeys` are the `--service-account-key-file` values; `jwks`
 * is the issuer's `keys.json`. A bump signs with the old next key, which every verifier already trusted.
 */
export class ServiceAccountSigningKeys extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings, emergencies); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The primary private key in PEM, for `--service-account-signing-key-file`; secret. */
    public readonly signingKeyPem: pulumi.Output<string>;
    /** Public keys to trust, primary, previous, next: one `--service-account-key-file` each. */
    public readonly trustedPublicKeys: pulumi.Output<string[]>;
    /** The key that signs. */
    public readonly primary: PublicSlot;
    /** The key that signed before the last rotation, still trusted so its tokens verify; empty after an emergency rotation. */
    public readonly previous: PublicSlot;
    /** The staged key: trusted now, signs after the next rotation. */
    public readonly next: PublicSlot;
    /** The JWKS of every trusted key, primary first. */
    public readonly jwksDocument: pulumi.Output<Jwks>;
    /** `jwksDocument` serialized, byte-identical while the ring is unchanged. */
    public readonly jwks: pulumi.Output<string>;
    /** The staged next private key, for publication to an operator that promotes it; secret. */
    public readonly nextPrivateKeyPem: pulumi.Output<string>;
    /** The Secret holding the staged next pair and the ConfigMap of trusted keys, when published to Kubernetes. */
    public readonly nextKeySecret?: k8s.core.v1.Secret;
    /** The ConfigMap of trusted public keys, when published to Kubernetes. */
    public readonly trustedKeysConfigMap?: k8s.core.v1.ConfigMap;

    constructor(name: string, args: ServiceAccountSigningKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:k8s:ServiceAccountSigningKeys", name, {}, opts);
        checkKnownArgs(args, KNOWN_ARGS, "ServiceAccountSigningKeys", args.configPath ?? name, {
            kubernetes: { provider: true, nextKeySecret: true, trustedKeysConfigMap: true } satisfies Record<
                keyof SigningKeysKubernetesArgs,
                boolean
            >,
        });
        const algorithm = args.algorithm ?? "RSA-2048";
        if (!SIGNING_ALGORITHMS.includes(algorithm)) {
            argError(
                configKey(args.configPath ?? name, "algorithm"),
                `${JSON.stringify(algorithm)} is not a service-account signer: use one of ${SIGNING_ALGORITHMS.join(", ")}`,
            );
        }
        const keys = new RotatingKeyPair(
            `${name}-keys`,
            {
                rotatedDate: args.rotatedDate,
                minRotationInterval: args.minRotationInterval,
                configPath: args.configPath ?? name,
                compromised: args.compromised,
                algorithm,
            },
            { parent: this },
        );
        this.ledger = keys.ledger;
        this.signingKeyPem = pulumi.secret(keys.primary.privateKeyPem);
        this.nextPrivateKeyPem = pulumi.secret(keys.next.privateKeyPem);
        this.trustedPublicKeys = keys.trustedPublicKeys;
        this.primary = publicSide(keys.primary);
        this.previous = publicSide(keys.previous);
        this.next = publicSide(keys.next);
        this.jwksDocument = this.trustedPublicKeys.apply((pems) => buildJwks(pems));
        this.jwks = this.jwksDocument.apply((doc) => JSON.stringify(doc));

        if (args.kubernetes) {
            const published = this.publish(name, args.kubernetes, keys);
            this.nextKeySecret = published.secret;
            this.trustedKeysConfigMap = published.configMap;
        }

        // The outputs are this object's fields. The checkpoint keeps none of them again: the ledger and every key
        // are in their own resources' state, and at hundreds of credentials each byte here is rewritten at every step.
        this.registerOutputs({});
    }

    private publish(name: string, args: SigningKeysKubernetesArgs, keys: RotatingKeyPair) {
        const fields = { name: true, namespace: true } as const satisfies Record<keyof ObjectRef, boolean>;
        checkKnownFields(args.nextKeySecret, fields, "an object reference", "kubernetes.nextKeySecret");
        checkKnownFields(args.trustedKeysConfigMap, fields, "an object reference", "kubernetes.trustedKeysConfigMap");
        const secretRef = {
            name: args.nextKeySecret?.name ?? "next-bound-service-account-signing-key",
            namespace: args.nextKeySecret?.namespace ?? "openshift-kube-apiserver-operator",
        };
        const configMapRef = {
            name: args.trustedKeysConfigMap?.name ?? "bound-sa-token-signing-certs",
            namespace: args.trustedKeysConfigMap?.namespace ?? "openshift-config-managed",
        };
        checkObjectName(secretRef.name, "kubernetes.nextKeySecret.name");
        checkNamespace(secretRef.namespace, "kubernetes.nextKeySecret.namespace");
        checkObjectName(configMapRef.name, "kubernetes.trustedKeysConfigMap.name");
        checkNamespace(configMapRef.namespace, "kubernetes.trustedKeysConfigMap.namespace");
        const childOpts = { parent: this, provider: args.provider };

        const secret = new k8s.core.v1.Secret(
            `${name}-next`,
            {
                metadata: { ...secretRef, labels: { "app.kubernetes.io/managed-by": "keyshift" } },
                type: "Opaque",
                data: pulumi.secret(
                    pulumi.all([keys.next.privateKeyPem, keys.next.publicKeyPem]).apply(([key, pub]) => ({
                        "service-account.key": base64(key),
                        "service-account.pub": base64(pub),
                    })),
                ),
            },
            { ...childOpts, additionalSecretOutputs: ["data", "stringData"] },
        );
        // Keys are named by slot, not by role, so a bump rewrites only the regenerated slot's entry; a key an
        // emergency rotation revoked has no entry.
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-trusted`,
            {
                metadata: { ...configMapRef, labels: { "app.kubernetes.io/managed-by": "keyshift" } },
                data: keys.ring
                    .bySlot(keys.slots.map((slot) => slot.publicKeyPem))
                    .apply((entries) =>
                        Object.fromEntries(
                            entries.map(([slot, pem]) => [
                                `service-account-${String(slot + 1).padStart(3, "0")}.pub`,
                                pem,
                            ]),
                        ),
                    ),
            },
            childOpts,
        );
        return { secret, configMap };
    }
}
