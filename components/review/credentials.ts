// keyshift's credentials as they appear in Pulumi's own documents (`pulumi preview --json`, `pulumi stack export`):
// each is a SlotLedger under a ring component, under the component a user declared. Found by resource type and
// parent links, never by name patterns a user could also use. Pure: no Pulumi runtime, no secrets read.

import { kidFromPublicKeyPem } from "../jwks";
import { parseInterval } from "../ring/dates";
import { CREDENTIAL_KINDS, CredentialKind, Ledger } from "../ring/ring";

export const LEDGER_TYPE = "pulumi-nodejs:dynamic/keyshift:SlotLedger";

/** The kinds `--max-age` takes, and the component types of each. */
export { CREDENTIAL_KINDS };
export type { CredentialKind };
const KINDS: Record<string, CredentialKind> = {
    "keyshift:ring:RotatingKeyPair": "signer",
    "keyshift:k8s:ServiceAccountSigningKeys": "signer",
    "keyshift:ring:RotatingPassword": "password",
    "keyshift:aws:RdsPassword": "password",
    "keyshift:k8s:ServiceAccountToken": "token",
    "keyshift:aws:ElasticacheAuthToken": "token",
    "keyshift:k8s:EncryptionConfigKeys": "encryption",
    "keyshift:ca:CertificateAuthorityKeyset": "ca",
    "keyshift:ca:TlsCertificateSecret": "certificate",
    "keyshift:k8s:CiliumIpsecKeys": "ipsec",
    "keyshift:aws:IamAccessKeys": "accessKey",
    "keyshift:k8s:RegistryCredentialSecret": "password",
};

/** Whether a kind's ring has a staged next slot. */
export const stagedOf = (kind: CredentialKind): 0 | 1 =>
    kind === "signer" || kind === "encryption" || kind === "ca" ? 1 : 0;

/** A resource as Pulumi's documents give it (apitype ResourceV3); only the fields keyshift reads. */
export interface ResourceState {
    urn: string;
    type: string;
    parent?: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/** One credential: its ledger, its ring and the component the user declared. */
export interface Credential {
    /** The user's component: its name (the last URN part), type and URN. */
    name: string;
    type: string;
    urn: string;
    kind: CredentialKind;
    /** Where its config lives, from the ledger's label (`keyshift:database`). */
    configPath: string;
    ledgerUrn: string;
    /** The ring component (RotatingPassword, RotatingKeyPair or ServiceAccountToken) whose children are the slots. */
    ringUrn: string;
}

export const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);

/** The kind of the outermost keyshift component among a resource's ancestors, from its URN. */
export function kindOfUrn(urn: string): CredentialKind | undefined {
    const type = parseUrn(urn).chain.find((t) => KINDS[t]);
    return type ? KINDS[type] : undefined;
}

/** A URN's parts: `urn:pulumi:<stack>::<project>::<type chain, ancestors first, joined by $>::<name>`. */
function parseUrn(urn: string): { prefix: string; chain: string[]; name: string } {
    const parts = urn.split("::");
    return { prefix: `${parts[0]}::${parts[1]}`, chain: (parts[2] ?? "").split("$"), name: parts.slice(3).join("::") };
}

// The names keyshift gives the ring inside a component that wraps one (RdsPassword's `${name}-password`, ...).
const RING_SUFFIX: Record<string, string> = {
    "keyshift:aws:RdsPassword": "-password",
    "keyshift:aws:ElasticacheAuthToken": "-token",
    "keyshift:k8s:ServiceAccountSigningKeys": "-keys",
    "keyshift:k8s:RegistryCredentialSecret": "-password",
};

/**
 * Every credential among `states`, in config path order. A preview lists only the resources that change, so the
 * components are found from the ledger's URN and its parent's (each URN names its ancestors' types), not from
 * their own states.
 */
