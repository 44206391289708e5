import * as pulumi from "@pulumi/pulumi";
import { randomHexKey } from "../keys/hexKey";
import { Ledger, configKey } from "../ring/ring";
import { Ring, RotationArgs, lazy } from "../ring/slots";
import { argError, checkKnownArgs, checkRotationDate } from "../validation";
import { CREDENTIAL_SECRET_FIELDS, CredentialSecretArgs, publishCredentialSecret } from "./credentialSecret";
import {
    ConfigKey,
    ENCRYPTION_PROVIDERS,
    EncryptionProvider,
    configHash,
    keyFromHex,
    keyName,
    renderEncryptionConfig,
    resourcesProblem,
} from "./encryptionConfig";

/**
 * Arguments of EncryptionConfigKeys. `rotatedDate` moves the ring: the staged next key, already loaded by every API
 * server, starts writing; the old primary stays as a reader; a new next key is staged; the old previous key leaves the
 * file. `compromised` is not offered: every key of the file is exposed together, so no staged key can be trusted.
 */
export interface EncryptionConfigKeysArgs extends Omit<RotationArgs, "compromised"> {
    /**
     * The provider of keys generated from now on: `secretbox` (default, XSalsa20-Poly1305) or `aescbc`; `aesgcm` only
     * with `allowAesgcm`. A change regenerates nothing: keys keep the provider they were generated for (they stay
     * listed under it, so what they wrote stays readable) and the next rotation generates its key for the new one.
     */
    provider?: EncryptionProvider;
    /**
     * Allow `aesgcm`. Its nonces are random, so Kubernetes says a key must be rotated before 200,000 writes with it;
     * at a date-driven rotation pace that is a promise keyshift cannot keep for you. Default false.
     */
    allowAesgcm?: boolean;
    /**
     * The resources encrypted: `secrets` (default), `configmaps`, `widgets.example.com`, `*.apps`, `*.` or `*.*`, as
     * the EncryptionConfiguration reference allows them; duplicates and overlapping wildcards are refused at preview.
     */
    resources?: string[];
    /**
     * List `identity` as the last reader, so objects stored before encryption was turned on still read: for
     * migrating a cluster that was unencrypted, until all of them are rewritten. Default false.
     */
    identityReader?: boolean;
    /**
     * When the last rewrite of every stored object of `resources` finished (for Secrets, `kubectl get secrets
     * --all-namespaces -o json | kubectl replace -f -`, run after every API server loaded the file), an ISO 8601 date
     * or RFC 3339 timestamp. A rotation that would drop a key holding data no recorded rewrite has moved is refused at
     * preview. A value counts once, in the first run that sees it, and only if it is not before the current
     * `rotatedDate` (the rewrite used the key writing now); left in config it vouches for nothing written later.
     * Default none.
     */
    rewrittenDate?: pulumi.Input<string>;
    /** Drop the previous key at the next rotation although `rewrittenDate` does not cover it. Default false. */
    dropUnrewrittenKey?: pulumi.Input<boolean>;
    /** Also keep the file in a Kubernetes Secret (key `encryption-config.yaml`), for clusters that mount it. */
    kubernetes?: CredentialSecretArgs;
}

/** One slot's key, or the key holding a role: everything but the key itself. */
export interface EncryptionKeySlot {
    /** Its name in the file, `key-<generation>`; "" for a role no slot holds. */
    name: pulumi.Output<string>;
    /** The provider it is listed under. */
    provider: pulumi.Output<EncryptionProvider>;
    /** The config date it was generated for. */
    rotatedDate: pulumi.Output<string>;
    /** A new number every time the slot's key is regenerated. */
    generation: pulumi.Output<number>;
}

/** The Secret key the file is kept under when `kubernetes` is given. */
export const ENCRYPTION_CONFIG_FILE = "encryption-config.yaml";

// RotationArgs without compromised, listed one by one: spreading ROTATION_ARGS would accept it.
const KNOWN_ARGS = {
    provider: true,
    allowAesgcm: true,
    resources: true,
    identityReader: true,
    rewrittenDate: true,
    dropUnrewrittenKey: true,
    kubernetes: true,
    rotatedDate: true,
    minRotationInterval: true,
    configPath: true,
} as const satisfies Record<keyof EncryptionConfigKeysArgs, boolean>;

/**
 * The kube-apiserver's encryption-at-rest keys as a ring of three 32-byte keys: the primary writes, the staged next
 * and the previous only decrypt. The output `config` is the whole EncryptionConfiguration file; `configHash` is what
 * each API server reports once it loaded it, so a pipeline can wait for every server before the next rotation.
 */
