import * as assert from "assert";
import fc from "fast-check";
import {
    Ledger,
    RotationError,
    RotationRequest,
    planRotation,
    slotRoles,
    trustedSlotOrder,
} from "../../components/ring/ring";
import { formatInstant, notADate, notAnInterval, parseInterval, parseRotationDate } from "../../components/ring/dates";

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 0, 1);

function request(
    date: string,
    shape: { slotCount: number; staged: 0 | 1 },
    minRotationInterval = "1d",
): RotationRequest {
    return { rotatedDate: date, minRotationInterval, label: "keyshift:signer.rotatedDate", ...shape };
}

const SHAPES = [
    { slotCount: 3, staged: 1 as const },
    { slotCount: 2, staged: 0 as const },
];

describe("slot ring transitions (shared/docs/ring.md)", () => {
    it("follows the worked example for three slots, written from the rule", () => {
        const shape = SHAPES[0];
        const create = planRotation(undefined, request("2026-01-01", shape));
        assert.strictEqual(create.kind, "create");
        assert.deepStrictEqual(create.regenerated, [0, 1, 2]);
        assert.deepStrictEqual(slotRoles(create.ledger, 1), { primary: 0, previous: 2, next: 1 });

        const forward = planRotation(create.ledger, request("2026-04-01", shape));
        assert.strictEqual(forward.kind, "forward");
        assert.deepStrictEqual(forward.regenerated, [2]);
        assert.strictEqual(forward.ledger.primary, 1);
        assert.strictEqual(forward.ledger.rollbackDate, "2026-01-01");
        assert.deepStrictEqual(
            forward.ledger.slots.map((s) => s.generation),
            [1, 2, 4],
        );

        const noop = planRotation(forward.ledger, request("2026-04-01", shape));
        assert.strictEqual(noop.kind, "noop");
        assert.deepStrictEqual(noop.ledger, forward.ledger);

        const second = planRotation(noop.ledger, request("2026-07-01", shape));
        assert.deepStrictEqual(second.regenerated, [0]);
        assert.deepStrictEqual(
            second.ledger.slots.map((s) => s.generation),
            [5, 2, 4],
        );

        const rollback = planRotation(second.ledger, request("2026-04-01", shape));
        assert.strictEqual(rollback.kind, "rollback");
        assert.deepStrictEqual(rollback.regenerated, []);
        assert.strictEqual(rollback.ledger.primary, 1);
        assert.strictEqual(rollback.ledger.rollbackDate, "");
        assert.deepStrictEqual(slotRoles(rollback.ledger, 1), { primary: 1, previous: 0, next: 2 });

        // Forward again to a date the ring held before: the generation, not the date, picks the slot.
        const again = planRotation(rollback.ledger, request("2026-07-01", shape));
        assert.deepStrictEqual(again.regenerated, [0]);
        assert.deepStrictEqual(
            again.ledger.slots.map((s) => s.generation),
            [6, 2, 4],
        );
        assert.deepStrictEqual(trustedSlotOrder(again.ledger), [2, 1, 0]);
    });

    it("names the config path, the value and the last rotation in every refusal", () => {
        const shape = SHAPES[0];
        const first = planRotation(undefined, request("2026-01-01", shape)).ledger;
        const second = planRotation(first, request("2026-04-01", shape)).ledger;
        assert.throws(
            () => planRotation(second, request("2026-02-01", shape)),
            new RotationError(
                "rotatedDate",
                'keyshift:signer.rotatedDate = "2026-02-01" is earlier than the last rotation date 2026-04-01; the only earlier date allowed is 2026-01-01, which rolls back to the previous key',
            ),
        );
        assert.throws(
            () => planRotation(second, request("2026-04-05", shape, "7d")),
            /keyshift:signer.rotatedDate = "2026-04-05" is too soon after the last rotation on 2026-04-01: minRotationInterval is 7d, so the earliest allowed date is 2026-04-08/,
        );
        assert.throws(
            () => planRotation(second, request("2026-4-1", shape)),
            /keyshift:signer.rotatedDate = "2026-4-1" is not a date/,
        );
        assert.throws(
            () => planRotation(second, request("2026-05-01", SHAPES[1])),
            /created with 3 slots and cannot change to 2/,
        );
        const rolledBack = planRotation(second, request("2026-01-01", shape)).ledger;
        assert.throws(() => planRotation(rolledBack, request("2025-12-01", shape)), /no rollback is possible now/);
    });

    it("accepts RFC 3339 timestamps and compares dates as instants", () => {
        const shape = SHAPES[1];
        const first = planRotation(undefined, request("2026-01-01", shape)).ledger;
        assert.strictEqual(planRotation(first, request("2026-01-01T00:00:00Z", shape)).kind, "noop");
        assert.strictEqual(planRotation(first, request("2026-01-02T01:00:00+01:00", shape)).kind, "forward");
        assert.throws(() => planRotation(first, request("2026-01-01T23:00:00Z", shape)), /too soon/);
    });
});

