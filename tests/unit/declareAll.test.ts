import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Harness } from "./harness";
import { RotatingPassword, declareAll } from "../../components";

// declareAll inside a stack, as a program runs it (the mocks give runInPulumiStack a root stack resource): what the
// engine is asked to register when the build succeeds, fails, or fails later in an async build.
async function inStack<T>(harness: Harness, program: () => Promise<T>): Promise<T> {
    await harness.newRun();
    try {
        return (await pulumi.runtime.runInPulumiStack(program)) as T;
    } finally {
        // Let every held registration settle before counting.
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

const declared = (harness: Harness) =>
    harness.resources.filter((resource) => resource.type !== "pulumi:pulumi:Stack").map((r) => r.name);

describe("declareAll", () => {
    afterEach(async () => {
        // A later test file must not find this file's root stack resource.
        await new Harness().newRun();
    });

    it("registers what the build declared once it returns, with the build's value", async () => {
        const harness = new Harness();
        const result = await inStack(harness, async () =>
            declareAll(() => {
                const db = new RotatingPassword("db", { rotatedDate: "2026-01-01" });
                return { length: db.primary.value.apply((value) => value.length) };
            }),
        );
        // The stack's outputs, as the engine would record them.
        assert.deepStrictEqual(result, { length: 32 });
        assert.deepStrictEqual(declared(harness).sort(), ["db", "db-ledger", "db-slot0", "db-slot1"]);
    });

    it("registers nothing when a later declaration throws, and throws that error itself", async () => {
        const harness = new Harness();
        await assert.rejects(
            inStack(harness, async () =>
                declareAll(() => {
                    new RotatingPassword("first", { rotatedDate: "2026-01-01" });
                    new RotatingPassword("second", { rotatedDate: "2026-13-01" });
                }),
            ),
            (error: pulumi.InputPropertyError) =>
                error.propertyPath === "second.rotatedDate" && /"2026-13-01" is not a date/.test(error.reason),
        );
        assert.deepStrictEqual(declared(harness), []);
    });

    it("holds an async build's declarations until its promise settles", async () => {
        const harness = new Harness();
        await assert.rejects(
            inStack(harness, () =>
                declareAll(async () => {
                    new RotatingPassword("first", { rotatedDate: "2026-01-01" });
                    await new Promise((resolve) => setTimeout(resolve, 20));
                    throw new Error("config for the second credential is missing");
                }),
            ),
            /config for the second credential is missing/,
        );
        assert.deepStrictEqual(declared(harness), []);

        const ok = new Harness();
        await inStack(ok, () =>
            declareAll(async () => {
                await new Promise((resolve) => setTimeout(resolve, 20));
                new RotatingPassword("late", { rotatedDate: "2026-01-01" });
            }),
        );
        assert.deepStrictEqual(declared(ok).sort(), ["late", "late-ledger", "late-slot0", "late-slot1"]);
    });

    it("outside a stack simply runs the build", async () => {
        const harness = new Harness();
        await harness.newRun();
        assert.strictEqual(pulumi.runtime.getStackResource(), undefined);
        assert.throws(
            () =>
                declareAll(() => {
                    throw new Error("bad");
                }),
            /bad/,
        );
        assert.strictEqual(
            declareAll(() => 7),
            7,
        );
    });
});
