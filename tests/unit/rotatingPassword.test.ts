import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DATE_FORMS, INTERVAL_FORMS } from "../../components/ring/dates";
import fc from "fast-check";
import { Harness, valueOf } from "./harness";
import { RotatingPassword } from "../../components/passwords/rotatingPassword";
import { alphabet, ruleProblems, satisfies, ServiceConstraints } from "../../components/passwords/rules";

const RANDOM = "random:index/randomPassword:RandomPassword";

describe("RotatingPassword", () => {
    it("declares two alphanumeric passwords keyed by slot generation, never the provider's default specials", async () => {
        const harness = new Harness();
        await harness.newRun();
        const password = new RotatingPassword("db", { rotatedDate: "2026-01-01" });
        await valueOf(password.primary.value);
        const declared = harness.byType(RANDOM);
        assert.deepStrictEqual(
            declared.map((r) => r.name),
            ["db-slot0", "db-slot1"],
        );
        assert.deepStrictEqual(declared[0].inputs, {
            length: 32,
            lower: true,
            upper: true,
            numeric: true,
            special: false,
            minLower: 1,
            minUpper: 1,
            minNumeric: 1,
            minSpecial: 0,
            keepers: { generation: "1" },
        });
        assert.deepStrictEqual(declared[1].inputs.keepers, { generation: "2" });
    });

    it("keeps every value secret and moves primary to previous on a bump", async () => {
        const harness = new Harness();
        await harness.newRun();
        const first = new RotatingPassword("db", { rotatedDate: "2026-01-01", special: "!#" });
        for (const slot of [...first.slots, first.primary, first.previous]) {
            assert.strictEqual(await pulumi.isSecret(slot.value), true);
        }
        const oldPrimary = await valueOf(first.primary.value);
        const oldPrevious = await valueOf(first.previous.value);
        assert.strictEqual(harness.byName("db-slot0").inputs.overrideSpecial, "!#");

        await harness.newRun();
        const bumped = new RotatingPassword("db", { rotatedDate: "2026-03-01", special: "!#" });
        const newPrimary = await valueOf(bumped.primary.value);
        assert.strictEqual(await valueOf(bumped.previous.value), oldPrimary);
        assert.notStrictEqual(newPrimary, oldPrimary);
        assert.notStrictEqual(newPrimary, oldPrevious);
        assert.strictEqual(harness.generatedThisRun, 1);
        assert.strictEqual(await valueOf(bumped.primary.rotatedDate), "2026-03-01");
        assert.strictEqual(await valueOf(bumped.previous.rotatedDate), "2026-01-01");
        assert.deepStrictEqual(harness.byName("db-slot1").inputs.keepers, { generation: "3" });
    });

    it("refuses lengths and characters the service would refuse, naming its limit", async () => {
        const harness = new Harness();
        await harness.newRun();
        const postgres: ServiceConstraints = {
            service: "RDS for PostgreSQL",
            minLength: 8,
            maxLength: 128,
            forbidden: '/@" ',
        };
        assert.throws(
            () =>
                new RotatingPassword("db", {
                    rotatedDate: "2026-01-01",
                    length: 200,
                    constraints: postgres,
                    configPath: "keyshift:database",
                }),
            (e: any) =>
                e.propertyPath === "keyshift:database.length" &&
                e.reason === "200 is out of range: RDS for PostgreSQL accepts 8 to 128 characters",
        );
        assert.throws(
            () => new RotatingPassword("db", { rotatedDate: "2026-01-01", special: "!@", constraints: postgres }),
            (e: any) => e.propertyPath === "db.special" && /"@" cannot be used with RDS for PostgreSQL/.test(e.reason),
        );
        assert.throws(
            () => new RotatingPassword("db", { rotatedDate: "2026-01-01", lower: false, upper: false, numeric: false }),
            (e: any) => /no characters are allowed/.test(e.reason),
        );
    });

    it("refuses rules of the wrong type (config read as an object is untyped), naming the key and the value", async () => {
        const harness = new Harness();
        await harness.newRun();
        const cases: [Record<string, unknown>, string, string | RegExp][] = [
            [{ length: "40" }, "length", 'expected a whole number of characters, got "40"'],
            [{ length: 40.5 }, "length", "expected a whole number of characters, got 40.5"],
            [{ lower: "no" }, "lower", 'expected true or false, got "no"'],
            [{ numeric: 0 }, "numeric", "expected true or false, got 0"],
            [
                { special: true },
                "special",
                'expected the special characters allowed as one string, such as "!#%", got true',
            ],
            [
                { special: { a: 1 } },
                "special",
                'expected the special characters allowed as one string, such as "!#%", got {"a":1}',
            ],
            [{ rotatedDate: undefined }, "rotatedDate", `required but missing: use ${DATE_FORMS}`],
            [{ constructor: 1 }, "constructor", /^not an argument of RotatingPassword/],
            [{ length: Infinity }, "length", "expected a whole number of characters, got Infinity"],
            [{ minRotationInterval: -1 }, "minRotationInterval", `-1 is not a duration: use ${INTERVAL_FORMS}`],
            [
                { special: "é" },
                "special",
                '"é" cannot be used with a generic password: it takes printable ASCII other than letters, digits and space',
            ],
            [
                { lenght: 12 },
                "lenght",
                "not an argument of RotatingPassword (it takes rotatedDate, minRotationInterval, configPath, compromised, length, lower, upper, numeric, special, constraints)",
            ],
            [
                { compromised: "true" },
                "compromised",
                `"true" is a string, not the boolean true: use true, false or ${DATE_FORMS}`,
            ],
        ];
        for (const [rules, rule, reason] of cases) {
            assert.throws(
                () =>
                    new RotatingPassword("db", {
                        rotatedDate: "2026-01-01",
                        configPath: "myapp:db",
                        ...(rules as object),
                    }),
                // An InputPropertyError that Pulumi prints as a RunError: the message alone, no stack trace.
                (e: any) =>
                    pulumi.InputPropertyError.isInstance(e) &&
                    pulumi.RunError.isInstance(e) &&
                    e.propertyPath === `myapp:db.${rule}` &&
                    (typeof reason === "string" ? e.reason === reason : reason.test(e.reason)) &&
                    e.message === `myapp:db.${rule}: ${e.reason}`,
                JSON.stringify(rules),
            );
        }
        // null, as YAML writes an empty key, is not given, for every argument alike.
        const nulls = { length: null, compromised: null, minRotationInterval: null } as never;
        assert.doesNotThrow(() => new RotatingPassword("empty", { rotatedDate: "2026-01-01", ...(nulls as object) }));
    });
});

