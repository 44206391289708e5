// keyshift's credentials as they appear in Pulumi's own documents (`pulumi preview --json`, `pulumi stack export`):
// each is a SlotLedger under a ring component, under the component a user declared. Found by resource type and
// parent links, never by name patterns a user could also use. Pure: no Pulumi runtime, no secrets read.

import { kidFromPublicKeyPem } from "../jwks";
import { parseInterval } from "../ring/dates";
import { Ledger } from "../ring/ring";

export const LEDGER_TYPE = "pulumi-nodejs:dynamic/keyshift:SlotLedger";

/** The kinds `--max-age` takes, and the component types of each. */
export type CredentialKind = "signer" | "password" | "token";
const KINDS: Record<string, CredentialKind> = {
    "keyshift:ring:RotatingKeyPair": "signer",
    "keyshift:k8s:ServiceAccountSigningKeys": "signer",
    "keyshift:ring:RotatingPassword": "password",
    "keyshift:aws:RdsPassword": "password",
    "keyshift:k8s:ServiceAccountToken": "token",
    "keyshift:aws:ElasticacheAuthToken": "token",
};

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

/** Every credential among `states` (a map by URN), in URN order. */
export function findCredentials(states: Map<string, ResourceState>): Credential[] {
    const credentials: Credential[] = [];
    for (const state of [...states.values()].filter((s) => s.type === LEDGER_TYPE)) {
        const ring = state.parent ? states.get(state.parent) : undefined;
        let top = ring;
        for (let up = ring; up && KINDS[up.type]; up = up.parent ? states.get(up.parent) : undefined) {
            top = up;
        }
        if (!ring || !top) continue;
        const label = String(requestOf(state)?.label ?? nameOf(state.urn));
        credentials.push({
            name: nameOf(top.urn),
            type: top.type,
            urn: top.urn,
            kind: KINDS[top.type] ?? "password",
            configPath: label.replace(/\.?rotatedDate$/, "") || label,
            ledgerUrn: state.urn,
            ringUrn: ring.urn,
        });
    }
    return credentials.sort((a, b) => a.urn.localeCompare(b.urn));
}

/** Whether `state` belongs to the credential: the component itself or any of its descendants. */
export function belongsTo(state: ResourceState, credential: Credential, states: Map<string, ResourceState>): boolean {
    for (let at: ResourceState | undefined = state; at; at = at.parent ? states.get(at.parent) : undefined) {
        if (at.urn === credential.urn) return true;
    }
    return false;
}

/** The slot index of a ring's slot resource (`<ring>-slot<i>`, a child of the ring), or undefined. */
export function slotIndex(state: ResourceState, credential: Credential): number | undefined {
    if (state.parent !== credential.ringUrn) return undefined;
    const match = /-slot(\d+)$/.exec(nameOf(state.urn));
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
        if (!["signer", "password", "token"].includes(kind) || ms === undefined) {
            throw new Error(
                `--max-age: ${JSON.stringify(part)} is not kind=duration (kinds signer, password, token; durations such as 90d)`,
            );
        }
        limits[kind as CredentialKind] = ms;
    }
    return limits;
}
