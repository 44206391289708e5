import * as assert from "assert";
import fc from "fast-check";
import {
    Ledger,
    RotationError,
    RotationRequest,
    Transition,
    pendingSettings,
    planRotation,
    slotRoles,
    trustedSlotOrder,
} from "../../components/ring/ring";
import { formatInstant, parseRotationDate } from "../../components/ring/dates";

// A credential's whole life as config changes: bumps, repeats, rollbacks, refused dates, settings changes and
// emergencies (`compromised: true` and the date form), over long generated sequences. The model names every key ever
// generated, so "byte for byte" is "the same name", and checks the invariants of shared/docs/ring.md against an
// oracle written from that page.

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 0, 1);
const LABEL = "keyshift:signer.rotatedDate";
const COMPROMISED = "keyshift:signer.compromised";

type Step =
    | { kind: "forward"; days: number }
    | { kind: "repeat" }
    | { kind: "rollback" }
    | { kind: "backwards"; days: number }
    | { kind: "settings"; value: number }
    | { kind: "emergency"; days: number; form: "true" | "date" }
    | { kind: "flagWithoutDate" }
    | { kind: "staleDate"; days: number }
    | { kind: "clearFlag" };

const steps: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 90 }).map((days) => ({ kind: "forward" as const, days })) },
    { weight: 2, arbitrary: fc.constant({ kind: "repeat" as const }) },
    { weight: 2, arbitrary: fc.constant({ kind: "rollback" as const }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((days) => ({ kind: "backwards" as const, days })) },
    { weight: 3, arbitrary: fc.integer({ min: 16, max: 20 }).map((value) => ({ kind: "settings" as const, value })) },
    {
        weight: 2,
        arbitrary: fc.record({
            kind: fc.constant("emergency" as const),
            days: fc.integer({ min: 0, max: 30 }),
            form: fc.constantFrom("true" as const, "date" as const),
        }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "flagWithoutDate" as const }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((days) => ({ kind: "staleDate" as const, days })) },
    { weight: 1, arbitrary: fc.constant({ kind: "clearFlag" as const }) },
);

interface Config {
    date: number;
    length: number;
    compromised?: true | string;
}

interface World {
    ledger: Ledger;
    config: Config;
    /** The name of the key each slot holds; a regenerated slot gets a fresh name. */
    keys: string[];
    /** The length each key was generated with. */
    lengths: Map<string, number>;
    revoked: Set<string>;
    /** The oracle's memory: emergency dates done, and whether `compromised: true` has been acted on. */
    emergencyDates: Set<number>;
    seen: boolean;
    fresh: number;
}

const date = (millis: number) => formatInstant(millis);

function request(config: Config, shape: { slotCount: number; staged: 0 | 1 }, interval: number): RotationRequest {
    return {
        ...shape,
        rotatedDate: date(config.date),
        minRotationInterval: `${interval}d`,
        label: LABEL,
        settings: { length: config.length },
        compromised: config.compromised,
    };
}

/** What ring.md says of a config change: refused, or which move it is. */
function oracle(world: World, next: Config, interval: number): "refused" | Transition["kind"] {
    const current = parseRotationDate(world.ledger.rotatedDate)!;
    const rollback = parseRotationDate(world.ledger.rollbackDate);
    const move = next.date === current ? "noop" : next.date === rollback ? "rollback" : "forward";
    if (move === "forward" && next.date < current) return "refused";
    let emergency = false;
    if (next.compromised === true) {
        emergency = !world.seen;
    } else if (typeof next.compromised === "string") {
        const on = parseRotationDate(next.compromised)!;
        if (on > next.date) return "refused";
        if (!world.emergencyDates.has(on)) {
            if (on !== next.date) return "refused";
            emergency = true;
        }
    }
    if (emergency && move !== "forward") return "refused";
    if (move === "forward" && !emergency && next.date < current + interval * DAY) return "refused";
    return emergency ? "emergency" : move;
}

function apply(world: World, step: Step): Config {
    const current = parseRotationDate(world.ledger.rotatedDate)!;
    const config = { ...world.config };
    switch (step.kind) {
        case "forward":
            return { ...config, date: current + step.days * DAY };
        case "repeat":
            return config;
        case "rollback":
            return { ...config, date: parseRotationDate(world.ledger.rollbackDate) ?? current - DAY };
        case "backwards":
            return { ...config, date: current - step.days * DAY };
        case "settings":
            return { ...config, length: step.value };
        case "emergency": {
            const at = current + step.days * DAY;
            return { ...config, date: at, compromised: step.form === "true" ? true : date(at) };
        }
        case "flagWithoutDate":
            return { ...config, compromised: true };
        case "staleDate":
            return { ...config, compromised: date(current - step.days * DAY) };
        case "clearFlag":
            return { ...config, compromised: undefined };
    }
}

