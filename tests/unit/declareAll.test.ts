import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Harness, REFUSAL_TYPE } from "./harness";
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
                error.propertyPath === "second.rotatedDate" &&
                /^"2026-13-01" is not a date/.test(error.reason) &&
                // Printed alone when a program lets it escape, the message names the key.
                error.message.startsWith(`second.rotatedDate: ${error.reason}`),
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

    it("fails the run even when the program catches the error and goes on: a refusal record, and nothing the build declared", async () => {
        const harness = new Harness();
        await inStack(harness, async () => {
            try {
                declareAll(() => {
                    new RotatingPassword("one", { rotatedDate: "2026-01-01" });
                    new RotatingPassword("two", { rotatedDate: "2026-13-01" });
                });
            } catch {
                // The program goes on, as if that part were optional.
            }
            new RotatingPassword("after", { rotatedDate: "2026-01-01" });
            return {};
        });
        // The engine refuses the record at its check and stops the run before it deletes "one" and "two"'s resources.
        assert.deepStrictEqual(harness.byType(REFUSAL_TYPE)[0].inputs, {
            declareAll: "failed",
            reason: harness.refusals[0],
        });
        assert.match(harness.refusals[0], /^two\.rotatedDate: "2026-13-01" is not a date/);
        assert.deepStrictEqual(
            declared(harness).filter((name) => !name.startsWith("after")),
            ["declareAll-refused-1"],
        );
    });

    it("a build that caught a nested declareAll's error fails with it; a program that fails adds no refusal record", async () => {
        const harness = new Harness();
        await assert.rejects(
            inStack(harness, async () =>
                declareAll(() => {
                    new RotatingPassword("outer", { rotatedDate: "2026-01-01" });
                    try {
                        declareAll(() => {
                            throw new Error("inner build failed");
                        });
                    } catch {
                        // swallowed here, but not by the outer declareAll
                    }
                    return {};
                }),
            ),
            /inner build failed/,
        );
        assert.deepStrictEqual(declared(harness), []);
        assert.deepStrictEqual(harness.refusals, []);
    });

    it("holds a thenable build, and refuses with a value that is not an Error", async () => {
        const harness = new Harness();
        await assert.rejects(
            inStack(harness, async () =>
                declareAll(() => ({
                    then(_resolve: (value: unknown) => void, reject: (error: unknown) => void) {
                        setTimeout(() => {
                            new RotatingPassword("one", { rotatedDate: "2026-01-01" });
                            reject(new Error("thenable build failed"));
                        }, 10);
                    },
                })),
            ),
            /thenable build failed/,
        );
        assert.deepStrictEqual(declared(harness), []);

        const bare = new Harness();
        await assert.rejects(
            inStack(bare, async () =>
                declareAll(() => {
                    new RotatingPassword("one", { rotatedDate: "2026-01-01" });
                    throw "a bare string";
                }),
            ),
            (thrown: unknown) => thrown === "a bare string",
        );
        assert.deepStrictEqual(declared(bare), []);
    });

    it("holds only what is declared while the build runs", async () => {
        const harness = new Harness();
        await inStack(harness, async () => {
            declareAll(() => new RotatingPassword("inside", { rotatedDate: "2026-01-01" }));
            new RotatingPassword("after", { rotatedDate: "2026-01-01" });
            return {};
        });
        assert.deepStrictEqual(declared(harness).sort(), [
            "after",
            "after-ledger",
            "after-slot0",
            "after-slot1",
            "inside",
            "inside-ledger",
            "inside-slot0",
            "inside-slot1",
        ]);
    });

    it("a build whose value has a throwing `then` fails like one that throws", async () => {
        const harness = new Harness();
        await assert.rejects(
            inStack(harness, async () =>
                declareAll(() => {
                    new RotatingPassword("one", { rotatedDate: "2026-01-01" });
                    return {
                        get then(): unknown {
                            throw new Error("then getter failed");
                        },
                    };
                }),
            ),
            /then getter failed/,
        );
        assert.deepStrictEqual(declared(harness), []);
    });

    it("a gate an earlier run left open (a build that never settles) does not hold a later run's resources", async () => {
        const stale = new Harness();
        await inStack(stale, async () => {
            void declareAll(() => new Promise(() => undefined));
            return {};
        });
        const harness = new Harness();
        await inStack(harness, async () =>
            declareAll(() => new RotatingPassword("later", { rotatedDate: "2026-01-01" })),
        );
        assert.deepStrictEqual(declared(harness).sort(), ["later", "later-ledger", "later-slot0", "later-slot1"]);
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
