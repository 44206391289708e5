// The slot ring: which slot is primary, which slot a rotation regenerates, which config values are allowed, and what
// the ring remembers of a credential's life (each slot's settings, emergency rotations and what they revoked).
// Pure, and free of Pulumi, because the ledger's dynamic provider runs it: it imports only ./dates and the password
// rules of ../passwords/rules, pure as well.
// The exact transitions are those of shared/docs/ring.md; tests/unit/ring.test.ts checks them as properties.

import { CharacterRules, ResolvedRules, ServiceConstraints, ruleProblems, ruleTypeProblems } from "../passwords/rules";
import { formatInstant, notADate, notAnInterval, notCompromised, parseInterval, parseRotationDate } from "./dates";

/** What shapes a slot's key material: a password's length and characters, a key's algorithm. Flat JSON values. */
export type Settings = Record<string, string | number | boolean>;

/** One slot's bookkeeping. Key material never lives here, only what decides when and how it is regenerated. */
export interface SlotRecord {
    /** Unique across the ring's life and increasing; the slot's key resource is replaced when it changes. */
    generation: number;
    /** The config date the slot's current key was generated for. */
    date: string;
    /** The settings the slot's current key was generated with; the slot's resource takes its inputs from these. */
    settings: Settings;
    /** Set when an emergency rotation revoked this slot's credential: that rotation's date. Cleared on regeneration. */
    revokedOn?: string;
}

/** An emergency rotation, kept for good: the credential it revoked must never come back. */
export interface EmergencyRecord {
    /** The rotation date of the emergency rotation. */
    date: string;
    /** The revoked credential's generation and the date it was generated for. */
    revokedGeneration: number;
    /** The date the revoked credential was generated for. */
    revokedDate: string;
}

/** The move that put the current primary in place. */
export type Move = "create" | "forward" | "emergency" | "rollback";

/** What the ring remembers between runs, kept in the Pulumi checkpoint by the ledger resource. */
export interface Ledger {
    /** The config date of the current rotation. */
    rotatedDate: string;
    /** The date of the rotation before it while a one-step rollback to it is possible, else "". */
    rollbackDate: string;
    /** Index of the primary slot. */
    primary: number;
    /** Every slot, by index. */
    slots: SlotRecord[];
    /** How the current primary got its role; a no-op keeps it. ElastiCache sets a token with SET after a create or an emergency. */
    lastMove: Move;
    /** Every emergency rotation, oldest first. */
    emergencies: EmergencyRecord[];
    /** `compromised: true` was acted on and is still in config, so it is not a new emergency. */
    compromisedSeen: boolean;
    /**
     * Set when this ledger was read from an earlier keyshift's format and has not moved since: `"0.1"`. Components
     * keep what that release did (ElastiCache's strategy) until the next move.
     */
    upgradedFrom?: string;
    /** For rings whose keys decrypt stored data (RotationRequest.rewrite): which keys still hold data. */
    rewrite?: RewriteState;
}

/** The kinds of credential keyshift rotates: each has one ring shape, one default interval and one `--max-age` key. */
export const CREDENTIAL_KINDS = [
    "signer",
    "password",
    "token",
    "encryption",
    "ca",
    "certificate",
    "ipsec",
    "accessKey",
] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** The ring's fixed shape: 2 slots and no staged key for passwords, 3 slots with a staged next key for signers. */
export interface RingShape {
    slotCount: number;
    staged: 0 | 1;
}

/** What the config asks for on this run. */
export interface RotationRequest extends RingShape {
    /** The config value, as written. */
    rotatedDate: string;
    /** Minimum time between two routine forward rotations, as written (see parseInterval). */
    minRotationInterval: string | 0;
    /** How the user names the date in their config, used in every message (for example `signer.rotatedDate`). */
    label: string;
    /** The settings new slots are generated with. Default none. */
    settings?: Settings;
    /** `true`, or the date of the emergency rotation: the credential in use was exposed. */
    compromised?: boolean | string;
    /**
     * Set for keys that still decrypt stored data after they stop writing (encryption at rest): a forward move drops
     * the previous key, and data it wrote is unreadable unless it was rewritten with a later key first.
     */
    rewrite?: RewriteRecord;
    /**
     * What the credential's consumer rules out, refused at the ledger's check so that nothing is changed: the engine
     * stops at a check failure before any resource is replaced or deleted.
     */
    limits?: RingLimits;
}