describe("character rules (property)", () => {
    const printableSpecials = [..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"];
    it("accepted rules only ever generate values the service accepts", () => {
        fc.assert(
            fc.property(
                fc.record({
                    minLength: fc.integer({ min: 1, max: 40 }),
                    span: fc.integer({ min: 0, max: 100 }),
                    forbidden: fc.subarray(printableSpecials),
                    allowed: fc.option(fc.subarray(printableSpecials), { nil: undefined }),
                }),
                fc.record({
                    length: fc.integer({ min: 0, max: 160 }),
                    lower: fc.boolean(),
                    upper: fc.boolean(),
                    numeric: fc.boolean(),
                    special: fc.subarray(printableSpecials).map((chars) => chars.join("")),
                }),
                fc.integer(),
                (service, rules, seed) => {
                    const constraints: ServiceConstraints = {
                        service: "svc",
                        minLength: service.minLength,
                        maxLength: service.minLength + service.span,
                        forbidden: service.forbidden.join(""),
                        allowedSpecial: service.allowed?.join(""),
                    };
                    const problems = ruleProblems(rules, constraints);
                    if (problems.length > 0) {
                        return;
                    }
                    // Every value the generator can produce under these rules passes the service's own check.
                    const chars = alphabet(rules);
                    const value = Array.from(
                        { length: rules.length },
                        (_, i) => chars[Math.abs(seed + i * 7919) % chars.length],
                    ).join("");
                    assert.ok(satisfies(value, constraints), `${rules.length} chars from ${JSON.stringify(chars)}`);
                    for (const char of chars) {
                        assert.ok(satisfies(char.repeat(constraints.minLength), constraints), JSON.stringify(char));
                    }
                },
            ),
            { numRuns: 1000 },
        );
    });
});