export function findCredentials(states: Map<string, ResourceState>): Credential[] {
    const credentials: Credential[] = [];
    for (const state of [...states.values()].filter((s) => s.type === LEDGER_TYPE && s.parent)) {
        const ring = parseUrn(state.parent!);
        const outer = ring.chain.findIndex((type) => KINDS[type]);
        if (outer < 0) continue;
        const type = ring.chain[outer];
        const nested = outer < ring.chain.length - 1;
        const name = nested ? ring.name.slice(0, ring.name.length - (RING_SUFFIX[type] ?? "").length) : ring.name;
        const label = String(requestOf(state)?.label ?? nameOf(state.urn));
        credentials.push({
            name,
            type,
            urn: `${ring.prefix}::${ring.chain.slice(0, outer + 1).join("$")}::${name}`,
            kind: KINDS[type],
            configPath: label.replace(/\.?rotatedDate$/, "") || label,
            ledgerUrn: state.urn,
            ringUrn: state.parent!,
        });
    }
    return credentials.sort((a, b) => a.configPath.localeCompare(b.configPath) || a.urn.localeCompare(b.urn));
}

/**
 * Whether `urn` is the credential's component or one of its descendants: its type chain starts with the
 * component's, and its name is the component's or, as keyshift names every child, starts with it and a dash.
 */
export function belongsTo(urn: string, credential: Credential): boolean {
    const own = parseUrn(credential.urn);
    const other = parseUrn(urn);
    return (
        other.prefix === own.prefix &&
        own.chain.every((type, i) => other.chain[i] === type) &&
        (other.name === own.name || other.name.startsWith(`${own.name}-`))
    );
}

/** The slot index of a ring's slot resource (`<ring>-slot<i>`, a child of the ring), or undefined. */
export function slotIndex(state: ResourceState, credential: Credential): number | undefined {
    if (state.parent !== credential.ringUrn) return undefined;
    // A slot's key is `<ring>-slot<N>`; a certificate issued for that key is `<ring>-slot<N>-cert`, with its request.
    const match = /-slot(\d+)(-cert(-csr)?)?$/.exec(nameOf(state.urn));
    return match ? Number(match[1]) : undefined;
}

/** What a ledger was asked for: its request input (keyshift 0.1 kept the fields as inputs of their own). */
export function requestOf(state: ResourceState | undefined): Record<string, unknown> | undefined {
    const inputs = state?.inputs;
    return (inputs?.request ?? inputs) as Record<string, unknown> | undefined;
}

/** The ledger a state holds (checked inputs in a preview, outputs in a checkpoint), if it is one. */
export function ledgerOf(state: ResourceState | undefined): Ledger | undefined {
    const ledger = (state?.inputs?.ledger ?? state?.outputs?.ledger) as Ledger | undefined;
    return ledger && Array.isArray(ledger.slots) ? ledger : undefined;
}

/** The kid of a key slot's public key, when its state has one in clear. */
export function kidOf(state: ResourceState | undefined): string | undefined {
    const pem = state?.outputs?.publicKeyPem;
    if (typeof pem !== "string" || !pem.includes("BEGIN PUBLIC KEY")) return undefined;
    try {
        return kidFromPublicKeyPem(pem);
    } catch {
        return undefined;
    }
}

/** Parses `--max-age signer=90d,password=30d,token=30d`; throws an Error naming the bad part. */
export function parseMaxAge(text: string): Partial<Record<CredentialKind, number>> {
    const limits: Partial<Record<CredentialKind, number>> = {};
    for (const part of text.split(",").filter(Boolean)) {
        const [kind, age] = part.split("=");
        const ms = parseInterval(age);
        if (!CREDENTIAL_KINDS.includes(kind as CredentialKind) || ms === undefined) {
            throw new Error(
                `--max-age: ${JSON.stringify(part)} is not kind=duration (kinds ${CREDENTIAL_KINDS.join(", ")}; durations such as 90d)`,
            );
        }
        limits[kind as CredentialKind] = ms;
    }
    return limits;
}