function roleKeys(world: World, staged: 0 | 1): string[] {
    const roles = slotRoles(world.ledger, staged);
    return [roles.primary, roles.previous, roles.next]
        .filter((slot): slot is number => slot !== undefined && !world.ledger.slots[slot].revokedOn)
        .map((slot) => world.keys[slot]);
}

const trustedKeys = (world: World) => new Set(trustedSlotOrder(world.ledger).map((slot) => world.keys[slot]));

describe("a credential's whole life: settings, emergencies and refusals over generated sequences", () => {
    for (const shape of [
        { slotCount: 3, staged: 1 as const },
        { slotCount: 2, staged: 0 as const },
    ]) {
        it(`keeps every invariant (${shape.slotCount} slots, staged ${shape.staged}, 10,000 sequences)`, () => {
            const seen: Record<string, number> = {};
            fc.assert(
                fc.property(
                    fc.array(steps, { minLength: 1, maxLength: 40 }),
                    fc.integer({ min: 0, max: 10 }),
                    (sequence, interval) => {
                        const config: Config = { date: BASE, length: 16 };
                        const created = planRotation(undefined, request(config, shape, interval));
                        const world: World = {
                            ledger: created.ledger,
                            config,
                            keys: created.ledger.slots.map((_, i) => `K${i + 1}`),
                            lengths: new Map(created.ledger.slots.map((_, i) => [`K${i + 1}`, 16])),
                            revoked: new Set(),
                            emergencyDates: new Set(),
                            seen: false,
                            fresh: shape.slotCount + 1,
                        };
                        for (const step of sequence) {
                            const next = apply(world, step);
                            const expected = oracle(world, next, interval);
                            const before = { ledger: world.ledger, keys: [...world.keys], trusted: trustedKeys(world) };
                            const roles = slotRoles(world.ledger, shape.staged);
                            let transition: Transition;
                            try {
                                transition = planRotation(world.ledger, request(next, shape, interval));
                            } catch (error) {
                                assert.ok(error instanceof RotationError, String(error));
                                assert.strictEqual(expected, "refused", `refused a valid change: ${error.message}`);
                                assert.ok(
                                    error.message.startsWith(LABEL) || error.message.startsWith(COMPROMISED),
                                    `a refusal names the config key: ${error.message}`,
                                );
                                seen.refused = (seen.refused ?? 0) + 1;
                                continue; // A refused change leaves the ledger as it was.
                            }
                            assert.strictEqual(
                                transition.kind,
                                expected,
                                `${step.kind} from ${world.ledger.rotatedDate}`,
                            );
                            seen[transition.kind] = (seen[transition.kind] ?? 0) + 1;
                            world.config = next;
                            world.ledger = transition.ledger;
                            const ledger = transition.ledger;

                            // Never more than one slot regenerated; exactly one by a forward move, routine or emergency.
                            const forward = transition.kind === "forward" || transition.kind === "emergency";
                            assert.strictEqual(transition.regenerated.length, forward ? 1 : 0);
                            for (const slot of transition.regenerated) {
                                const name = `K${world.fresh++}`;
                                world.keys[slot] = name;
                                world.lengths.set(name, next.length);
                                assert.deepStrictEqual(ledger.slots[slot].settings, { length: next.length });
                            }
                            // Every other slot keeps its key and the settings it was generated with.
                            for (const slot of ledger.slots.keys()) {
                                if (transition.regenerated.includes(slot)) continue;
                                assert.strictEqual(world.keys[slot], before.keys[slot]);
                                assert.strictEqual(ledger.slots[slot].generation, before.ledger.slots[slot].generation);
                                assert.deepStrictEqual(ledger.slots[slot].settings, {
                                    length: world.lengths.get(world.keys[slot]),
                                });
                            }
                            if (!forward) {
                                assert.deepStrictEqual(
                                    ledger.slots.map((s) => s.generation),
                                    before.ledger.slots.map((s) => s.generation),
                                );
                            }
                            // A setting no slot has yet is pending until the next forward move generates one with it.
                            const newest = ledger.slots.reduce(
                                (a, s, i) => (s.generation > ledger.slots[a].generation ? i : a),
                                0,
                            );
                            assert.strictEqual(
                                pendingSettings(ledger, { length: next.length }).length,
                                next.length === world.lengths.get(world.keys[newest]) ? 0 : 1,
                            );

                            const trusted = trustedKeys(world);
                            const oldPrimary = before.keys[roles.primary];
                            const oldPrevious = before.keys[roles.previous];
                            if (transition.kind === "emergency") {
                                world.revoked.add(oldPrimary);
                                world.emergencyDates.add(next.date);
                                assert.strictEqual(ledger.rollbackDate, "", "an emergency leaves no rollback target");
                                assert.deepStrictEqual(transition.revoked, [roles.primary]);
                                if (shape.staged) {
                                    assert.strictEqual(
                                        world.keys[ledger.primary],
                                        before.keys[roles.next!],
                                        "the staged key signs at once",
                                    );
                                }
                            }
                            if (transition.kind === "forward") {
                                // Routine: the old primary becomes previous byte for byte; only the old previous leaves.
                                assert.strictEqual(world.keys[slotRoles(ledger, shape.staged).previous], oldPrimary);
                                for (const key of before.trusted) {
                                    assert.ok(
                                        trusted.has(key) || key === oldPrevious,
                                        `${key} left the trusted set early`,
                                    );
                                }
                                if (shape.staged) {
                                    assert.ok(
                                        before.trusted.has(world.keys[ledger.primary]),
                                        "a key is trusted before it signs",
                                    );
                                }
                            }
                            if (transition.kind === "emergency") {
                                for (const key of before.trusted) {
                                    assert.ok(trusted.has(key) || key === oldPrevious || key === oldPrimary);
                                }
                            }
                            // A revoked credential never returns: not trusted, in no role, whatever the config says.
                            for (const key of [...trusted, ...roleKeys(world, shape.staged)]) {
                                assert.ok(!world.revoked.has(key), `revoked ${key} came back after ${step.kind}`);
                            }
                            if (transition.kind === "noop") {
                                assert.deepStrictEqual(
                                    { ...ledger, compromisedSeen: undefined },
                                    { ...before.ledger, compromisedSeen: undefined },
                                    "the same dates change no slot",
                                );
                                // The same config again changes nothing at all.
                                assert.deepStrictEqual(
                                    planRotation(ledger, request(next, shape, interval)).ledger,
                                    ledger,
                                );
                            }
                            world.seen = next.compromised === true && (world.seen || transition.kind === "emergency");
                        }
                    },
                ),
                { numRuns: 10_000 },
            );
            // The generated sequences reach every kind of move, many times over.
            for (const kind of ["noop", "forward", "emergency", "rollback", "refused"]) {
                assert.ok((seen[kind] ?? 0) > 1000, `${kind}: ${seen[kind] ?? 0}`);
            }
        });
    }

    it("words the emergency refusals with the config key, the value and what to do", () => {
        const shape = { slotCount: 3, staged: 1 as const };
        const base: Config = { date: BASE, length: 16 };
        const first = planRotation(undefined, request(base, shape, 1)).ledger;
        assert.throws(
            () => planRotation(first, request({ ...base, compromised: true }, shape, 1)),
            new RotationError(
                "compromised",
                `${COMPROMISED} = true asks for an emergency rotation, but ${LABEL} = "2026-01-01" is the current rotation date: set ${LABEL} to a later date to replace the exposed credential now`,
            ),
        );
        // An emergency does not wait for minRotationInterval.
        const emergency = planRotation(
            first,
            request({ ...base, date: BASE + 3_600_000, compromised: true }, shape, 7),
        );
        assert.strictEqual(emergency.kind, "emergency");
        const bumped = planRotation(emergency.ledger, request({ ...base, date: BASE + 30 * DAY }, shape, 7)).ledger;
        assert.throws(
            () => planRotation(bumped, request(base, shape, 7)),
            new RotationError(
                "rotatedDate",
                `${LABEL} = "2026-01-01" goes back past the emergency rotation on 2026-01-01T01:00:00Z, which revoked the credential generated for 2026-01-01 (generation 1); a revoked credential never returns: use a date later than 2026-01-31`,
            ),
        );
        assert.throws(
            () =>
                planRotation(bumped, request({ ...base, date: BASE + 40 * DAY, compromised: "2026-01-20" }, shape, 7)),
            /keyshift:signer.compromised = "2026-01-20" is not the date of an emergency rotation of this credential: set it to the new keyshift:signer.rotatedDate, or remove it/,
        );
        assert.throws(
            () =>
                planRotation(bumped, request({ ...base, date: BASE + 40 * DAY, compromised: "2027-01-01" }, shape, 7)),
            /keyshift:signer.compromised = "2027-01-01" is later than keyshift:signer.rotatedDate = "2026-02-10"/,
        );
        assert.throws(
            () => planRotation(bumped, request({ ...base, date: BASE + 40 * DAY, compromised: "soon" }, shape, 7)),
            /keyshift:signer.compromised = "soon" is not a date: use .*, or true/,
        );
    });
});
