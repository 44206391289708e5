// `keyshift review`: what a `pulumi preview --json` does to each credential, in the reviewer's terms, and whether it
// is safe. Ledger moves are read from each SlotLedger's old and new checked inputs (a dynamic provider's update step
// carries no diff reasons); key ids from the tls keys' public PEMs. Never reads or prints a secret value.

import { parseRotationDate } from "../ring/dates";
import { Ledger, sameJson, slotRoles, trustedSlotOrder } from "../ring/ring";
import {
    Credential,
    CredentialKind,
    LEDGER_TYPE,
    ResourceState,
    belongsTo,
    findCredentials,
    kidOf,
    ledgerOf,
    nameOf,
    requestOf,
    stagedOf,
    slotIndex,
} from "./credentials";

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
    op: string;
    urn: string;
    oldState?: ResourceState;
    newState?: ResourceState;
}

export type MoveName =
    | "first creation"
    | "routine rotation"
    | "rollback"
    | "emergency rotation"
    | "settings change deferred to the next rotation"
    | "ledger migrated from an earlier keyshift"
    | "rewrite of stored data recorded"
    | "completion of an interrupted rotation"
    | "no change";

export interface CredentialReview {
    name: string;
    type: string;
    kind: CredentialKind;
    configPath: string;
    move: MoveName;
    dateBefore?: string;
    dateAfter?: string;
    /** Each regenerated slot and the role its new value takes. */
    regenerated: { slot: number; role: string }[];
    /**
     * Slots generated now for a generation the ledger already records: a run that moved the ledger stopped before
     * generating them (interrupted, or refused at a later credential under `up --skip-preview`).
     */
    completes: { slot: number; generation: number; date: string }[];
    /** Signers: kids in trust order (primary first), and the kid that signs after the move. */
    trustedBefore?: string[];
    trustedAfter?: string[];
    signs?: string;
    /** Encryption keys: key names in the file before and after (the writer first), and the key that writes after. */
    keysBefore?: string[];
    keysAfter?: string[];
    writes?: string;
    /** Published objects and workloads this credential's move changes, as "op type name". */
    published: string[];
    restarted: string[];
    unsafe: string[];
    overdue?: string;
}

export interface Review {
    credentials: CredentialReview[];
    /** Unsafe steps that belong to no credential (a database, a bucket, another program's resource). */
    unsafe: string[];
    safe: boolean;
}

const REPLACING = new Set([
    "replace",
    "create-replacement",
    "delete-replaced",
    "delete",
    "discard",
    "discard-replaced",
    "import-replacement",
    "read-replacement",
]);
/** Every op `pulumi preview --json` writes; a step with another is not understood, so never called safe. */
const KNOWN_OPS = new Set([
    ...REPLACING,
    "same",
    "create",
    "update",
    "read",
    "refresh",
    "import",
    "remove-pending-replace",
]);
const PUBLISHED = /^(kubernetes:core\/v1:(Secret|ConfigMap)|aws:s3\/(bucketObject|bucketObjectv2):)/;
const RESTART = /^kubernetes:apps\/v1:(Deployment|StatefulSet|DaemonSet)Patch$/;
const WRITE_ONLY: Record<string, string> = {
    "aws:rds/instance:Instance": "passwordWoVersion",
    "aws:rds/cluster:Cluster": "masterPasswordWoVersion",
    "aws:elasticache/replicationGroup:ReplicationGroup": "authTokenWoVersion",
};

const DAY = 86_400_000;

