import * as pulumi from "@pulumi/pulumi";
import { checkCompromised, checkInterval, checkRotationDate, isDeferred } from "../validation";
import { RingLimitsInput, SlotLedger } from "./ledger";
import {
    CredentialKind,
    Ledger,
    RingShape,
    Settings,
    SlotRecord,
    SlotRoles,
    configKey,
    pendingSettings,
    slotRoles,
    trustedSlotOrder,
} from "./ring";

/**
 * An object whose fields are built on first read. A credential exposes a dozen Outputs per role and per slot, and a
 * program reads a few of them: building the rest only when asked keeps hundreds of credentials cheap to declare.
 */
export function lazy<T extends object>(build: { [K in keyof T]: () => T[K] }): T {
    const built = {} as T;
    for (const key of Object.keys(build) as (keyof T)[]) {
        let value: T[typeof key] | undefined;
        Object.defineProperty(built, key, {
            enumerable: true,
            get: () => (value ??= build[key]()),
        });
    }
    return built;
}

export type { CredentialKind };

const SHAPES: Record<CredentialKind, RingShape> = {
    signer: { slotCount: 3, staged: 1 },
    encryption: { slotCount: 3, staged: 1 },
    ca: { slotCount: 3, staged: 1 },
    certificate: { slotCount: 2, staged: 0 },
    ipsec: { slotCount: 2, staged: 0 },
    accessKey: { slotCount: 2, staged: 0 },
    password: { slotCount: 2, staged: 0 },
    token: { slotCount: 2, staged: 0 },
};

/**
 * The least time between two routine rotations, by kind, when `minRotationInterval` is not given. A signer's next key
 * must be trusted before it signs: API servers cache verifying keys for up to an hour and kubelet-refreshed tokens turn
 * over within a day. A password's or token's previous value stays valid until the next rotation, so the interval is
 * the least time its holders have to pick up the new one.
 */
export const DEFAULT_MIN_ROTATION_INTERVAL: Readonly<Record<CredentialKind, string>> = {
    signer: "1d",
    password: "1d",
    token: "1d",
    // Before the key that leaves at the next bump may go, every stored object must be rewritten with the new primary:
    // a week leaves time to load the new file on every API server and run the rewrite.
    encryption: "7d",
    // A staged CA must reach every client's trust bundle (kubeconfigs, nodes, ingress) before it signs: kOps rolls
    // every node between its phases.
    ca: "7d",
    certificate: "1d",
    // Cilium drops the old key after its own grace period (5 minutes by default): a day is plenty.
    ipsec: "1d",
    accessKey: "1d",
};

/** The arguments every rotating component shares. */
export interface RotationArgs {
    /**
     * The rotation date, an ISO 8601 date (`2026-11-21`) or RFC 3339 timestamp. Setting a later date rotates once;
     * setting it back to the date before the last rotation rolls back one step; the same date changes nothing.
     * Refused at preview: a date that is not one, an earlier date other than the rollback date, and a later date
     * inside `minRotationInterval`.
     */
    rotatedDate: pulumi.Input<string>;
    /**
     * The least time between two routine rotations, such as `1d`, `12h` or `P1D`, or `0` (string or number) for
     * none; a bump sooner than this is refused at preview. A number other than 0 is refused (it has no unit). Default
     * `1d` (see DEFAULT_MIN_ROTATION_INTERVAL). An emergency rotation does not wait for it.
     */
    minRotationInterval?: pulumi.Input<string | 0>;
    /**
     * Where the stack's config keeps this credential's settings (`keyshift:database`), or its date
     * (`keyshift:database.rotatedDate`), so that every error and warning names the key to fix. Defaults to the
     * component's name.
     */
    configPath?: string;
    /**
     * The credential in use was exposed. `true` together with a new `rotatedDate` makes that rotation an emergency
     * one (kept in the ledger; `true` left in config afterwards has no further effect), or the date of the emergency
     * rotation (it may stay in config). An emergency revokes the exposed credential in the same `pulumi up`: it leaves
     * every trusted set and published object, is never a rollback target, and `previous` is empty until the next
     * rotation. Refused at preview without a new `rotatedDate`.
     */
    compromised?: pulumi.Input<boolean | string>;
}

/**
 * Checks the rotation args every component shares, as the components do before declaring anything: a `rotatedDate`
 * that is not a date, a `minRotationInterval` that is not a duration, a `compromised` that is neither true, false nor
 * a date. Throws `pulumi.InputPropertyError` whose `propertyPath` is the config key (`<configPath>.rotatedDate`) and
 * whose `reason` names the value and the accepted forms. Values that are Outputs are checked when the ledger resolves.
 */
