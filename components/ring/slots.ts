import * as pulumi from "@pulumi/pulumi";
import { checkInterval, checkRotationDate } from "../validation";
import { SlotLedger } from "./ledger";
import { Ledger, SlotRoles, intervalPath, slotRoles } from "./ring";

/** The arguments every rotating component shares. */
export interface RotationArgs {
    /**
     * The rotation date, an ISO 8601 date (`2026-11-21`) or RFC 3339 timestamp. Setting a later date rotates once;
     * setting it back to the date before the last rotation rolls back one step; the same date changes nothing.
     */
    rotatedDate: pulumi.Input<string>;
    /**
     * The least time between two forward rotations, such as `1d`, `12h` or `P1D`; a bump sooner than this is refused
     * at preview. Each component documents its default.
     */
    minRotationInterval?: pulumi.Input<string>;
    /**
     * How the stack's config names `rotatedDate` (for example `signer.rotatedDate`), so that errors point at the
     * line to fix. Defaults to `<component name>.rotatedDate`.
     */
    configPath?: string;
}

/** The ring's ledger output, and helpers to read slots by role. */
export class Ring {
    readonly ledger: pulumi.Output<Ledger>;
    readonly roles: pulumi.Output<SlotRoles>;

    constructor(ledger: pulumi.Output<Ledger>, staged: 0 | 1) {
        this.ledger = ledger;
        this.roles = ledger.apply((value) => slotRoles(value, staged));
    }

    /** A slot's generation: its key resource's replacement trigger. */
    generation(slot: number): pulumi.Output<number> {
        return this.ledger.apply((ledger) => ledger.slots[slot].generation);
    }

    /** The date the slot's current key was generated for. */
    slotDate(slot: number): pulumi.Output<string> {
        return this.ledger.apply((ledger) => ledger.slots[slot].date);
    }

    /**
     * The value of whichever slot holds `role`. It depends only on that slot's value and on the ledger, so in a preview
     * of a bump the keys that stay are still known: only the regenerated slot's value is unknown.
     */
    pick<T>(role: keyof SlotRoles, values: pulumi.Output<T>[]): pulumi.Output<T> {
        return this.roles.apply((roles) => {
            const slot = roles[role];
            if (slot === undefined) {
                throw new Error(`this ring has no ${role} slot`);
            }
            return values[slot];
        });
    }
}

/**
 * Validates the shared rotation args and creates the ledger as `${name}-ledger`, a child of `parent`.
 * `defaultInterval` is the component's own safe default.
 */
export function createRing(
    parent: pulumi.ComponentResource,
    name: string,
    args: RotationArgs,
    shape: { slotCount: number; staged: 0 | 1; defaultInterval: string },
): Ring {
    const label = args.configPath ?? `${name}.rotatedDate`;
    checkRotationDate(args.rotatedDate, label);
    checkInterval(args.minRotationInterval, intervalPath(label));
    const { ledger } = new SlotLedger(
        `${name}-ledger`,
        {
            rotatedDate: args.rotatedDate,
            minRotationInterval: args.minRotationInterval ?? shape.defaultInterval,
            slotCount: shape.slotCount,
            staged: shape.staged,
            label,
        },
        { parent },
    );
    return new Ring(ledger, shape.staged);
}