/** Reviews a preview. `maxAge` in milliseconds per kind; `now` in epoch milliseconds. */
export function reviewPreview(
    preview: { steps?: PreviewStep[] },
    options: { maxAge?: Partial<Record<CredentialKind, number>>; now?: number } = {},
): Review {
    const steps = preview.steps ?? [];
    const states = new Map<string, ResourceState>();
    for (const step of steps) {
        const state = step.newState ?? step.oldState;
        if (state) states.set(step.urn, { ...state, urn: step.urn });
    }
    const credentials = findCredentials(states);
    const claimed = new Set<string>();
    // "db-ro-slot1" belongs to a credential "db" by its name's prefix too: a step is its most specific credential's.
    const ownerOf = (urn: string) =>
        credentials
            .filter((credential) => belongsTo(urn, credential))
            .sort((a, b) => b.name.length - a.name.length || b.urn.length - a.urn.length)[0];
    const reviews = credentials.map((credential) => {
        const own = steps.filter((step) => ownerOf(step.urn) === credential);
        own.forEach((step) => claimed.add(step.urn));
        return reviewCredential(credential, own, options);
    });
    // `pulumi preview --json` leaves out unchanged resources unless given --show-sames: a slot whose ledger did not
    // change (a run completing an interrupted rotation) arrives without it, and cannot be judged.
    const inRing = (step: PreviewStep) => /[:$]keyshift:ring:[A-Za-z]+\$[^$]+::[^:]+-slot\d+$/.test(step.urn);
    const unsafe = steps
        .filter((step) => !claimed.has(step.urn) && REPLACING.has(step.op))
        .map((step) =>
            inRing(step)
                ? `${step.op} ${typeOf(step)} ${nameOf(step.urn)}: a credential slot whose ledger is not in the preview; run pulumi preview --json --show-sames`
                : `${step.op} ${typeOf(step)} ${nameOf(step.urn)}: not a credential slot`,
        );
    for (const step of steps) {
        if (!KNOWN_OPS.has(step.op))
            unsafe.push(`${String(step.op)} ${nameOf(step.urn)}: a step keyshift review does not know`);
    }
    const uniqueUnsafe = [...new Set(unsafe)];
    return {
        credentials: reviews,
        unsafe: uniqueUnsafe,
        safe: uniqueUnsafe.length === 0 && reviews.every((r) => r.unsafe.length === 0 && !r.overdue),
    };
}

const typeOf = (step: PreviewStep) => (step.newState ?? step.oldState)?.type ?? "?";

function reviewCredential(
    credential: Credential,
    steps: PreviewStep[],
    options: { maxAge?: Partial<Record<CredentialKind, number>>; now?: number },
): CredentialReview {
    const ledgerStep = steps.find((step) => step.urn === credential.ledgerUrn);
    const before = ledgerOf(ledgerStep?.oldState);
    const after = ledgerOf(ledgerStep?.newState);
    const review: CredentialReview = {
        name: credential.name,
        type: credential.type,
        kind: credential.kind,
        configPath: credential.configPath,
        move: "no change",
        dateBefore: before?.rotatedDate,
        dateAfter: after?.rotatedDate ?? before?.rotatedDate,
        regenerated: [],
        completes: [],
        published: [],
        restarted: [],
        unsafe: [],
    };
    if (!after) {
        review.unsafe.push("could not be understood: the preview shows no ledger for it (an unknown rotatedDate?)");
        return review;
    }
    review.move = moveOf(before, after, ledgerStep!);
    const staged = stagedOf(credential.kind);
    const roles = slotRoles(after, staged);
    const roleOf = (slot: number) =>
        slot === roles.primary ? "primary" : slot === roles.next ? "next" : slot === roles.previous ? "previous" : "?";

    const slotSteps = steps.map((step) => ({ step, slot: slotIndex((step.newState ?? step.oldState)!, credential) }));
    for (const { step, slot } of slotSteps) {
        const changed = REPLACING.has(step.op) && step.op !== "delete-replaced" && step.op !== "create-replacement";
        if (slot !== undefined && (changed || (step.op === "create" && before))) {
            if (step.op === "delete") {
                const revoked = after.slots[slot]?.revokedOn;
                if (!revoked || review.move !== "emergency rotation")
                    review.unsafe.push(`deletes slot ${slot} outside an emergency rotation`);
                continue;
            }
            const moved = before && before.slots[slot]?.generation !== after.slots[slot]?.generation;
            if (!moved && /-cert(-csr)?$/.test(nameOf(step.urn))) {
                // The slot's key stays; its certificate is issued again because the CA that signs it changed.
                review.published.push(`re-issue ${typeOf(step)} ${nameOf(step.urn)} (its signing CA changed)`);
                continue;
            }
            const recorded = after.slots[slot];
            const generatedFor = generationOf(step.oldState);
            const catchingUp =
                !moved &&
                recorded !== undefined &&
                generatedFor !== undefined &&
                generatedFor < recorded.generation &&
                generationOf(step.newState) === recorded.generation;
            if (catchingUp) {
                if (!review.completes.some((c) => c.slot === slot))
                    review.completes.push({ slot, generation: recorded.generation, date: recorded.date });
                continue;
            }
            if (!review.regenerated.some((r) => r.slot === slot)) review.regenerated.push({ slot, role: roleOf(slot) });
            if (!moved) review.unsafe.push(`regenerates slot ${slot} without a ledger move`);
        } else if (slot === undefined && REPLACING.has(step.op) && step.urn !== credential.ledgerUrn) {
            if (step.op !== "delete-replaced" && step.op !== "create-replacement")
                review.unsafe.push(`${step.op} ${typeOf(step)} ${nameOf(step.urn)}: not a credential slot`);
        }
        if (slot === undefined && step.op !== "same" && step.op !== "read") {
            if (PUBLISHED.test(typeOf(step))) review.published.push(`${step.op} ${typeOf(step)} ${objectName(step)}`);
            if (RESTART.test(typeOf(step))) review.restarted.push(workloadName(step));
        }
    }
    if (review.move === "no change" && review.completes.length > 0)
        review.move = "completion of an interrupted rotation";
    // The ledger moved on from a rotation whose slot was never generated: the late slot takes a role (primary, for a
    // signer) it was never staged or published for, and the new move replaces a key still in use.
    for (const c of review.completes) {
        if (review.regenerated.length > 0)
            review.unsafe.push(
                `completes slot ${c.slot} of an interrupted rotation to ${c.date} and moves on in the same run: apply that rotation first (rotatedDate ${c.date}), then the new date`,
            );
    }
    if (review.completes.length > 1)
        review.unsafe.push(
            `completes ${review.completes.length} slots at once: the ring is more than one rotation behind its ledger, and a key in use is replaced`,
        );
    const primaryCompleted = review.completes.some((c) => c.slot === after.primary);
    if (credential.kind === "signer" && primaryCompleted)
        review.unsafe.push(
            `completes slot ${after.primary}, the primary: a key never staged as next would sign at once`,
        );
    const ledgerReplaced = steps.some((step) => step.urn === credential.ledgerUrn && REPLACING.has(step.op));
    if (ledgerReplaced) review.unsafe.push("replaces its ledger, the record of which keys are in use");
    // How many slots each move may regenerate: one for a rotation (an emergency revokes, it does not regenerate more).
    const allowed = review.move === "routine rotation" || review.move === "emergency rotation" ? 1 : 0;
    if (review.move !== "first creation" && review.move !== "no change" && review.regenerated.length > allowed)
        review.unsafe.push(`regenerates ${review.regenerated.length} slots in one ${review.move}`);
    if (before) {
        checkWriteOnly(review, steps, before, after, primaryCompleted);
        if (credential.kind === "signer") describeTrust(review, credential, steps, before, after);
        if (credential.kind === "encryption") describeKeys(review, before, after);
    }
    const limit = options.maxAge?.[credential.kind];
    const date = parseRotationDate(review.dateAfter);
    if (limit !== undefined && date !== undefined && (options.now ?? Date.now()) - date > limit) {
        review.overdue = `rotated ${review.dateAfter}, more than ${Math.round(limit / DAY)} days ago`;
    }
    return review;
}