export function checkRotationArgs(args: RotationArgs, configPath: string): void {
    checkRotationDate(args.rotatedDate, configKey(configPath, "rotatedDate"));
    checkInterval(args.minRotationInterval, configKey(configPath, "minRotationInterval"));
    checkCompromised(args.compromised, configKey(configPath, "compromised"));
}

/**
 * A credential's ring: its ledger (a `SlotLedger` child named `${name}-ledger`) and the slots by index, role and
 * trust, as Outputs that are known in a preview. Components ask it for slots by role; none lists slot numbers.
 */
export class Ring {
    readonly ledger: pulumi.Output<Ledger>;
    /** Every slot's index, for declaring one resource per slot. */
    readonly slots: number[];
    /** The config path of this credential's settings or date, as given. */
    readonly configPath: string;
    /** The ledger as a plain promise, when every rotation argument is a plain value (see settingInput). */
    private readonly ledgerPromise?: Promise<Ledger>;
    /** The ledger resource, for resources that depend on the ring without taking an input from it. */
    readonly resource: SlotLedger;
    private readonly staged: 0 | 1;

    /**
     * Validates the shared rotation args and creates the ledger. `settings` are what shape the key material: a new
     * slot is generated with them, and a change of them alone regenerates nothing but is reported as a warning.
     */
    constructor(
        private readonly parent: pulumi.ComponentResource,
        name: string,
        args: RotationArgs,
        kind: CredentialKind,
        settings: Settings,
        rewrite?: { rewrittenDate?: pulumi.Input<string>; dropUnrewrittenKey?: pulumi.Input<boolean> },
        limits?: RingLimitsInput,
    ) {
        const shape = SHAPES[kind];
        this.configPath = args.configPath ?? name;

        const label = this.key("rotatedDate");
        checkRotationArgs(args, this.configPath);
        this.resource = new SlotLedger(
            `${name}-ledger`,
            {
                rotatedDate: args.rotatedDate,
                minRotationInterval: args.minRotationInterval ?? DEFAULT_MIN_ROTATION_INTERVAL[kind],
                slotCount: shape.slotCount,
                staged: shape.staged,
                label,
                settings,
                // null, as YAML writes an empty key, means not given, as for every other argument.
                compromised: args.compromised ?? undefined,
                rewrite,
                limits,
            },
            { parent },
        );
        this.ledger = this.resource.ledger;
        this.staged = shape.staged;
        this.slots = Array.from({ length: shape.slotCount }, (_, slot) => slot);
        const plain = [
            args.rotatedDate,
            args.minRotationInterval,
            args.compromised,
            rewrite?.rewrittenDate,
            rewrite?.dropUnrewrittenKey,
            ...(limits?.requirements ?? []).map((requirement) => requirement.met),
        ].every((value) => !isDeferred(value));
        const recover = (pulumi as { recover?: typeof pulumi.recover }).recover;
        if (plain && recover) {
            this.ledgerPromise = new Promise<Ledger>((resolve, reject) => {
                recover(
                    this.ledger.apply((ledger) => (resolve(ledger), ledger)),
                    (error) => (reject(error), undefined as unknown as Ledger),
                );
            });
            // A refused ledger is reported by the ledger itself; its dependents fail with it.
            this.ledgerPromise.catch(() => undefined);
        }
        this.ledger.apply((ledger) => {
            for (const change of pendingSettings(ledger, settings)) {
                void pulumi.log.warn(
                    `${this.key(change.key)} = ${JSON.stringify(change.value)} takes effect at the next rotation; until then every slot keeps the settings it was generated with (${change.key} ${JSON.stringify(change.current)})`,
                    parent,
                );
            }
            // `true` stays acted on while it is in config, so a later emergency needs the date form; say so.
            if (args.compromised === true && ledger.compromisedSeen && ledger.lastMove !== "emergency") {
                const last = ledger.emergencies[ledger.emergencies.length - 1];
                void pulumi.log.warn(
                    `${this.key("compromised")} = true is left from the emergency rotation on ${last?.date ?? "an earlier run"}, so the last rotation was routine: remove it, and give the date of a new emergency rotation instead`,
                    parent,
                );
            }
        });
    }

    /** The config path of one of this credential's keys, such as `keyshift:database.length`. */
    key(name: string): string {
        return configKey(this.configPath, name);
    }

    /** A slot's generation: its key resource's replacement trigger. */
    generation(slot: number): pulumi.Output<number> {
        return this.ledger.apply((ledger) => ledger.slots[slot].generation);
    }