/** Component-specific refusals the ring makes for a credential (see RotationRequest.limits). */
export interface RingLimits {
    /** Why a rollback is refused, when it is (Cilium's key ids only go forward). */
    noRollback?: string;
    /** Settings that may never change for the ring's life, each with why. */
    fixedSettings?: Record<string, string>;
    /** Conditions every run must meet: `met` true or "true"; otherwise `<config path>.<key>: <reason>`. */
    requirements?: { key: string; met?: boolean | string; reason: string }[];
    /** For passwords: the service's rules, which the password in use must meet after the move (see `inUseProblem`). */
    primaryConstraints?: ServiceConstraints;
}

/** What config says of the rewrite of stored data, for rings whose keys decrypt it (see RotationRequest.rewrite). */
export interface RewriteRecord {
    /**
     * When the last rewrite of every stored object finished, a date or timestamp. It counts once, in the first run
     * that sees it, and only if it is not earlier than the current rotation date: the rewrite used the key writing now.
     */
    rewrittenDate?: string;
    /** Drop the previous key even though no rewrite is recorded: what only it decrypts becomes unreadable. */
    dropUnrewrittenKey?: boolean;
}

/** The ledger's memory of stored data, for rings whose keys decrypt it. */
export interface RewriteState {
    /** Generations of keys, other than the primary, that wrote data no recorded rewrite has moved since. */
    unrewritten: number[];
    /** The last rewrittenDate that counted (or was in config when the ring was created); "" for none. */
    recorded: string;
}

export type TransitionKind = "create" | "noop" | "forward" | "emergency" | "rollback";

export interface Transition {
    kind: TransitionKind;
    ledger: Ledger;
    /** Slots whose key material this transition regenerates. */
    regenerated: number[];
    /** Slots whose credential this transition revokes (an emergency's exposed slot). */
    revoked: number[];
}

/** A config value the ring refuses. `property` names the ledger input at fault, for the engine's check failure. */
export class RotationError extends Error {
    /**
     * The message again, as a field of its own: the ledger provider is serialized by Pulumi's closure serializer,
     * whose rewritten Error subclasses do not keep `message`.
     */
    public readonly reason: string;

    constructor(
        /** The ring argument the message is about, which a component maps to its config key. */
        public readonly property: "rotatedDate" | "minRotationInterval" | "slotCount" | "compromised",
        message: string,
    ) {
        super(message);
        this.name = "RotationError";
        this.reason = message;
    }
}

const mod = (value: number, n: number): number => ((value % n) + n) % n;

/**
 * The config paths of a credential's keys, from the path of its section (`keyshift:database`) or of its rotation date
 * (`keyshift:database.rotatedDate`, `e2e:rotatedDate`): `configKey(path, "length")` is `keyshift:database.length`.
 */