/** The generation a slot's resource was generated for: its keepers (random) or its replacement trigger (tls, IAM). */
function generationOf(state: ResourceState | undefined): number | undefined {
    const keepers = state?.inputs?.keepers as { generation?: unknown } | undefined;
    const value = keepers?.generation ?? (state as { replacementTrigger?: unknown } | undefined)?.replacementTrigger;
    const generation = typeof value === "string" || typeof value === "number" ? Number(value) : NaN;
    return Number.isInteger(generation) ? generation : undefined;
}

function moveOf(before: Ledger | undefined, after: Ledger, step: PreviewStep): MoveName {
    if (!before || step.op === "create") return "first creation";
    if (sameJson(before, after)) {
        const [was, now] = [requestOf(step.oldState)?.settings, requestOf(step.newState)?.settings];
        return sameJson(was, now) ? "no change" : "settings change deferred to the next rotation";
    }
    if (after.rotatedDate === before.rotatedDate) {
        const rewriteOnly = sameJson({ ...before, rewrite: undefined }, { ...after, rewrite: undefined });
        return rewriteOnly ? "rewrite of stored data recorded" : "ledger migrated from an earlier keyshift";
    }
    if (after.lastMove === "emergency") return "emergency rotation";
    if (after.lastMove === "rollback" || after.rotatedDate === before.rollbackDate) return "rollback";
    return "routine rotation";
}

