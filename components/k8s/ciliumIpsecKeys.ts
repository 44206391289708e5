import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { randomHexKey } from "../keys/hexKey";
import { Ledger, configKey } from "../ring/ring";
import { Ring, RotationArgs, lazy } from "../ring/slots";
import { argError, checkKnownArgs, checkNamespace, checkObjectName, ROTATION_ARGS } from "../validation";
import { IPSEC_ALGORITHM, IPSEC_ICV_BITS, IPSEC_KEY_BYTES, ipsecKeyLine, spiOf } from "./ciliumIpsec";
import { secretMutableRequirement } from "./credentialSecret";

/** Arguments of CiliumIpsecKeys. */
export interface CiliumIpsecKeysArgs extends RotationArgs {
    /** The cluster's Kubernetes provider, with `enableSecretMutable: true` (agents watch the Secret); refused otherwise. */
    provider: k8s.Provider;
    /** Cilium's namespace, where the Secret must be. Default `kube-system`. */
    namespace?: string;
    /** The Secret's name, as Cilium's Helm chart expects it. Default `cilium-ipsec-keys`. */
    name?: string;
    /**
     * The IPsec algorithm: `rfc4106(gcm(aes))`, AES-GCM as Cilium's guide uses it and the default, is the only one
     * keyshift writes; anything else is refused at preview.
     */
    algorithm?: string;
    /**
     * Bytes of key material: 20 (AES-128 and a 4-byte salt, the default and the guide's choice), 28 or 36. Fixed for the
     * Secret's life: Cilium ignores a rotated key of another length, so a change is refused at preview.
     */
    keyBytes?: number;
    /** The integrity check value's length in bits: 64, 96 or 128 (default). Fixed like `keyBytes`. */
    icvBits?: number;
    /** Write `+` after the key id, for per-tunnel keys, as the guide strongly recommends. Default true. */
    perTunnel?: boolean;
}

/** One slot's key, or the key holding a role. */
export interface IpsecKeySlot {
    /** The Secret's line for this key; always a secret. "" for a role no slot holds. */
    line: pulumi.Output<string>;
    /** The key id (SPI) it is written with; 0 for a role no slot holds. */
    spi: pulumi.Output<number>;
    /** The config date the key was generated for, `YYYY-MM-DD`; "" for a role no slot holds. */
    rotatedDate: pulumi.Output<string>;
    /** The ring's generation number of the key (1 for the first); 0 for a role no slot holds. */
    generation: pulumi.Output<number>;
}

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    provider: true,
    namespace: true,
    name: true,
    algorithm: true,
    keyBytes: true,
    icvBits: true,
    perTunnel: true,
} as const satisfies Record<keyof CiliumIpsecKeysArgs, boolean>;

/**
 * Cilium's IPsec key as a two-slot ring: the Secret holds the primary, written with the next key id; the agents keep
 * decrypting with the key they had for their own grace period (`ipsec-key-rotation-duration`, 5 minutes by default).
 * A rollback, and a change of key length or ICV, are refused at the ledger's check, as Cilium's guide requires, so
 * nothing changes: the engine stops before the Secret is touched.
 */
export class CiliumIpsecKeys extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The `cilium-ipsec-keys` Secret (or `name`), holding the primary's line under `keys`; updated in place. */
    public readonly secret: k8s.core.v1.Secret;
    /** Both slots' keys, by slot number; ask for a role instead where you can. */
    public readonly slots: IpsecKeySlot[];
    /** The key in the Secret: the agents encrypt with it once they load it. */
    public readonly primary: IpsecKeySlot;
    /** The key before the last rotation, which agents keep decrypting with for their grace period. */
    public readonly previous: IpsecKeySlot;

    constructor(name: string, args: CiliumIpsecKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:k8s:CiliumIpsecKeys", name, {}, opts);
        const configPath = args.configPath ?? name;
        checkKnownArgs(args, KNOWN_ARGS, "CiliumIpsecKeys", configPath);
        const secretName = args.name ?? "cilium-ipsec-keys";
        const namespace = args.namespace ?? "kube-system";
        checkObjectName(secretName, configKey(configPath, "name"));
        checkNamespace(namespace, configKey(configPath, "namespace"));
        if (args.algorithm !== undefined && args.algorithm !== IPSEC_ALGORITHM) {
            argError(
                configKey(configPath, "algorithm"),
                `${JSON.stringify(args.algorithm)} is not an algorithm keyshift writes: use ${IPSEC_ALGORITHM} (AES-GCM, as Cilium's guide does)`,
            );
        }
        const keyBytes = args.keyBytes ?? 20;
        const icvBits = args.icvBits ?? 128;
        if (!IPSEC_KEY_BYTES.includes(keyBytes)) {
            argError(
                configKey(configPath, "keyBytes"),
                `${JSON.stringify(keyBytes)} is not a length rfc4106(gcm(aes)) takes: use 20, 28 or 36 (an AES key of 16, 24 or 32 bytes and a 4-byte salt)`,
            );
        }
        if (!IPSEC_ICV_BITS.includes(icvBits)) {
            argError(configKey(configPath, "icvBits"), `${JSON.stringify(icvBits)} is not 64, 96 or 128`);
        }
        const perTunnel = args.perTunnel ?? true;
        const fixed =
            "Cilium ignores a rotated key of another length, so this Secret keeps it; create a new one (and restart the agents) to change it";
        const ring = new Ring(this, name, args, "ipsec", { keyBytes, icvBits, perTunnel }, undefined, {
            noRollback: "Cilium's key ids only go forward (1 to 15, then 1 again)",
            fixedSettings: { keyBytes: fixed, icvBits: fixed },
            requirements: [
                secretMutableRequirement(
                    args.provider,
                    `a rotation deletes ${namespace}/${secretName} before creating it again, and agents that read it meanwhile find no key`,
                ),
            ],
        });
        this.ledger = ring.ledger;

        const keys = ring.slots.map((slot) =>
            randomHexKey(
                `${name}-slot${slot}`,
                ring.settingInput(slot, (settings) => Number(settings.keyBytes)),
                ring.slotInput(slot, (record) => String(record.generation)),
                { parent: this, dependsOn: ring.resource },
            ),
        );
        this.slots = keys.map((key, slot) =>
            lazy<IpsecKeySlot>({
                line: () =>
                    pulumi.secret(
                        pulumi.all([ring.ledger, key.result]).apply(([ledger, keyHex]) => {
                            const { generation, settings } = ledger.slots[slot];
                            return ipsecKeyLine({
                                spi: spiOf(generation),
                                keyHex,
                                icvBits: Number(settings.icvBits),
                                perTunnel: settings.perTunnel === true,
                            });
                        }),
                    ),
                spi: () => ring.generation(slot).apply(spiOf),
                rotatedDate: () => ring.date(slot),
                generation: () => ring.generation(slot),
            }),
        );
        const revoked = { line: "", spi: 0, rotatedDate: "", generation: 0 };
        this.primary = ring.role("primary", this.slots, revoked, ["line"]);
        this.previous = ring.role("previous", this.slots, revoked, ["line"]);

        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: secretName, namespace, labels: { "app.kubernetes.io/managed-by": "keyshift" } },
                type: "Opaque",
                stringData: pulumi.secret({ keys: this.primary.line }),
            },
            { parent: this, provider: args.provider, additionalSecretOutputs: ["data", "stringData"] },
        );
        this.registerOutputs({});
    }
}