export function configKey(configPath: string, key: string): string {
    const date = /^(.*)rotatedDate$/.exec(configPath);
    return date ? `${date[1]}${key}` : `${configPath}.${key}`;
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
export function initialLedger(shape: RingShape, date: string, settings: Settings = {}): Ledger {
    return {
        rotatedDate: date,
        rollbackDate: "",
        primary: 0,
        slots: Array.from({ length: shape.slotCount }, (_, index) => ({ generation: index + 1, date, settings })),
        lastMove: "create",
        emergencies: [],
        compromisedSeen: false,
    };
}

/**
 * Reads a ledger as an earlier keyshift wrote it. 0.1 kept no settings, moves or emergencies: its slots were all
 * generated with the settings of the config it last ran with, which an upgrade runs with again, so they take the
 * request's; a `compromised: true` in that config was already acted on (0.1 set the token with SET).
 */
export function upgradeLedger(stored: unknown, request: RotationRequest): Ledger | undefined {
    if (stored === undefined || stored === null) {
        return undefined;
    }
    const old = stored as Partial<Ledger>;
    const damage = ledgerDamage(old);
    if (damage) {
        throw new RotationError(
            "slotCount",
            `${request.label}: the ring's ledger in the checkpoint is damaged (${damage}); keyshift will not guess which keys are in use: restore the stack's checkpoint from a backup (pulumi stack import)`,
        );
    }
    if (old.lastMove !== undefined) {
        return withoutImpossibleRules(old as Ledger, request);
    }
    // 0.1 acted on `compromised: true` (ElastiCache's SET) in the run it appeared with a new date; left in config on
    // the same date it was already acted on, and with a new date it is a new emergency.
    const sameDate = parseRotationDate(request.rotatedDate) === parseRotationDate(old.rotatedDate);
    return {
        rotatedDate: String(old.rotatedDate),
        rollbackDate: old.rollbackDate ?? "",
        primary: Number(old.primary),
        slots: old.slots!.map((slot) => ({
            generation: slot.generation,
            date: slot.date,
            settings: request.settings ?? {},
        })),
        lastMove: "forward",
        emergencies: [],
        compromisedSeen: request.compromised === true && sameDate,
        upgradedFrom: "0.1",
    };
}

/**
 * keyshift before 0.2 recorded password rules of the wrong type (`lower: "no"` from config) for the slot a rotation
 * generated; the password provider refused them, so that slot's new password never existed and every later run
 * failed. Such a slot takes the request's rules: the next run generates its password, finishing that rotation.
 */
function withoutImpossibleRules(ledger: Ledger, request: RotationRequest): Ledger {
    const impossible = (settings: Settings) => ruleTypeProblems(settings as unknown as ResolvedRules).length > 0;
    const wanted = request.settings ?? {};
    if (request.limits?.primaryConstraints === undefined || impossible(wanted)) {
        return ledger;
    }
    if (!ledger.slots.some((slot) => impossible(slot.settings))) {
        return ledger;
    }
    return {
        ...ledger,
        slots: ledger.slots.map((slot) => (impossible(slot.settings) ? { ...slot, settings: wanted } : slot)),
    };
}

/** What is wrong with a stored ledger, or undefined: keyshift refuses to rotate from a ledger it did not write. */
function ledgerDamage(old: Partial<Ledger>): string | undefined {
    const slots = old.slots;
    if (typeof old !== "object" || !Array.isArray(slots) || slots.length < 2) {
        return "no slots";
    }
    if (parseRotationDate(old.rotatedDate) === undefined) {
        return `rotatedDate ${JSON.stringify(old.rotatedDate)}`;
    }
    if (old.rollbackDate && parseRotationDate(old.rollbackDate) === undefined) {
        return `rollbackDate ${JSON.stringify(old.rollbackDate)}`;
    }
    if (!Number.isInteger(old.primary) || old.primary! < 0 || old.primary! >= slots.length) {
        return `primary ${JSON.stringify(old.primary)}`;
    }
    const generations = slots.map((slot) => slot?.generation);
    if (!generations.every((g) => Number.isInteger(g) && g > 0) || new Set(generations).size !== generations.length) {
        return `generations ${JSON.stringify(generations)}`;
    }
    if (!slots.every((slot) => parseRotationDate(slot.date) !== undefined)) {
        return "a slot without a date";
    }
    return undefined;
}

/**
 * Plans the move from `previous` (undefined on the first run) to what `request` asks for. Throws a RotationError,
 * whose message names the config key and the value, for a malformed, backwards or too-early date, an emergency
 * without a new date, or a date that would bring back a revoked credential.
 */
export function planRotation(previous: Ledger | undefined, request: RotationRequest): Transition {
    const transition = planMove(previous, request);
    const constraints = request.limits?.primaryConstraints;
    if (constraints) {
        const { settings, date } = transition.ledger.slots[transition.ledger.primary];
        const [problem] = ruleProblems(settings as unknown as CharacterRules, constraints);
        if (problem) {
            throw new RotationError(
                "rotatedDate",
                `${configKey(request.label, problem.rule)}: the password in use, generated for ${date}, breaks ${constraints.service}'s rules (${problem.reason}); set a later rotatedDate to generate one it accepts`,
            );
        }
    }
    return transition;
}

function planMove(previous: Ledger | undefined, request: RotationRequest): Transition {
    checkShape(request);
    for (const requirement of request.limits?.requirements ?? []) {
        if (requirement.met !== true && requirement.met !== "true") {
            throw new RotationError(
                "rotatedDate",
                `${configKey(request.label, requirement.key)}: ${requirement.reason}`,
            );
        }
    }
    const wanted = parseRotationDate(request.rotatedDate);
    if (wanted === undefined) {
        throw new RotationError("rotatedDate", `${request.label} = ${notADate(request.rotatedDate)}`);
    }
    const minInterval = parseInterval(request.minRotationInterval);
    if (minInterval === undefined) {
        const path = configKey(request.label, "minRotationInterval");
        throw new RotationError("minRotationInterval", `${path} = ${notAnInterval(request.minRotationInterval)}`);
    }
    const compromisedOn = compromisedDate(request, wanted);
    const settings = request.settings ?? {};
    if (previous === undefined) {
        if (request.compromised === true || typeof request.compromised === "string") {
            throw new RotationError(
                "compromised",
                `${configKey(request.label, "compromised")} = ${JSON.stringify(request.compromised)} on the credential's first run: nothing has been generated yet that could be exposed; remove it`,
            );
        }
        const ledger = initialLedger(request, request.rotatedDate, settings);
        if (request.rewrite) {
            ledger.rewrite = { unrewritten: [], recorded: request.rewrite.rewrittenDate ?? "" };
        }
        return { kind: "create", ledger, regenerated: range(request.slotCount), revoked: [] };
    }
    if (previous.slots.length !== request.slotCount) {
        throw new RotationError(
            "slotCount",
            `${request.label}: this ring was created with ${previous.slots.length} slots and cannot change to ${request.slotCount}; create a new component instead`,
        );
    }
    for (const [key, why] of Object.entries(request.limits?.fixedSettings ?? {})) {
        const inUse = previous.slots[previous.primary].settings[key];
        const wanted = (request.settings ?? {})[key];
        if (inUse !== undefined && wanted !== inUse) {
            throw new RotationError(
                "rotatedDate",
                `${configKey(request.label, key)} = ${JSON.stringify(wanted)} differs from ${JSON.stringify(inUse)}, which the key in use has: ${why}`,
            );
        }
    }
    const current = parseRotationDate(previous.rotatedDate) ?? Number.NaN;
    const rollback = parseRotationDate(previous.rollbackDate);
    const kind = wanted === current ? "noop" : rollback !== undefined && wanted === rollback ? "rollback" : "forward";
    if (kind === "forward" && wanted < current) {
        throw backwards(previous, request);
    }
    const emergency = isNewEmergency(previous, request, kind, compromisedOn);
    const seen = request.compromised === true && (previous.compromisedSeen || emergency);
    previous = recordRewrite(previous, request);
    if (kind === "noop") {
        const ledger = seen === previous.compromisedSeen ? previous : { ...previous, compromisedSeen: seen };
        return { kind, ledger, regenerated: [], revoked: [] };
    }
    if (kind === "rollback" && request.limits?.noRollback) {
        throw new RotationError(
            "rotatedDate",
            `${request.label} = ${JSON.stringify(request.rotatedDate)} rolls back to the previous key, but ${request.limits.noRollback}: set a later date to rotate to a new key instead`,
        );
    }
    if (kind === "rollback") {
        const ledger: Ledger = {
            ...previous,
            rotatedDate: request.rotatedDate,
            rollbackDate: "",
            primary: mod(previous.primary - 1, request.slotCount),
            lastMove: "rollback",
            compromisedSeen: seen,
        };
        delete ledger.upgradedFrom;
        if (previous.rewrite) {
            // The key rolled back from wrote until now, and stays in the file.
            const wrote = previous.slots[previous.primary].generation;
            ledger.rewrite = {
                ...previous.rewrite,
                unrewritten: [...new Set([...previous.rewrite.unrewritten, wrote])],
            };
        }
        return { kind, ledger, regenerated: [], revoked: [] };
    }
    // An emergency does not wait for minRotationInterval: the credential in use is exposed now.
    if (!emergency && wanted < current + minInterval) {
        throw new RotationError(
            "rotatedDate",
            `${request.label} = ${JSON.stringify(request.rotatedDate)} is too soon after the last rotation on ${previous.rotatedDate}: minRotationInterval is ${request.minRotationInterval}, so the earliest allowed date is ${formatInstant(current + minInterval)}`,
        );
    }
    const primary = mod(previous.primary + 1, request.slotCount);
    const regenerated = mod(primary + request.staged, request.slotCount);
    const dropped = previous.slots[regenerated].generation;
    if (previous.rewrite?.unrewritten.includes(dropped) && request.rewrite?.dropUnrewrittenKey !== true) {
        throw unrewritten(previous, regenerated, request);
    }
    const exposed = previous.primary;
    const generation = Math.max(...previous.slots.map((slot) => slot.generation)) + 1;
    const slots = previous.slots.map((slot, index): SlotRecord => {
        if (index === regenerated) return { generation, date: request.rotatedDate, settings };
        if (emergency && index === exposed) return { ...slot, revokedOn: request.rotatedDate };
        return slot;
    });
    const ledger: Ledger = {
        rotatedDate: request.rotatedDate,
        // The exposed credential is the rollback target of a routine move: an emergency leaves none.
        rollbackDate: emergency ? "" : previous.rotatedDate,
        primary,
        slots,
        lastMove: emergency ? "emergency" : "forward",
        emergencies: emergency
            ? [
                  ...previous.emergencies,
                  {
                      date: request.rotatedDate,
                      revokedGeneration: previous.slots[exposed].generation,
                      revokedDate: previous.slots[exposed].date,
                  },
              ]
            : previous.emergencies,
        compromisedSeen: seen,
    };
    if (previous.rewrite) {
        const wrote = new Set([...previous.rewrite.unrewritten, previous.slots[exposed].generation]);
        wrote.delete(dropped);
        ledger.rewrite = { ...previous.rewrite, unrewritten: [...wrote] };
    }
    return {
        kind: emergency ? "emergency" : "forward",
        ledger,
        regenerated: [regenerated],
        revoked: emergency ? [exposed] : [],
    };
}

/**
 * The ledger with a new rewrittenDate counted: a rewrite that finished after the current primary took over moved every
 * stored object to it, so no other key holds data any more. A value counts once, so one left in config does not vouch
 * for data written after a later rollback.
 */
function recordRewrite(previous: Ledger, request: RotationRequest): Ledger {
    const said = request.rewrite?.rewrittenDate;
    const state = previous.rewrite ?? (request.rewrite ? inferredRewrite(previous) : undefined);
    if (!state) {
        return previous;
    }
    if (said === undefined || said === state.recorded) {
        return previous.rewrite ? previous : { ...previous, rewrite: state };
    }
    const when = parseRotationDate(said);
    if (when === undefined) {
        throw new RotationError("rotatedDate", `${configKey(request.label, "rewrittenDate")} = ${notADate(said)}`);
    }
    if (when < (parseRotationDate(previous.rotatedDate) ?? Number.NaN)) {
        return previous.rewrite ? previous : { ...previous, rewrite: state };
    }
    return { ...previous, rewrite: { unrewritten: [], recorded: said } };
}

/** For a ledger written without rewrite records: every key older than the primary may have written. */
function inferredRewrite(ledger: Ledger): RewriteState {
    const primary = ledger.slots[ledger.primary].generation;
    const older = ledger.slots.map((slot) => slot.generation).filter((generation) => generation < primary);
    return { unrewritten: older, recorded: "" };
}

/** The refusal of a forward move that would drop a key stored data may still need, saying what to do. */
function unrewritten(previous: Ledger, slot: number, request: RotationRequest): RotationError {
    const leaving = previous.slots[slot];
    const path = configKey(request.label, "rewrittenDate");
    const said = request.rewrite?.rewrittenDate;
    const recorded = previous.rewrite?.recorded;
    const reason =
        said === undefined
            ? `${path} is not set`
            : said === recorded
              ? `${path} = ${JSON.stringify(said)} was already counted for an earlier rewrite`
              : `${path} = ${JSON.stringify(said)} is before ${previous.rotatedDate}, when the key writing now took over`;
    return new RotationError(
        "rotatedDate",
        `${request.label} = ${JSON.stringify(request.rotatedDate)} would drop the key of generation ${leaving.generation} (generated for ${leaving.date}), which holds data no recorded rewrite has moved, and ${reason}: rewrite every stored object with the key writing now, then set ${path} to the date the rewrite finished (${previous.rotatedDate} or later${recorded ? `, not ${recorded} again` : ""}); or set ${configKey(request.label, "dropUnrewrittenKey")} = true to drop the key anyway, leaving what only it decrypts unreadable`,
    );
}

/** The instant `compromised` names when it is a date; validates it against the requested rotation date. */
function compromisedDate(request: RotationRequest, wanted: number): number | undefined {
    const value = request.compromised;
    if (value === undefined || typeof value === "boolean") {
        return undefined;
    }
    const path = configKey(request.label, "compromised");
    const date = parseRotationDate(value);
    if (date === undefined) {
        throw new RotationError("compromised", `${path} = ${notCompromised(value)}`);
    }
    if (date > wanted) {
        throw new RotationError(
            "compromised",
            `${path} = ${JSON.stringify(value)} is later than ${request.label} = ${JSON.stringify(request.rotatedDate)}: set ${request.label} to ${JSON.stringify(value)} to rotate the exposed credential now`,
        );
    }
    return date;
}

/**
 * Whether this run is a new emergency rotation. `true` is new until the ledger has seen it; a date is the emergency
 * rotation to that date. Asking for an emergency on a run that moves nowhere new is refused: there would be nothing to
 * rotate the exposed credential to.
 */
function isNewEmergency(
    previous: Ledger,
    request: RotationRequest,
    kind: "noop" | "rollback" | "forward",
    compromisedOn: number | undefined,
): boolean {
    const path = configKey(request.label, "compromised");
    const recorded = (date: number) => previous.emergencies.some((e) => parseRotationDate(e.date) === date);
    let wanted = false;
    if (request.compromised === true) {
        wanted = !previous.compromisedSeen;
    } else if (compromisedOn !== undefined) {
        if (recorded(compromisedOn)) {
            return false;
        }
        if (compromisedOn !== parseRotationDate(request.rotatedDate)) {
            throw new RotationError(
                "compromised",
                `${path} = ${JSON.stringify(request.compromised)} is not the date of an emergency rotation of this credential: set it to the new ${request.label}, or remove it`,
            );
        }
        wanted = true;
    }
    if (wanted && kind !== "forward") {
        throw new RotationError(
            "compromised",
            `${path} = ${JSON.stringify(request.compromised)} asks for an emergency rotation, but ${request.label} = ${JSON.stringify(request.rotatedDate)} ${kind === "noop" ? "is the current rotation date" : "is a rollback"}: set ${request.label} to a later date to replace the exposed credential now`,
        );
    }
    return wanted;
}

/** The refusal of an earlier date that is not the rollback date, saying why and what is allowed. */
function backwards(previous: Ledger, request: RotationRequest): RotationError {
    const wanted = parseRotationDate(request.rotatedDate)!;
    const value = `${request.label} = ${JSON.stringify(request.rotatedDate)}`;
    const emergency = [...previous.emergencies].reverse().find((e) => (parseRotationDate(e.date) ?? 0) > wanted);
    if (emergency) {
        return new RotationError(
            "rotatedDate",
            `${value} goes back past the emergency rotation on ${emergency.date}, which revoked the credential generated for ${emergency.revokedDate} (generation ${emergency.revokedGeneration}); a revoked credential never returns: use a date later than ${previous.rotatedDate}`,
        );
    }
    const allowed =
        previous.rollbackDate === ""
            ? "no rollback is possible now (only one step back is kept)"
            : `the only earlier date allowed is ${previous.rollbackDate}, which rolls back to the previous key`;
    return new RotationError(
        "rotatedDate",
        `${value} is earlier than the last rotation date ${previous.rotatedDate}; ${allowed}`,
    );
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
 * Slots whose keys verifiers must trust, primary first, then previous, then next; a slot revoked by an emergency is
 * left out. For rings of more than three slots the rest follow in ring order after next.
 */
export function trustedSlotOrder(ledger: Ledger): number[] {
    const n = ledger.slots.length;
    const order = [ledger.primary, mod(ledger.primary - 1, n)];
    for (let step = 1; step < n - 1; step++) {
        order.push(mod(ledger.primary + step, n));
    }
    return order.filter((slot) => !ledger.slots[slot].revokedOn);
}

/** A setting whose config value differs from the one the newest slot was generated with. */
export interface PendingSetting {
    key: string;
    value: Settings[string] | undefined;
    current: Settings[string] | undefined;
}

/**
 * The settings in `wanted` that no slot has yet: they apply at the next forward move, which generates one slot with
 * them. Compared with the newest slot, so a change already in use by the last rotation is not pending.
 */
export function pendingSettings(ledger: Ledger, wanted: Settings): PendingSetting[] {
    const newest = ledger.slots.reduce((a, b) => (b.generation > a.generation ? b : a)).settings;
    const keys = [...new Set([...Object.keys(newest), ...Object.keys(wanted)])].sort();
    return keys
        .filter((key) => newest[key] !== wanted[key])
        .map((key) => ({ key, value: wanted[key], current: newest[key] }));
}

/** Deep equality over the JSON-shaped values a checkpoint holds, whatever the order of their keys. */
export function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(canonical);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value as object)
                .sort()
                .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
        );
    }
    return value;
}

function range(n: number): number[] {
    return Array.from({ length: n }, (_, index) => index);
}