// A model of the ring: each slot holds a key name; a forward move writes a fresh name into the regenerated slot.
interface Model {
    ledger?: Ledger;
    keys: string[];
    fresh: number;
    /** For each key ever primary: the dates it was published before and after being primary. */
    history: { date: number; primary: string; trusted: Set<string> }[];
}

type Move =
    | { kind: "forward"; days: number }
    | { kind: "repeat" }
    | { kind: "rollback" }
    | { kind: "backwards"; days: number };

const moves: fc.Arbitrary<Move> = fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 120 }).map((days) => ({ kind: "forward" as const, days })) },
    { weight: 2, arbitrary: fc.constant({ kind: "repeat" as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: "rollback" as const }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((days) => ({ kind: "backwards" as const, days })) },
);

function dateOf(millis: number): string {
    return formatInstant(millis);
}

describe("slot ring properties", () => {
    for (const shape of SHAPES) {
        it(`hold over long random sequences (${shape.slotCount} slots, staged ${shape.staged})`, () => {
            fc.assert(
                fc.property(
                    fc.array(moves, { minLength: 1, maxLength: 60 }),
                    fc.integer({ min: 0, max: 10 }),
                    (sequence, intervalDays) => {
                        const interval = `${intervalDays}d`;
                        const first = planRotation(undefined, request(dateOf(BASE), shape, interval));
                        const model: Model = {
                            ledger: first.ledger,
                            keys: first.ledger.slots.map((_, i) => `K${i + 1}`),
                            fresh: shape.slotCount + 1,
                            history: [],
                        };
                        const trusted = () => new Set(trustedSlotOrder(model.ledger!).map((slot) => model.keys[slot]));
                        for (const move of sequence) {
                            const ledger = model.ledger!;
                            const current = parseRotationDate(ledger.rotatedDate)!;
                            const roles = slotRoles(ledger, shape.staged);
                            const before = {
                                primary: model.keys[roles.primary],
                                previous: model.keys[roles.previous],
                                next: roles.next === undefined ? undefined : model.keys[roles.next],
                            };
                            let date: number;
                            if (move.kind === "forward") date = current + move.days * DAY;
                            else if (move.kind === "repeat") date = current;
                            else if (move.kind === "rollback")
                                date = parseRotationDate(ledger.rollbackDate) ?? current - DAY;
                            else date = current - move.days * DAY;

                            const isRollback =
                                ledger.rollbackDate !== "" && date === parseRotationDate(ledger.rollbackDate);
                            const tooSoon = date > current && date < current + intervalDays * DAY;
                            const backwards = date < current && !isRollback;
                            let transition;
                            try {
                                transition = planRotation(ledger, request(dateOf(date), shape, interval));
                            } catch (error) {
                                // Invalid moves are always refused, with a message naming the config path and the last date.
                                assert.ok(tooSoon || backwards, `refused a valid move: ${(error as Error).message}`);
                                assert.ok(error instanceof RotationError);
                                assert.ok(error.message.startsWith(`keyshift:signer.rotatedDate = "${dateOf(date)}"`));
                                assert.ok(error.message.includes(ledger.rotatedDate));
                                assert.deepStrictEqual(model.ledger, ledger, "a refused move changes nothing");
                                continue;
                            }
                            assert.ok(
                                !tooSoon && !backwards,
                                `accepted an invalid move to ${dateOf(date)} from ${ledger.rotatedDate}`,
                            );
                            const trustedBefore = trusted();
                            for (const slot of transition.regenerated) {
                                model.keys[slot] = `K${model.fresh++}`;
                            }
                            model.ledger = transition.ledger;
                            const after = slotRoles(transition.ledger, shape.staged);
                            if (date === current) {
                                assert.strictEqual(transition.kind, "noop");
                                assert.deepStrictEqual(transition.ledger, ledger, "the same config changes nothing");
                            } else if (isRollback) {
                                assert.strictEqual(transition.kind, "rollback");
                                assert.deepStrictEqual(transition.regenerated, [], "a rollback regenerates nothing");
                                assert.strictEqual(
                                    model.keys[after.primary],
                                    before.previous,
                                    "the previous key is primary again",
                                );
                                assert.ok(trusted().has(before.primary), "the rolled-back key stays trusted");
                                assert.deepStrictEqual(transition.ledger.slots, ledger.slots);
                            } else {
                                assert.strictEqual(transition.kind, "forward");
                                assert.strictEqual(
                                    transition.regenerated.length,
                                    1,
                                    "a forward move regenerates exactly one slot",
                                );
                                assert.strictEqual(
                                    model.keys[after.previous],
                                    before.primary,
                                    "new previous is the old primary",
                                );
                                if (shape.staged) {
                                    assert.strictEqual(
                                        model.keys[after.primary],
                                        before.next,
                                        "new primary is the old next",
                                    );
                                    // The new primary was already trusted before it became primary.
                                    assert.ok(trustedBefore.has(model.keys[after.primary]));
                                }
                                // The key that stopped being primary stays trusted.
                                assert.ok(trusted().has(before.primary));
                                const generations = transition.ledger.slots.map((s) => s.generation);
                                assert.strictEqual(
                                    new Set(generations).size,
                                    generations.length,
                                    "generations stay unique",
                                );
                                assert.ok(
                                    Math.max(...generations) > Math.max(...ledger.slots.map((s) => s.generation)),
                                );
                            }
                        }
                    },
                ),
                { numRuns: 300 },
            );
        });
    }
});

