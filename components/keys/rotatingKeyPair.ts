import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { kidFromPublicKeyPem } from "../jwks";
import { Ledger, configKey } from "../ring/ring";
import { Ring, RotationArgs, lazy } from "../ring/slots";
import { ROTATION_ARGS, argError, checkKnownArgs } from "../validation";

/** Key algorithms keyshift generates. OpenShift's service-account signer uses RSA-4096. */
export type KeyAlgorithm = "RSA-2048" | "RSA-3072" | "RSA-4096" | "ECDSA-P256" | "ECDSA-P384";

const TLS_ARGS: Record<KeyAlgorithm, { algorithm: string; rsaBits?: number; ecdsaCurve?: string }> = {
    "RSA-2048": { algorithm: "RSA", rsaBits: 2048 },
    "RSA-3072": { algorithm: "RSA", rsaBits: 3072 },
    "RSA-4096": { algorithm: "RSA", rsaBits: 4096 },
    "ECDSA-P256": { algorithm: "ECDSA", ecdsaCurve: "P256" },
    "ECDSA-P384": { algorithm: "ECDSA", ecdsaCurve: "P384" },
};

export const KEY_ALGORITHMS = Object.keys(TLS_ARGS) as KeyAlgorithm[];

/**
 * A slot's `tls.PrivateKey` (`<name>-slot<N>`), from the algorithm the slot recorded, never config's: a settings
 * change alone must not regenerate a key. Its replacement trigger is the slot's generation, not its date: after a
 * rollback a date can come back.
 */
export function ringPrivateKey(name: string, ring: Ring, slot: number, parent: pulumi.Resource): tls.PrivateKey {
    const read = <U>(pick: (args: (typeof TLS_ARGS)[KeyAlgorithm]) => U) =>
        ring.settingInput(slot, (settings) => pick(TLS_ARGS[settings.algorithm as KeyAlgorithm]));
    return new tls.PrivateKey(
        `${name}-slot${slot}`,
        {
            algorithm: read((a) => a.algorithm),
            rsaBits: read((a) => a.rsaBits),
            ecdsaCurve: read((a) => a.ecdsaCurve),
        },
        {
            parent,
            replacementTrigger: ring.slotInput(slot, (record) => record.generation),
            dependsOn: ring.resource,
            additionalSecretOutputs: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"],
        },
    );
}

/** Arguments of a RotatingKeyPair. */
export interface RotatingKeyPairArgs extends RotationArgs {
    /**
     * The algorithm of keys generated from now on, `RSA-2048` by default. A change regenerates nothing: each slot keeps
     * the algorithm it was generated with, and each rotation generates its one new key with the new algorithm, so a
     * ring migrates over rotations while verifiers trust both kinds. A warning says so until then.
     */
    algorithm?: KeyAlgorithm;
}

const KNOWN_ARGS = { ...ROTATION_ARGS, algorithm: true } as const satisfies Record<keyof RotatingKeyPairArgs, boolean>;

/** One slot's key, or the key holding a role. */
export interface KeySlot {
    /** PEM private key; always a secret. */
    privateKeyPem: pulumi.Output<string>;
    /** PEM public key (SubjectPublicKeyInfo). */
    publicKeyPem: pulumi.Output<string>;
    /**
     * The key's id as Kubernetes computes it: the unpadded base64url SHA-256 of the DER SubjectPublicKeyInfo. This is
     * the `kid` of tokens it signs and of its entry in `keys.json`.
     */
    kid: pulumi.Output<string>;
    /** @deprecated Renamed `kid`; kept for one release. */
    fingerprint: pulumi.Output<string>;
    /** The config date the key was generated for. */
    rotatedDate: pulumi.Output<string>;
    /** The algorithm the key was generated with. */
    algorithm: pulumi.Output<KeyAlgorithm>;
    /** The slot's generation: a new number every time the slot's key is regenerated. */
    generation: pulumi.Output<number>;
}

/**
 * Three key pairs in a ring: previous, primary and a staged next. A later `rotatedDate` moves each role one slot
 * forward and generates exactly one new key, into the new next slot; previous and primary keep their bytes. An
 * emergency rotation (`compromised`) also revokes the old primary: it leaves `trustedPublicKeys`, and `previous` is
 * empty ("") until the next rotation regenerates its slot.
 */
export class RotatingKeyPair extends pulumi.ComponentResource {
    /** The ring's bookkeeping: dates, generations and which slot is primary. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** Keys by slot; slot numbers never change, roles move around them. */
    public readonly slots: KeySlot[];
    /** The key that signs. */
    public readonly primary: KeySlot;
    /** The key that signed before the last rotation; every field empty after an emergency rotation. */
    public readonly previous: KeySlot;
    /** The staged key: trusted now, signs after the next rotation. */
    public readonly next: KeySlot;
    /** Public keys verifiers must trust: primary, previous, next, in that order; a revoked key is left out. */
    public readonly trustedPublicKeys: pulumi.Output<string[]>;
    /** @internal the ring, for components built on this one. */
    public readonly ring: Ring;

    constructor(name: string, args: RotatingKeyPairArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:ring:RotatingKeyPair", name, {}, opts);
        checkKnownArgs(args, KNOWN_ARGS, "RotatingKeyPair", args.configPath ?? name);
        const algorithm = args.algorithm ?? "RSA-2048";
        if (!TLS_ARGS[algorithm]) {
            argError(
                configKey(args.configPath ?? name, "algorithm"),
                `${JSON.stringify(algorithm)} is not supported: use one of ${KEY_ALGORITHMS.join(", ")}`,
            );
        }
        this.ring = new Ring(this, name, args, "signer", { algorithm });
        this.ledger = this.ring.ledger;

        const keys = this.ring.slots.map((slot) => ringPrivateKey(name, this.ring, slot, this));
        this.slots = keys.map((key, slot) => {
            const built: KeySlot = lazy<KeySlot>({
                privateKeyPem: () => pulumi.secret(key.privateKeyPem),
                publicKeyPem: () => key.publicKeyPem,
                kid: () => key.publicKeyPem.apply(kidFromPublicKeyPem),
                fingerprint: () => built.kid,
                rotatedDate: () => this.ring.date(slot),
                algorithm: () =>
                    this.ring.ledger.apply((ledger) => ledger.slots[slot].settings.algorithm as KeyAlgorithm),
                generation: () => this.ring.generation(slot),
            });
            return built;
        });
        this.primary = this.slotWithRole("primary");
        this.previous = this.slotWithRole("previous");
        this.next = this.slotWithRole("next");
        this.trustedPublicKeys = this.ring.trusted(this.slots.map((slot) => slot.publicKeyPem));

        // The outputs are this object's fields. The checkpoint keeps none of them again: the ledger and every key
        // are in their own resources' state, and at hundreds of credentials each byte here is rewritten at every step.
        this.registerOutputs({});
    }

    private slotWithRole(role: "primary" | "previous" | "next"): KeySlot {
        const field = <K extends keyof KeySlot>(key: K, revoked: unknown) =>
            this.ring.pick(
                role,
                this.slots.map((slot) => slot[key] as pulumi.Output<unknown>),
                revoked,
            ) as KeySlot[K];
        const built: KeySlot = lazy<KeySlot>({
            privateKeyPem: () => pulumi.secret(field("privateKeyPem", "")),
            publicKeyPem: () => field("publicKeyPem", ""),
            kid: () => field("kid", ""),
            fingerprint: () => built.kid,
            rotatedDate: () => field("rotatedDate", ""),
            algorithm: () => field("algorithm", ""),
            generation: () => field("generation", 0),
        });
        return built;
    }
}
