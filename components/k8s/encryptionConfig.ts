// The kube-apiserver's EncryptionConfiguration as keyshift writes it, and the rules its fields follow. Pure: no
// Pulumi, so the rendering and the rules are tested alone. Source of every rule: the EncryptionConfiguration (v1)
// reference, https://kubernetes.io/docs/reference/config-api/apiserver-encryption.v1/, and the task "Encrypting
// Confidential Data at Rest", https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/.

import { createHash } from "crypto";
import { stringify } from "yaml";

/**
 * The local-key providers keyshift generates keys for, each with 32-byte keys. `aesgcm` must be rotated before
 * 200,000 writes with one key (its nonces are random), so keyshift only uses it when asked explicitly.
 */
export type EncryptionProvider = "secretbox" | "aescbc" | "aesgcm";
/** The providers `EncryptionConfigKeys` accepts, in the order its messages list them. */
export const ENCRYPTION_PROVIDERS: readonly EncryptionProvider[] = ["secretbox", "aescbc", "aesgcm"];

/** One key as the file lists it: `secret` is the base64 of its 32 bytes. */
export interface ConfigKey {
    /** The key's name in the file, `key-<generation>`: the API server writes it into every value it encrypts. */
    name: string;
    /** The provider the key was generated for. */
    provider: EncryptionProvider;
    /** Base64 of the key's 32 bytes. */
    secret: string;
}

/** The file's contents: the resources it encrypts, and its keys with the writer first. */
export interface EncryptionConfigSpec {
    /** The resources encrypted, as the file lists them (`secrets`, `configmaps`, `*.apps`, ...). */
    resources: string[];
    /** The keys, the writer first; each provider's keys are grouped under that provider, in this order. */
    keys: ConfigKey[];
    /** A trailing `identity` reader, for objects stored before encryption was turned on. */
    identityReader: boolean;
}

/**
 * A key's name in the file, from its slot's generation: unique over the ring's life, so a name never comes back with
 * another key (the stored prefix `k8s:enc:<provider>:v1:<name>:` picks the key), and free of `:`, which the prefix
 * uses as its separator.
 */
export function keyName(generation: number): string {
    return `key-${generation}`;
}

/**
 * The EncryptionConfiguration text. The writer is the first key of the first provider, so the keys are grouped by
 * provider in the order they come, the writer's provider first; every other key only decrypts. Deterministic: the
 * same keys give the same bytes, and so the same configHash.
 */
export function renderEncryptionConfig(spec: EncryptionConfigSpec): string {
    const groups = new Map<EncryptionProvider, { name: string; secret: string }[]>();
    for (const key of spec.keys) {
        const group = groups.get(key.provider) ?? [];
        group.push({ name: key.name, secret: key.secret });
        groups.set(key.provider, group);
    }
    const providers: Record<string, unknown>[] = [...groups].map(([provider, keys]) => ({ [provider]: { keys } }));
    if (spec.identityReader) {
        providers.push({ identity: {} });
    }
    return stringify({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "EncryptionConfiguration",
        resources: [{ resources: spec.resources, providers }],
    });
}

/**
 * What a kube-apiserver reports for a loaded file in `apiserver_encryption_config_controller_last_config_info`'s
 * `hash` label: `sha256:` and the hex SHA-256 of the file's bytes (checked on a real kube-apiserver 1.37).
 */
export function configHash(text: string): string {
    return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

/** A key's 32 bytes, base64, from the 64 hex digits the random provider generated for it. */
export function keyFromHex(hex: string): string {
    return Buffer.from(hex, "hex").toString("base64");
}

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const GROUP = `${LABEL}(\\.${LABEL})*`;
const RESOURCE = new RegExp(`^(${LABEL}|\\*\\.|\\*\\.\\*|(${LABEL}|\\*)\\.${GROUP})$`);

/**
 * What is wrong with a resources list, or undefined. Entries are `<resource>` or `<resource>.<group>` in lower case,
 * with `*.<group>` for a whole group, `*.` for the core group and `*.*` for everything; the reference refuses
 * duplicates and wildcards that overlap another entry of the list.
 */
export function resourcesProblem(resources: readonly string[]): string | undefined {
    if (resources.length === 0) {
        return "an empty list: name at least one resource, such as secrets";
    }
    const seen = new Set<string>();
    for (const entry of resources) {
        if (typeof entry !== "string" || !RESOURCE.test(entry) || entry.length > 253) {
            return `${JSON.stringify(entry)} is not a resource Kubernetes accepts here: use a lower-case plural resource (secrets), resource.group (widgets.example.com), *.group, *. or *.*`;
        }
        if (seen.has(entry)) {
            return `${JSON.stringify(entry)} is listed twice`;
        }
        seen.add(entry);
    }
    const groupOf = (entry: string) => (entry.includes(".") ? entry.slice(entry.indexOf(".") + 1) : "");
    for (const entry of seen) {
        if (!entry.startsWith("*.")) continue;
        const group = groupOf(entry);
        const overlapped = [...seen].find((other) => other !== entry && (group === "*" || groupOf(other) === group));
        if (overlapped) {
            return `${JSON.stringify(entry)} overlaps ${JSON.stringify(overlapped)}: a wildcard must not cover another entry of the list`;
        }
    }
    return undefined;
}
