// The slot ring: which slot is primary, which slot a rotation regenerates, and which config dates are allowed.
// Pure and dependency-free apart from ./dates, because the ledger's dynamic provider is serialized with it.
// The exact transitions are those of shared/docs/ring.md; tests/unit/ring.test.ts checks them as properties.

import { DATE_FORMS, INTERVAL_FORMS, formatInstant, parseInterval, parseRotationDate } from "./dates";

/** One slot's bookkeeping. Key material never lives here, only what decides when it is regenerated. */
export interface SlotRecord {
    /** Unique across the ring's life and increasing; the slot's key resource is replaced when it changes. */
    generation: number;
    /** The config date the slot's current key was generated for. */
    date: string;
}

/** What the ring remembers between runs, kept in the Pulumi checkpoint by the ledger resource. */
export interface Ledger {
    /** The config date of the current rotation. */
    rotatedDate: string;
    /** The date of the rotation before it while a one-step rollback to it is possible, else "". */
    rollbackDate: string;
    /** Index of the primary slot. */
    primary: number;
    slots: SlotRecord[];
}

/** The ring's fixed shape: 2 slots and no staged key for passwords, 3 slots with a staged next key for signers. */
export interface RingShape {
    slotCount: number;
    staged: 0 | 1;
}

/** What the config asks for on this run. */
export interface RotationRequest extends RingShape {
    /** The config value, as written. */
    rotatedDate: string;
    /** Minimum time between two forward rotations, as written (see parseInterval). */
    minRotationInterval: string;
    /** How the user names the date in their config, used in every message (for example `signer.rotatedDate`). */
    label: string;
}

export type TransitionKind = "create" | "noop" | "forward" | "rollback";

export interface Transition {
    kind: TransitionKind;
    ledger: Ledger;
    /** Slots whose key material this transition regenerates. */
    regenerated: number[];
}

/** A config value the ring refuses. `property` names the ledger input at fault, for the engine's check failure. */
export class RotationError extends Error {
    /**
     * The message again, as a field of its own: the ledger provider is serialized by Pulumi's closure serializer,
     * whose rewritten Error subclasses do not keep `message`.
     */
    public readonly reason: string;

    constructor(
        public readonly property: "rotatedDate" | "minRotationInterval" | "slotCount",
        message: string,
    ) {
        super(message);
        this.name = "RotationError";
        this.reason = message;
    }
}

const mod = (value: number, n: number): number => ((value % n) + n) % n;

/** The config path of the interval beside a rotation date's path: `x.rotatedDate` → `x.minRotationInterval`. */
export function intervalPath(rotatedDatePath: string): string {
    return rotatedDatePath.replace(/rotatedDate$/, "minRotationInterval");
}

/** Validates a ring's shape; throws a RotationError naming what is wrong. */
export function checkShape(shape: RingShape): void {
    if (!Number.isInteger(shape.slotCount) || shape.slotCount < 2 || shape.slotCount > 8) {
        throw new RotationError("slotCount", `a ring needs 2 to 8 slots, not ${String(shape.slotCount)}`);
    }
    if (shape.staged !== 0 && shape.staged !== 1) {
        throw new RotationError("slotCount", `staged must be 0 or 1, not ${String(shape.staged)}`);
    }
    if (shape.slotCount < 2 + shape.staged) {
        throw new RotationError("slotCount", `a ring with a staged key needs at least 3 slots`);
    }
}

/** The ledger of a ring generated from scratch for `date`. */
export function initialLedger(shape: RingShape, date: string): Ledger {
    return {
        rotatedDate: date,
        rollbackDate: "",
        primary: 0,
        slots: Array.from({ length: shape.slotCount }, (_, index) => ({ generation: index + 1, date })),
    };
}

/**
 * Plans the move from `previous` (undefined on the first run) to what `request` asks for. Throws a RotationError,
 * whose message names `request.label` and the value, for a malformed, backwards or too-early date.
 */
