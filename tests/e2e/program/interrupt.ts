// A seam for the interruption test: with `e2e:interruptBeforeSlots`, every slot resource's registration waits on
// `interruption.beforeSlots()` before the engine may act on it. The test kills the CLI there: after the ledgers'
// updates are in the checkpoint and before any slot is replaced, while the engine is idle rather than mid-write.

export const interruption = {
    beforeSlots: async (): Promise<void> => undefined,
};

const SLOT_TYPES = ["tls:index/privateKey:PrivateKey", "random:index/randomPassword:RandomPassword"];

/** The transform the program registers: holds every slot registration behind one shared wait. */
export function holdSlots(): (args: { type: string }) => Promise<undefined> {
    let held: Promise<void> | undefined;
    return async ({ type }) => {
        if (SLOT_TYPES.includes(type)) {
            held ??= interruption.beforeSlots();
            await held;
        }
        return undefined;
    };
}