    /** The date the slot's current key was generated for. */
    date(slot: number): pulumi.Output<string> {
        return this.ledger.apply((ledger) => ledger.slots[slot].date);
    }

    /**
     * One input of a slot's resource, from the settings the slot was generated with, never from config directly.
     *
     * With plain rotation arguments the ledger is known in every preview, and the input is a promise that carries no
     * dependency: the slot's resource depends on the ledger through its replacement trigger already, and a dependency
     * per input would store another copy of the ledger's URN per input, per slot, in the checkpoint.
     */
    settingInput<T extends Settings, U>(slot: number, pick: (settings: T) => U): pulumi.Input<U> {
        return this.slotInput(slot, (record) => pick(record.settings as T));
    }

    /** Like settingInput, from the slot's whole record: its generation for a replacement trigger, for example. */
    slotInput<U>(slot: number, pick: (record: SlotRecord) => U): pulumi.Input<U> {
        return this.ledgerInput((ledger) => pick(ledger.slots[slot]));
    }

    /** Like settingInput, from the whole ledger: for an input that follows a slot's role. */
    ledgerInput<U>(pick: (ledger: Ledger) => U): pulumi.Input<U> {
        return this.ledgerPromise ? this.ledgerPromise.then(pick) : (this.ledger.apply(pick) as pulumi.Output<U>);
    }

    /**
     * The value of whichever slot holds `role`, or `revoked` when an emergency rotation revoked that slot's credential.
     * It depends only on that slot's value and on the ledger, so in a preview of a bump the keys that stay are still
     * known: only the regenerated slot's value is unknown.
     */
    pick<T>(
        role: keyof SlotRoles,
        values: pulumi.Output<T>[],
        revoked: T,
        check?: (ledger: Ledger) => void,
    ): pulumi.Output<T> {
        return this.ledger.apply((ledger): pulumi.Output<T> => {
            check?.(ledger);
            const slot = slotRoles(ledger, this.staged)[role];
            if (slot === undefined) {
                throw new pulumi.ResourceError(`this ring has no ${role} slot`, this.parent);
            }
            return ledger.slots[slot].revokedOn ? (pulumi.output(revoked) as pulumi.Output<T>) : values[slot];
        }) as pulumi.Output<T>;
    }

    /**
     * The slot holding `role`, in the shape of each of `slots`: every field is that field of whichever slot holds the
     * role, or `revoked[field]` while an emergency rotation has revoked it. Fields are built on first read; those named
     * in `secret` stay secret.
     */
    role<T extends { [K in keyof T]: pulumi.Output<unknown> }>(
        role: keyof SlotRoles,
        slots: T[],
        revoked: { [K in keyof T]: T[K] extends pulumi.Output<infer U> ? U : never },
        secret: (keyof T)[] = [],
    ): T {
        const fields = Object.fromEntries(
            (Object.keys(revoked) as (keyof T)[]).map((field) => [
                field,
                () => {
                    const picked = this.pick(
                        role,
                        slots.map((slot) => slot[field] as pulumi.Output<unknown>),
                        revoked[field],
                    );
                    return secret.includes(field) ? pulumi.secret(picked) : picked;
                },
            ]),
        );
        return lazy<T>(fields as { [K in keyof T]: () => T[K] });
    }

    /** The values of the slots verifiers trust, primary first, then previous, then next; revoked slots left out. */
    trusted<T>(values: pulumi.Output<T>[]): pulumi.Output<T[]> {
        return this.ledger.apply((ledger) =>
            pulumi.all(trustedSlotOrder(ledger).map((slot) => values[slot])),
        ) as pulumi.Output<T[]>;
    }

    /**
     * The slots whose credential may still be used (every slot but one an emergency rotation revoked), with the
     * generation and date of each: for resources that must exist only while their credential is valid.
     */
    usable(): pulumi.Output<{ slot: number; generation: number; date: string }[]> {
        return this.ledger.apply((ledger) =>
            this.slots
                .filter((slot) => !ledger.slots[slot].revokedOn)
                .map((slot) => ({ slot, generation: ledger.slots[slot].generation, date: ledger.slots[slot].date })),
        );
    }

    /** Each slot's value by slot index, revoked slots left out: for objects keyed by slot. */
    bySlot<T>(values: pulumi.Output<T>[]): pulumi.Output<[number, T][]> {
        return this.ledger.apply((ledger) =>
            pulumi.all(
                this.slots
                    .filter((slot) => !ledger.slots[slot].revokedOn)
                    .map((slot) => values[slot].apply((value): [number, T] => [slot, value])),
            ),
        ) as pulumi.Output<[number, T][]>;
    }
}