export function planRotation(previous: Ledger | undefined, request: RotationRequest): Transition {
    checkShape(request);
    const wanted = parseRotationDate(request.rotatedDate);
    if (wanted === undefined) {
        throw new RotationError(
            "rotatedDate",
            `${request.label} = ${JSON.stringify(request.rotatedDate)} is not a date: use ${DATE_FORMS}`,
        );
    }
    const minInterval = parseInterval(request.minRotationInterval);
    if (minInterval === undefined) {
        throw new RotationError(
            "minRotationInterval",
            `${intervalPath(request.label)} = ${JSON.stringify(request.minRotationInterval)} is not a duration: use ${INTERVAL_FORMS}`,
        );
    }
    if (previous === undefined) {
        return {
            kind: "create",
            ledger: initialLedger(request, request.rotatedDate),
            regenerated: range(request.slotCount),
        };
    }
    if (previous.slots.length !== request.slotCount) {
        throw new RotationError(
            "slotCount",
            `${request.label}: this ring was created with ${previous.slots.length} slots and cannot change to ${request.slotCount}; create a new component instead`,
        );
    }
    const current = parseRotationDate(previous.rotatedDate) ?? Number.NaN;
    if (wanted === current) {
        return { kind: "noop", ledger: previous, regenerated: [] };
    }
    const rollback = parseRotationDate(previous.rollbackDate);
    if (rollback !== undefined && wanted === rollback) {
        const ledger: Ledger = {
            ...previous,
            rotatedDate: request.rotatedDate,
            rollbackDate: "",
            primary: mod(previous.primary - 1, request.slotCount),
        };
        return { kind: "rollback", ledger, regenerated: [] };
    }
    if (wanted < current) {
        const allowed =
            rollback === undefined
                ? "no rollback is possible now (only one step back is kept)"
                : `the only earlier date allowed is ${previous.rollbackDate}, which rolls back to the previous key`;
        throw new RotationError(
            "rotatedDate",
            `${request.label} = ${JSON.stringify(request.rotatedDate)} is earlier than the last rotation date ${previous.rotatedDate}; ${allowed}`,
        );
    }
    if (wanted < current + minInterval) {
        throw new RotationError(
            "rotatedDate",
            `${request.label} = ${JSON.stringify(request.rotatedDate)} is too soon after the last rotation on ${previous.rotatedDate}: minRotationInterval is ${request.minRotationInterval}, so the earliest allowed date is ${formatInstant(current + minInterval)}`,
        );
    }
    const primary = mod(previous.primary + 1, request.slotCount);
    const regeneratedSlot = mod(primary + request.staged, request.slotCount);
    const nextGeneration = Math.max(...previous.slots.map((slot) => slot.generation)) + 1;
    const slots = previous.slots.map((slot, index) =>
        index === regeneratedSlot ? { generation: nextGeneration, date: request.rotatedDate } : slot,
    );
    const ledger: Ledger = { rotatedDate: request.rotatedDate, rollbackDate: previous.rotatedDate, primary, slots };
    return { kind: "forward", ledger, regenerated: [regeneratedSlot] };
}

/** Which slot holds which role. `next` is defined only for rings with a staged key. */
export interface SlotRoles {
    primary: number;
    previous: number;
    next?: number;
}

export function slotRoles(ledger: Ledger, staged: 0 | 1): SlotRoles {
    const n = ledger.slots.length;
    const roles: SlotRoles = { primary: ledger.primary, previous: mod(ledger.primary - 1, n) };
    if (staged === 1) {
        roles.next = mod(ledger.primary + 1, n);
    }
    return roles;
}

/**
 * Slots whose keys verifiers must trust, primary first, then previous, then next. For rings of more than three
 * slots the rest follow in ring order after next.
 */
export function trustedSlotOrder(ledger: Ledger): number[] {
    const n = ledger.slots.length;
    const order = [ledger.primary, mod(ledger.primary - 1, n)];
    for (let step = 1; step < n - 1; step++) {
        order.push(mod(ledger.primary + step, n));
    }
    return order;
}

function range(n: number): number[] {
    return Array.from({ length: n }, (_, index) => index);
}
