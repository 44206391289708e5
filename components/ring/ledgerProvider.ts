// The dynamic provider behind SlotLedger, as a module whose exports are the provider's methods. SlotLedger passes
// this module itself as its provider, and Pulumi stores the provider, serialized, in every ledger's state: installed
// as a package, this module is serialized as `require("keyshift/internal/ledger-provider")` (package.json exports
// that path for this alone), a few hundred bytes instead of its whole source. Every release must keep that path and
// these four functions, because a later `pulumi destroy` runs the provider code a state holds.
//
// The ledger is computed in `check`, from the old checked inputs and the new config, rather than in
// `create`/`update`: the dynamic provider has no preview support, so during `pulumi preview` the engine hands the
// checked inputs back as outputs. Anything computed later would be missing from a preview, and the slots'
// replacement triggers that read the ledger would be unknown. Computing it in `check` keeps previews exact.

import type * as pulumi from "@pulumi/pulumi";
import {
    RewriteRecord,
    RingLimits,
    RotationError,
    RotationRequest,
    Settings,
    planRotation,
    sameJson,
    upgradeLedger,
} from "./ring";

// How the engine hands a dynamic provider's check a value not known yet (a preview where rotatedDate is another
// resource's output): @pulumi/pulumi's rpc.unknownValue.
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The settings a ledger's inputs ask for (keyshift 0.1 sent the request's fields as inputs of their own). */
function settingsOf(inputs: Record<string, unknown>): unknown {
    return ((inputs.request ?? inputs) as Record<string, unknown>).settings ?? {};
}

export async function check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
    if (news.declareAll === "failed") {
        // declareAll's refusal record (../declareAll): a build failed after the program went on. Refused here, it
        // stops the engine before it deletes what the build did not get to declare.
        return { inputs: news, failures: [{ property: "declareAll", reason: String(news.reason) }] };
    }
    // keyshift 0.1 sent the request's fields as inputs of their own.
    const asked = (news.request ?? news) as Record<string, unknown>;
    if (JSON.stringify(asked).includes(UNKNOWN)) {
        // The ledger is planned when its inputs are known; until then the preview shows it as unknown.
        return { inputs: news };
    }
    const request: RotationRequest = {
        rotatedDate: asked.rotatedDate as string,
        minRotationInterval: asked.minRotationInterval as string,
        slotCount: Number(asked.slotCount),
        staged: Number(asked.staged) as 0 | 1,
        label: String(asked.label ?? "rotatedDate"),
        settings: (asked.settings as Settings | undefined) ?? {},
        compromised: asked.compromised as boolean | string | undefined,
        rewrite: asked.rewrite as RewriteRecord | undefined,
        limits: asked.limits as RingLimits | undefined,
    };
    try {
        // A ledger an earlier keyshift wrote is read in its own format and written back in this one.
        const { ledger } = planRotation(upgradeLedger(olds?.ledger, request), request);
        return { inputs: { ...news, ledger } };
    } catch (error) {
        if (error instanceof RotationError) {
            // No property: the reason names the config key, and the engine would print the named input's value,
            // which the ledger's inputs do not have at their top level (`property rotatedDate value {<nil>}`).
            return { inputs: news, failures: [{ property: "", reason: error.reason }] };
        }
        throw error;
    }
}

export async function diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<pulumi.dynamic.DiffResult> {
    // The resource's state is the ledger and the settings new slots get. A new keyshift release (another serialized
    // provider) changes neither; a settings change shows as an update of the ledger alone, for the reviewer.
    const changes = !sameJson(olds.ledger, news.ledger) || !sameJson(olds.settings, settingsOf(news));
    return { changes, replaces: [], deleteBeforeReplace: false };
}

// The outputs are the ledger and the settings (the SDK adds the serialized provider, for a later delete): at
// hundreds of credentials, every byte of a ledger's state is rewritten at every step.
export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
    const request = (inputs.request ?? inputs) as Record<string, unknown>;
    return { id: `ledger-${String(request.label)}`, outs: { ledger: inputs.ledger, settings: settingsOf(inputs) } };
}

export async function update(
    _id: string,
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: { ledger: news.ledger, settings: settingsOf(news) } };
}
