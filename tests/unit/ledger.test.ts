import * as assert from "assert";
import * as ledgerProvider from "../../components/ring/ledgerProvider";

// The engine's calls for one `pulumi up`: check(old inputs, news); then diff(old outputs, checked) on an existing
// resource; then create or update. `pulumi preview` stops after diff and shows the checked inputs as the outputs.
const provider = ledgerProvider as Required<typeof ledgerProvider>;
const inputs = (rotatedDate: string) => ({
    rotatedDate,
    minRotationInterval: "1d",
    slotCount: 3,
    staged: 1,
    label: "keyshift:signingKeys.rotatedDate",
    settings: { algorithm: "RSA-2048" },
    __provider: "serialized-code",
});
const RSA = { algorithm: "RSA-2048" };

describe("ledger provider, called as the engine calls it", () => {
    it("create, no-op, preview of a bump, bump, rollback", async () => {
        const first = await provider.check({}, inputs("2026-01-01"));
        assert.strictEqual(first.failures, undefined);
        const created = await provider.create(first.inputs!);
        assert.strictEqual(created.id, "ledger-keyshift:signingKeys.rotatedDate");
        assert.deepStrictEqual(
            created.outs.ledger.slots.map((s: { generation: number }) => s.generation),
            [1, 2, 3],
        );
        assert.deepStrictEqual(
            Object.keys(created.outs),
            ["ledger", "settings"],
            "the state keeps the ledger and its settings alone",
        );
        const state = created.outs;
        const stored = first.inputs!;

        const repeat = await provider.check(stored, inputs("2026-01-01"));
        const repeatDiff = await provider.diff(created.id, state, repeat.inputs!);
        assert.strictEqual(repeatDiff.changes, false, "the same date is no change at all");
        const settingsOnly = await provider.check(stored, {
            ...inputs("2026-01-01"),
            settings: { algorithm: "ECDSA-P256" },
        });
        assert.deepStrictEqual(settingsOnly.inputs!.ledger, first.inputs!.ledger, "a settings change moves no slot");
        assert.strictEqual((await provider.diff(created.id, state, settingsOnly.inputs!)).changes, true);

        // Preview: check and diff only; the checked inputs are what a reviewer sees as the new outputs.
        const bump = await provider.check(stored, inputs("2026-04-01"));
        const bumpDiff = await provider.diff(created.id, state, bump.inputs!);
        assert.deepStrictEqual(bumpDiff, { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.deepStrictEqual(bump.inputs!.ledger, {
            rotatedDate: "2026-04-01",
            rollbackDate: "2026-01-01",
            primary: 1,
            slots: [
                { generation: 1, date: "2026-01-01", settings: RSA },
                { generation: 2, date: "2026-01-01", settings: RSA },
                { generation: 4, date: "2026-04-01", settings: RSA },
            ],
            lastMove: "forward",
            emergencies: [],
            compromisedSeen: false,
        });
        const updated = await provider.update(created.id, state, bump.inputs!);
        assert.deepStrictEqual(updated.outs, { ledger: bump.inputs!.ledger, settings: RSA });

        // The engine checks again on `up` after the preview: the same olds give the same ledger.
        assert.deepStrictEqual((await provider.check(stored, inputs("2026-04-01"))).inputs, bump.inputs);

        const rollback = await provider.check(bump.inputs!, inputs("2026-01-01"));
        assert.strictEqual(rollback.inputs!.ledger.primary, 0);
        assert.deepStrictEqual(
            rollback.inputs!.ledger.slots,
            bump.inputs!.ledger.slots,
            "a rollback regenerates nothing",
        );
    });

    it("reports a refused date as a check failure naming the config key, keeping the old ledger", async () => {
        const first = await provider.check({}, inputs("2026-01-01"));
        const refused = await provider.check(first.inputs!, inputs("2025-06-01"));
        assert.deepStrictEqual(refused.failures, [
            {
                property: "",
                reason: 'keyshift:signingKeys.rotatedDate = "2025-06-01" is earlier than the last rotation date 2026-01-01; no rollback is possible now (only one step back is kept)',
            },
        ]);
        const early = await provider.check(first.inputs!, { ...inputs("2026-01-01T06:00:00Z") });
        assert.match(
            early.failures![0].reason,
            /too soon after the last rotation on 2026-01-01: minRotationInterval is 1d, so the earliest allowed date is 2026-01-02/,
        );
    });

    it("reads a ledger keyshift 0.1 wrote and writes it back with each slot's settings, regenerating nothing", async () => {
        // The checked inputs as keyshift 0.1 left them after one bump: no settings, moves or emergencies.
        const old = {
            ...inputs("2026-04-01"),
            settings: undefined,
            ledger: {
                rotatedDate: "2026-04-01",
                rollbackDate: "2026-01-01",
                primary: 1,
                slots: [
                    { generation: 1, date: "2026-01-01" },
                    { generation: 2, date: "2026-01-01" },
                    { generation: 4, date: "2026-04-01" },
                ],
            },
        };
        const upgraded = await provider.check(old, inputs("2026-04-01"));
        assert.strictEqual(upgraded.failures, undefined);
        assert.deepStrictEqual(upgraded.inputs!.ledger, {
            ...old.ledger,
            slots: old.ledger.slots.map((slot) => ({ ...slot, settings: RSA })),
            lastMove: "forward",
            emergencies: [],
            compromisedSeen: false,
            upgradedFrom: "0.1",
        });
        // Its one-step rollback survives the upgrade.
        const rollback = await provider.check(upgraded.inputs!, inputs("2026-01-01"));
        assert.strictEqual(rollback.inputs!.ledger.primary, 0);
    });

    it("ignores a new provider implementation in diff, so upgrading keyshift rotates nothing", async () => {
        const first = await provider.check({}, inputs("2026-01-01"));
        const created = await provider.create(first.inputs!);
        const upgraded = await provider.check(first.inputs!, { ...inputs("2026-01-01"), __provider: "new-code" });
        assert.strictEqual((await provider.diff("id", created.outs, upgraded.inputs!)).changes, false);
    });
});
