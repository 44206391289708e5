import * as assert from "assert";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { assertFails, createStack, digest, engineEnv } from "./engine";
import { RotatingPassword, declareAll } from "../../components";

// declareAll on the real engine under the Automation API's `up`, which skips the preview: a bad value in a later
// credential leaves the earlier one's bump unapplied, and a program that catches the error and goes on still fails
// before the engine deletes what the build did not get to declare.

const D1 = "2026-01-01";
const D2 = "2026-02-01";
const BAD = "2026-13-01";

/** Every resource in the checkpoint, by name: its type and a digest of its outputs (never the values). */
async function state(stack: Stack): Promise<Record<string, string>> {
    const { deployment } = await stack.exportStack();
    return Object.fromEntries(
        (deployment.resources ?? [])
            .filter((resource: { type: string }) => !resource.type.startsWith("pulumi:"))
            .map((resource: { urn: string; type: string; outputs?: unknown }) => [
                resource.urn.split("::").pop(),
                `${resource.type} ${digest(resource.outputs ?? {})}`,
            ]),
    );
}

describe("declareAll on the real engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack | undefined;
    const workDir = path.join(__dirname, "program");
    const run = async (program: () => Promise<Record<string, unknown>>) =>
        (stack = await createStack("e2e-declare-all", { workDir, program }, env));

    before(() => {
        ({ env, cleanup } = engineEnv());
    });

    after(async () => {
        try {
            await stack?.destroy();
            await stack?.workspace.removeStack("e2e-declare-all");
        } finally {
            cleanup?.();
        }
    });

    it("a bad value in a later credential stops `up` before the earlier one's bump; caught or floating, it still fails and deletes nothing", async () => {
        await run(async () =>
            declareAll(() => {
                new RotatingPassword("one", { rotatedDate: D1 });
                new RotatingPassword("two", { rotatedDate: D1 });
                return {};
            }),
        );
        await stack!.up();
        const before = await state(stack!);
        assert.strictEqual(Object.keys(before).length, 8);

        await run(async () =>
            declareAll(() => {
                new RotatingPassword("one", { rotatedDate: D2 });
                new RotatingPassword("two", { rotatedDate: BAD });
                return {};
            }),
        );
        await assertFails(stack!.up(), /two\.rotatedDate: "2026-13-01" is not a date/);
        assert.deepStrictEqual(await state(stack!), before, "nothing changed");

        await run(async () => {
            try {
                declareAll(() => {
                    new RotatingPassword("one", { rotatedDate: D2 });
                    new RotatingPassword("two", { rotatedDate: BAD });
                });
            } catch {
                // A program that treats that part as optional and goes on.
            }
            return {};
        });
        await assertFails(stack!.up(), /two\.rotatedDate: "2026-13-01" is not a date/);
        assert.deepStrictEqual(await state(stack!), before, "nothing deleted, nothing changed");

        // An async build left floating that waits before it declares anything: the run waits for it, then fails.
        await run(async () => {
            void declareAll(async () => {
                await new Promise((resolve) => setTimeout(resolve, 1500));
                new RotatingPassword("one", { rotatedDate: D2 });
                new RotatingPassword("two", { rotatedDate: BAD });
            });
            return {};
        });
        await assertFails(stack!.up(), /two\.rotatedDate: "2026-13-01" is not a date/);
        assert.deepStrictEqual(await state(stack!), before, "a floating build: nothing deleted, nothing changed");

        // Fixed, the bump applies: one slot of "one" replaced, "two" untouched.
        await run(async () =>
            declareAll(() => {
                new RotatingPassword("one", { rotatedDate: D2 });
                new RotatingPassword("two", { rotatedDate: D1 });
                return {};
            }),
        );
        const result = await stack!.up();
        assert.deepStrictEqual(result.summary.resourceChanges, { same: 7, update: 1, replace: 1 });
    });
});

describe("declareAll with two stacks running at once in one process", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    const stacks: Stack[] = [];
    const workDir = path.join(__dirname, "program");

    before(() => {
        ({ env, cleanup } = engineEnv());
    });

    after(async () => {
        try {
            for (const stack of stacks) {
                await stack.destroy();
                await stack.workspace.removeStack(stack.name);
            }
        } finally {
            cleanup?.();
        }
    });

    it("a build still running in one stack holds none of another stack's resources", async () => {
        // The first stack's build is running when the second stack declares, and ends only once the second stack's
        // `up` has finished: were the second stack's resources held by the first stack's gate, neither would finish.
        const signal = () => {
            let fire!: () => void;
            return { fired: new Promise<void>((resolve) => (fire = resolve)), fire: () => fire() };
        };
        const firstBuilding = signal();
        const secondDone = signal();
        const first = await createStack(
            "e2e-declare-all-first",
            {
                workDir,
                program: async () =>
                    declareAll(async () => {
                        firstBuilding.fire();
                        await secondDone.fired;
                        new RotatingPassword("one", { rotatedDate: D1 });
                        return {};
                    }),
            },
            env,
        );
        const second = await createStack(
            "e2e-declare-all-second",
            {
                workDir,
                program: async () => {
                    await firstBuilding.fired;
                    return declareAll(() => {
                        new RotatingPassword("one", { rotatedDate: D1 });
                        return {};
                    });
                },
            },
            env,
        );
        stacks.push(first, second);
        const firstUp = first.up();
        const held = new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("the second stack's up did not finish in 180 s")), 180_000).unref(),
        );
        const secondResult = await Promise.race([second.up().finally(secondDone.fire), held]);
        assert.deepStrictEqual(secondResult.summary.resourceChanges, { create: 5 });
        assert.deepStrictEqual((await firstUp).summary.resourceChanges, { create: 5 });
    });
});