export class EncryptionConfigKeys extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, providers); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The EncryptionConfiguration YAML, keys included: always a secret. */
    public readonly config: pulumi.Output<string>;
    /**
     * `sha256:` and the hex SHA-256 of `config`'s bytes, as kube-apiserver's metric
     * `apiserver_encryption_config_controller_last_config_info{hash=…}` reports it. Not secret: a hash of 256-bit keys.
     */
    public readonly configHash: pulumi.Output<string>;
    /** The keys by slot; slot numbers never change, roles move around them. */
    public readonly slots: EncryptionKeySlot[];
    /** The key that writes. */
    public readonly primary: EncryptionKeySlot;
    /** The staged key: decrypts now, writes after the next rotation. */
    public readonly next: EncryptionKeySlot;
    /** The key that wrote before the last rotation: decrypts until the next one. */
    public readonly previous: EncryptionKeySlot;

    constructor(name: string, args: EncryptionConfigKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:k8s:EncryptionConfigKeys", name, {}, opts);
        checkKnownArgs(args, KNOWN_ARGS, "EncryptionConfigKeys", args.configPath ?? name, {
            kubernetes: CREDENTIAL_SECRET_FIELDS,
        });
        const configPath = args.configPath ?? name;
        const provider = args.provider ?? "secretbox";
        if (!ENCRYPTION_PROVIDERS.includes(provider)) {
            argError(
                configKey(configPath, "provider"),
                `${JSON.stringify(provider)} is not a provider keyshift generates keys for: use secretbox, aescbc or aesgcm`,
            );
        }
        if (provider === "aesgcm" && args.allowAesgcm !== true) {
            argError(
                configKey(configPath, "provider"),
                `"aesgcm" needs allowAesgcm: true: Kubernetes says an aesgcm key must be rotated before 200,000 writes, which a date cannot promise; prefer secretbox`,
            );
        }
        const resources = args.resources ?? ["secrets"];
        const problem = resourcesProblem(resources);
        if (problem) {
            argError(configKey(configPath, "resources"), problem);
        }
        if (args.rewrittenDate !== undefined) {
            checkRotationDate(args.rewrittenDate, configKey(configPath, "rewrittenDate"));
        }
        const rewrite = { rewrittenDate: args.rewrittenDate, dropUnrewrittenKey: args.dropUnrewrittenKey };
        const ring = new Ring(this, name, args, "encryption", { provider }, rewrite);
        this.ledger = ring.ledger;

        const keys = ring.slots.map((slot) =>
            randomHexKey(
                `${name}-slot${slot}`,
                32,
                ring.slotInput(slot, (record) => String(record.generation)),
                { parent: this, dependsOn: ring.resource },
            ),
        );
        this.slots = ring.slots.map((slot) =>
            lazy<EncryptionKeySlot>({
                name: () => ring.generation(slot).apply(keyName),
                provider: () =>
                    ring.ledger.apply((ledger) => ledger.slots[slot].settings.provider as EncryptionProvider),
                rotatedDate: () => ring.date(slot),
                generation: () => ring.generation(slot),
            }),
        );
        const revoked = { name: "", provider, rotatedDate: "", generation: 0 };
        this.primary = ring.role("primary", this.slots, revoked);
        this.next = ring.role("next", this.slots, revoked);
        this.previous = ring.role("previous", this.slots, revoked);

        const configKeys = ring.slots.map((slot) =>
            pulumi.all([this.slots[slot].name, this.slots[slot].provider, keys[slot].result]).apply(
                ([keyNameText, keyProvider, hex]): ConfigKey => ({
                    name: keyNameText,
                    provider: keyProvider,
                    secret: keyFromHex(hex),
                }),
            ),
        );
        // The primary first: the first key of the first provider is the one that writes.
        this.config = pulumi.secret(
            ring
                .trusted(configKeys)
                .apply((listed) =>
                    renderEncryptionConfig({ resources, keys: listed, identityReader: !!args.identityReader }),
                ),
        );
        this.configHash = pulumi.unsecret(this.config.apply(configHash));

        if (args.kubernetes) {
            publishCredentialSecret(this, name, args.kubernetes, {
                defaultName: `${name}-encryption-config`,
                values: { [ENCRYPTION_CONFIG_FILE]: this.config },
                rotatedDate: this.primary.rotatedDate,
            });
        }
        this.registerOutputs({});
    }
}