/** A write-only password is sent exactly when its version changes: the primary's identity and the version move together. */
function checkWriteOnly(
    review: CredentialReview,
    steps: PreviewStep[],
    before: Ledger,
    after: Ledger,
    primaryCompleted: boolean,
): void {
    const identity = (ledger: Ledger) => `${ledger.primary}:${ledger.slots[ledger.primary].generation}`;
    // A completed primary slot is a new password in use, though the ledger does not move.
    const primaryChanged = identity(before) !== identity(after) || primaryCompleted;
    for (const step of steps) {
        const field = WRITE_ONLY[typeOf(step)];
        if (!field || !step.oldState || !step.newState) continue;
        const versionChanged = step.oldState.inputs?.[field] !== step.newState.inputs?.[field];
        if (versionChanged !== primaryChanged) {
            review.unsafe.push(
                primaryChanged
                    ? `${nameOf(step.urn)}: the password in use changes but ${field} does not, so the service keeps the old one`
                    : `${nameOf(step.urn)}: ${field} changes but the password in use does not`,
            );
        }
    }
}

/** Encryption keys: the file's keys before and after by name, the writer, and any key dropped with unrewritten data. */
function describeKeys(review: CredentialReview, before: Ledger, after: Ledger): void {
    const names = (ledger: Ledger) => trustedSlotOrder(ledger).map((slot) => `key-${ledger.slots[slot].generation}`);
    review.keysBefore = names(before);
    review.keysAfter = names(after);
    review.writes = review.keysAfter[0];
    // A rewrite recorded in this run moved every object to the key writing until now.
    if (after.rewrite?.recorded !== before.rewrite?.recorded) return;
    const kept = new Set(after.slots.map((slot) => slot.generation));
    for (const generation of before.rewrite?.unrewritten ?? []) {
        if (!kept.has(generation))
            review.unsafe.push(
                `drops key-${generation}, which holds data no recorded rewrite has moved: what only it decrypts becomes unreadable`,
            );
    }
}

/** Signers: the trusted set before and after by kid, the signing key, and any trusted key dropped too early. */
function describeTrust(
    review: CredentialReview,
    credential: Credential,
    steps: PreviewStep[],
    before: Ledger,
    after: Ledger,
): void {
    const keys = new Map<number, PreviewStep>();
    for (const step of steps) {
        const slot = slotIndex((step.newState ?? step.oldState)!, credential);
        if (slot !== undefined && step.op !== "delete-replaced") keys.set(slot, step);
    }
    // A preview lists only the keys that change; the others' public keys are in the published trusted-keys ConfigMap,
    // keyed by slot, when the signer publishes one.
    const published = steps.find((step) => typeOf(step) === "kubernetes:core/v1:ConfigMap");
    const fromConfigMap = (slot: number) => {
        const data = published?.oldState?.inputs?.data as Record<string, string> | undefined;
        const pem = data?.[`service-account-${String(slot + 1).padStart(3, "0")}.pub`];
        return pem ? kidOf({ urn: "", type: "", outputs: { publicKeyPem: pem } }) : undefined;
    };
    const completing = new Set(review.completes.map((c) => c.slot));
    const kid = (ledger: Ledger, slot: number, old: boolean) => {
        const step = keys.get(slot);
        const sameKey = before.slots[slot]?.generation === ledger.slots[slot]?.generation;
        if (!old && completing.has(slot)) return "(new key)";
        if (!old && !sameKey) return kidOf(step?.newState) ?? "(new key)";
        return (
            kidOf(step?.oldState) ?? fromConfigMap(slot) ?? `slot ${slot} (generation ${before.slots[slot].generation})`
        );
    };
    review.trustedBefore = trustedSlotOrder(before).map((slot) => kid(before, slot, true));
    review.trustedAfter = trustedSlotOrder(after).map((slot) => kid(after, slot, false));
    review.signs = kid(after, after.primary, false);
    const previous = slotRoles(before, 1).previous;
    const dropped = trustedSlotOrder(before).filter(
        (slot) =>
            !trustedSlotOrder(after).includes(slot) || before.slots[slot].generation !== after.slots[slot].generation,
    );
    for (const slot of dropped) {
        if (slot !== previous && review.move !== "emergency rotation") {
            review.unsafe.push(`drops trusted key ${kid(before, slot, true)}, which was not the previous key`);
        }
    }
}

function objectName(step: PreviewStep): string {
    const state = step.newState ?? step.oldState;
    const meta = (state?.inputs?.metadata ?? state?.outputs?.metadata) as
        | { name?: string; namespace?: string }
        | undefined;
    if (meta?.name) return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
    const key = state?.inputs?.key ?? state?.outputs?.key;
    return typeof key === "string" ? key : nameOf(step.urn);
}

function workloadName(step: PreviewStep): string {
    const kind = /(\w+)Patch$/.exec(typeOf(step))?.[1] ?? "Workload";
    return `${kind} ${objectName(step)}`;
}

export { LEDGER_TYPE };