describe("dates and intervals", () => {
    it("round-trips every calendar date and refuses impossible ones", () => {
        fc.assert(
            fc.property(
                fc.date({ min: new Date("1970-01-01"), max: new Date("2999-12-31"), noInvalidDate: true }),
                (date) => {
                    const day = date.toISOString().slice(0, 10);
                    assert.strictEqual(parseRotationDate(day), Date.parse(`${day}T00:00:00Z`));
                    assert.strictEqual(formatInstant(parseRotationDate(day)!), day);
                },
            ),
        );
        for (const bad of [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "20261121",
            "2026-11-21T25:00:00Z",
            "2026-11-21T10:00:00",
            "",
            "next tuesday",
        ]) {
            assert.strictEqual(parseRotationDate(bad), undefined, bad);
        }
        assert.strictEqual(parseRotationDate("2028-02-29"), Date.UTC(2028, 1, 29));
        assert.strictEqual(parseRotationDate("2026-11-21T10:00:00+02:00"), Date.UTC(2026, 10, 21, 8));
    });

    it("says why a date-like value is refused", () => {
        const why = (value: string) => notADate(value).replace(/^.* is not a date: use .*?2026-11-21T09:30:00Z/, "");
        assert.strictEqual(
            why("2026-12-01 00:00:00 +0000 UTC"),
            ` (an unquoted date in a stack's YAML file arrives in this form: quote it, "2026-12-01")`,
        );
        assert.strictEqual(
            why("2026-12-01 09:30:00.5 +0200 CEST"),
            ` (an unquoted date in a stack's YAML file arrives in this form: quote it, "2026-12-01T09:30:00.5+02:00")`,
        );
        assert.ok(parseRotationDate("2026-12-01T09:30:00.5+02:00") !== undefined, "the quoted form is a date");
        assert.strictEqual(why("1969-12-31"), " (no rotation date is before 1970)");
        assert.strictEqual(notADate(null), notADate(undefined));
        assert.match(notAnInterval("5215w"), /\(at most a century\)$/);
    });

    it("parses short and ISO 8601 intervals alike", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 5_000 }), (n) => {
                assert.strictEqual(parseInterval(`${n}d`), parseInterval(`P${n}D`));
                assert.strictEqual(parseInterval(`${n}h`), parseInterval(`PT${n}H`));
                assert.strictEqual(parseInterval(`${n}w`), n * 7 * DAY);
            }),
        );
        assert.strictEqual(parseInterval("0"), 0);
        assert.strictEqual(parseInterval("P1DT12H"), 1.5 * DAY);
        for (const bad of ["1 month", "P1M", "P", "PT", "-1d", "1.5d", "d", 7, 86_400, -1, 0.5]) {
            assert.strictEqual(parseInterval(bad), undefined, String(bad));
        }
        assert.strictEqual(parseInterval(0), 0, "a number only as 0: any other has no unit");
        assert.strictEqual(parseInterval("5200w"), 5200 * 7 * DAY, "a century is the most");
        assert.strictEqual(parseInterval("999999999999w"), undefined, "beyond: a typo, and past JavaScript's dates");
        assert.strictEqual(parseInterval("P99999999D"), undefined);
        for (const old of ["0026-11-21", "1969-12-31", "0099-01-01T00:00:00Z"]) {
            assert.strictEqual(parseRotationDate(old), undefined, old);
        }
    });
});
