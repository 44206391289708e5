import * as pulumi from "@pulumi/pulumi";
import * as ledgerProvider from "./ledgerProvider";
import { Ledger, RewriteRecord, RingLimits, Settings } from "./ring";

/** RingLimits whose requirements may be Outputs (a provider's input, for example). */
export type RingLimitsInput = Omit<RingLimits, "requirements"> & {
    requirements?: { key: string; met?: pulumi.Input<boolean | string | undefined>; reason: string }[];
};

// Pulumi programs are stateless, so the ring's memory lives in the checkpoint, as the inputs and outputs of a small
// dynamic resource (its provider is ./ledgerProvider). The ledger holds dates, slot numbers and settings only, never
// key material.

/** Arguments of a SlotLedger. */
export interface SlotLedgerArgs {
    rotatedDate: pulumi.Input<string>;
    minRotationInterval: pulumi.Input<string | 0>;
    slotCount: number;
    staged: 0 | 1;
    /** How the user names the date in config, for messages. */
    label: string;
    /** The settings the next generated slot gets. */
    settings: Settings;
    /** `true` or the date of an emergency rotation. */
    compromised?: pulumi.Input<boolean | string>;
    /** For keys that decrypt stored data: what config says of its rewrite (see RotationRequest.rewrite). */
    rewrite?: { rewrittenDate?: pulumi.Input<string>; dropUnrewrittenKey?: pulumi.Input<boolean> } | RewriteRecord;
    /** What the credential's consumer rules out (see RotationRequest.limits). */
    limits?: RingLimitsInput;
}

/**
 * The ring's bookkeeping resource. A preview of a bump shows it as an in-place update whose diff is the ledger:
 * the new rotation date, the new primary slot and the regenerated slot's generation, settings and date.
 */
export class SlotLedger extends pulumi.dynamic.Resource {
    declare public readonly ledger: pulumi.Output<Ledger>;

    constructor(name: string, args: SlotLedgerArgs, opts?: pulumi.CustomResourceOptions) {
        // The module itself is the provider: see ./ledgerProvider for why. The request is one input, not eight: every
        // input becomes an Output property of the resource, and at hundreds of credentials they add up.
        super(ledgerProvider, name, { request: args, ledger: undefined }, opts, "keyshift", "SlotLedger");
    }
}
