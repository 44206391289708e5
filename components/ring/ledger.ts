import * as pulumi from "@pulumi/pulumi";
import { Ledger, RotationError, RotationRequest, Settings, planRotation, upgradeLedger } from "./ring";

// Pulumi programs are stateless, so the ring's memory lives in the checkpoint, as the inputs and outputs of a small
// dynamic resource. The ledger is computed in `check`, from the old checked inputs and the new config, rather than in
// `create`/`update`: the dynamic provider has no preview support, so during `pulumi preview` the engine hands the
// checked inputs back as outputs. Anything computed later would be missing from a preview, and the slots'
// replacement triggers that read the ledger would be unknown. Computing it in `check` keeps previews exact.
// The ledger holds dates, slot numbers and settings only, never key material.
//
// Pulumi stores this provider, serialized, in every ledger's state. Installed as a package, keyshift's compiled
// ./ring module is serialized as `require("keyshift/internal/ring")` (package.json exports that path for this alone)
// instead of its whole source, which keeps each ledger's state small; every release must keep that path and the
// functions the provider calls there, because a later `pulumi destroy` runs the provider code a state holds.

const PROVIDER_KEY = "__provider";
// How the engine hands a dynamic provider's check a value not known yet (a preview where rotatedDate is another
// resource's output): @pulumi/pulumi's rpc.unknownValue.
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function withoutProvider(props: Record<string, unknown>): Record<string, unknown> {
    const rest = { ...props };
    delete rest[PROVIDER_KEY];
    return rest;
}

// Deep equality over the JSON-shaped values a checkpoint holds.
function sameJson(a: unknown, b: unknown): boolean {
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

/**
 * The dynamic provider behind SlotLedger. Exported so tests can call check, diff, create and update in the order the
 * engine does.
 */
export const ledgerProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
        if ([news.rotatedDate, news.minRotationInterval, news.compromised, news.settings].includes(UNKNOWN)) {
            // The ledger is planned when its inputs are known; until then the preview shows it as unknown.
            return { inputs: news };
        }
        const request: RotationRequest = {
            rotatedDate: news.rotatedDate as string,
            minRotationInterval: news.minRotationInterval as string,
            slotCount: Number(news.slotCount),
            staged: Number(news.staged) as 0 | 1,
            label: String(news.label ?? "rotatedDate"),
            settings: (news.settings as Settings | undefined) ?? {},
            compromised: news.compromised as boolean | string | undefined,
        };
        try {
            // A ledger an earlier keyshift wrote is read in its own format and written back in this one.
            const { ledger } = planRotation(upgradeLedger(olds?.ledger, request), request);
            return { inputs: { ...news, ledger } };
        } catch (error) {
            if (error instanceof RotationError) {
                return { inputs: news, failures: [{ property: error.property, reason: error.reason }] };
            }
            throw error;
        }
    },

    async diff(
        _id: string,
        olds: Record<string, unknown>,
        news: Record<string, unknown>,
    ): Promise<pulumi.dynamic.DiffResult> {
        // The serialized provider code is left out so that a new keyshift release never shows as a rotation.
        const changes = !sameJson(withoutProvider(olds), withoutProvider(news));
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
        return { id: `ledger-${String(inputs.label)}`, outs: inputs };
    },

    async update(
        _id: string,
        _olds: Record<string, unknown>,
        news: Record<string, unknown>,
    ): Promise<pulumi.dynamic.UpdateResult> {
        return { outs: news };
    },
};

/** Arguments of a SlotLedger. */
export interface SlotLedgerArgs {
    rotatedDate: pulumi.Input<string>;
    minRotationInterval: pulumi.Input<string>;
    slotCount: number;
    staged: 0 | 1;
    /** How the user names the date in config, for messages. */
    label: string;
    /** The settings the next generated slot gets. */
    settings: Settings;
    /** `true` or the date of an emergency rotation. */
    compromised?: pulumi.Input<boolean | string>;
}

/**
 * The ring's bookkeeping resource. A preview of a bump shows it as an in-place update whose diff is the ledger:
 * the new rotation date, the new primary slot and the regenerated slot's generation, settings and date.
 */
export class SlotLedger extends pulumi.dynamic.Resource {
    declare public readonly ledger: pulumi.Output<Ledger>;

    constructor(name: string, args: SlotLedgerArgs, opts?: pulumi.CustomResourceOptions) {
        super(ledgerProvider, name, { ...args, ledger: undefined }, opts, "keyshift", "SlotLedger");
    }
}
