import * as assert from "assert";
import { execFileSync } from "child_process";
import { createPublicKey } from "crypto";
import { readFileSync } from "fs";
import { Stack } from "@pulumi/pulumi/automation";
import { assertFails, changes, createStack, digest, engineEnv, previewSteps } from "./engine";
import { E2E } from "./programs";
import { interruption } from "./program/interrupt";
import { registerSecrets } from "../redact";
import { runPulumi } from "../../scripts/pulumi-inline";
import { reviewPreview } from "../../components/review/review";

// A credential's life on the real engine: a settings change that waits for the next rotation, an emergency rotation
// that revokes the exposed key and password for good, and a `pulumi up` killed halfway through a bump.

const LEDGER = "pulumi-nodejs:dynamic/keyshift:SlotLedger";

interface Snapshot {
    slots: { publicKeyPem: string; kid: string; rotatedDate: string; algorithm: string }[];
    roles: { primary: string; previous: string; next: string };
    trusted: string[];
    passwords: string[];
    dbPrimary: string;
    dbPrevious: string;
    cacheTokens: string[];
}

async function snapshot(stack: Stack): Promise<Snapshot> {
    const o = await stack.outputs();
    registerSecrets(o.signerPrivateKeys.value, o.dbPasswords.value, o.cacheTokens.value);
    return {
        slots: o.signerSlots.value,
        roles: o.signerRoles.value,
        trusted: o.signerTrusted.value,
        passwords: o.dbPasswords.value,
        dbPrimary: o.dbPrimary.value,
        dbPrevious: o.dbPrevious.value,
        cacheTokens: o.cacheTokens.value,
    };
}

/** The steps a preview shows, "op name", without providers and the halves of a replacement. */
async function previewNames(stack: Stack): Promise<{ steps: string[]; stdout: string }> {
    const { steps, result } = await previewSteps(stack);
    return { steps: steps.map((step) => `${step.op} ${step.name}`).sort(), stdout: result.stdout };
}

/** Each ring's slot generations, from the checkpoint as the engine wrote it. */
async function generations(stack: Stack): Promise<Record<string, number[]>> {
    const state = await stack.exportStack();
    return Object.fromEntries(
        (state.deployment.resources ?? [])
            .filter((resource: { type: string }) => resource.type === LEDGER)
            .map((resource: { urn: string; outputs: { ledger: { slots: { generation: number }[] } } }) => [
                resource.urn.split("::").pop(),
                resource.outputs.ledger.slots.map((slot) => slot.generation),
            ]),
    );
}

/** Each slot resource in the checkpoint, by name: its ID and a digest of its outputs (never the values). */
async function slotStates(stack: Stack): Promise<Record<string, string>> {
    const state = await stack.exportStack();
    return Object.fromEntries(
        (state.deployment.resources ?? [])
            .filter((resource: { urn: string }) => /-slot\d$/.test(resource.urn))
            .map((resource: { urn: string; id: string; outputs: unknown }) => [
                resource.urn.split("::").pop(),
                `${resource.id} ${digest(resource.outputs)}`,
            ]),
    );
}

const keyType = (pem: string) => createPublicKey(pem).asymmetricKeyType;

describe("a credential's life on the real engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    const stacks: Stack[] = [];

    before(() => {
        ({ env, cleanup } = engineEnv());
    });

    after(async () => {
        try {
            for (const stack of stacks) {
                await stack.destroy().catch(() => undefined);
                await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
            }
        } finally {
            cleanup?.();
        }
    });

    async function stackAt(name: string, date: string): Promise<Stack> {
        const stack = await createStack(name, E2E, env);
        stacks.push(stack);
        await stack.setAllConfig({
            "e2e:rotatedDate": { value: date },
            "e2e:minRotationInterval": { value: "1d" },
        });
        return stack;
    }

    it("settings: a change waits for the next rotation, which generates one key and one password with it", async () => {
        const stack = await stackAt("e2e-settings", "2026-01-01");
        await stack.up();
        const first = await snapshot(stack);
        assert.ok(first.slots.every((slot) => slot.algorithm === "ECDSA-P256" && keyType(slot.publicKeyPem) === "ec"));

        await stack.setAllConfig({ "e2e:length": { value: "48" }, "e2e:algorithm": { value: "RSA-2048" } });
        const preview = await previewNames(stack);
        assert.deepStrictEqual(
            preview.steps,
            ["update db-ledger", "update signer-ledger"],
            "no key or password replaced: the ledgers record the settings for the next rotation",
        );
        assert.ok(
            preview.stdout.includes("e2e:length = 48 takes effect at the next rotation") &&
                preview.stdout.includes('e2e:algorithm = "RSA-2048" takes effect at the next rotation'),
            "the preview warns, naming each config key and its new value",
        );
        const applied = await stack.up();
        assert.deepStrictEqual(changes(applied.summary.resourceChanges), { update: 2 });
        assert.deepStrictEqual(await snapshot(stack), first, "every key and password kept its bytes");

        await stack.setConfig("e2e:rotatedDate", { value: "2026-02-01" });
        const bumped = await stack.up();
        assert.deepStrictEqual(changes(bumped.summary.resourceChanges), { update: 3, replace: 3 });
        const second = await snapshot(stack);
        const fresh = second.slots.filter((slot) => slot.rotatedDate === "2026-02-01");
        assert.strictEqual(fresh.length, 1);
        assert.deepStrictEqual([fresh[0].algorithm, keyType(fresh[0].publicKeyPem)], ["RSA-2048", "rsa"]);
        assert.deepStrictEqual(
            second.slots.filter((slot) => slot !== fresh[0]).map((slot) => keyType(slot.publicKeyPem)),
            ["ec", "ec"],
            "the other keys keep their algorithm and bytes",
        );
        assert.strictEqual(second.dbPrimary.length, 48);
        assert.strictEqual(digest(second.dbPrevious), digest(first.dbPrimary));
        assert.strictEqual(second.trusted.length, 3, "verifiers trust both kinds during the migration");
    });

    it("emergency: the exposed key and password are revoked in the same up, and never come back", async () => {
        const stack = await stackAt("e2e-emergency", "2026-01-01");
        await stack.up();
        await stack.setConfig("e2e:rotatedDate", { value: "2026-02-01" });
        await stack.up();
        const before = await snapshot(stack);

        // An hour later, inside minRotationInterval: an emergency does not wait.
        await stack.setAllConfig({
            "e2e:rotatedDate": { value: "2026-02-01T01:00:00Z" },
            "e2e:compromised": { value: "true" },
        });
        const preview = await previewNames(stack);
        assert.deepStrictEqual(preview.steps, [
            "replace cache-slot0",
            "replace db-slot0",
            "replace signer-slot0",
            "update cache-ledger",
            "update db-ledger",
            "update signer-ledger",
        ]);
        await stack.up();
        const after = await snapshot(stack);
        assert.strictEqual(after.roles.primary, before.roles.next, "the staged key signs at once");
        assert.strictEqual(after.roles.previous, "");
        const trustedKids = after.slots.filter((slot) => after.trusted.includes(slot.publicKeyPem)).map((s) => s.kid);
        assert.deepStrictEqual(trustedKids.sort(), [after.roles.primary, after.roles.next].sort());
        assert.ok(!trustedKids.includes(before.roles.primary), "the exposed key is no longer trusted");
        assert.strictEqual(after.dbPrevious, "", "the exposed password is no rollback target");

        // `compromised: true` left in config: nothing more happens.
        assert.deepStrictEqual(changes((await stack.up()).summary.resourceChanges), {});
        await stack.setConfig("e2e:rotatedDate", { value: "2026-02-01" });
        await assertFails(
            stack.preview(),
            /e2e:rotatedDate = "2026-02-01" goes back past the emergency rotation on 2026-02-01T01:00:00Z, which revoked the credential generated for 2026-0[12]-01 \(generation \d\); a revoked credential never returns/,
        );
        await stack.setConfig("e2e:rotatedDate", { value: "2026-03-01" });
        await stack.up();
        const routine = await snapshot(stack);
        assert.strictEqual(routine.trusted.length, 3, "the next rotation is routine");
        assert.strictEqual(routine.roles.previous, after.roles.primary);
    });

    it("interruption: a bump killed after the ledgers' update, before any slot is replaced, converges on the next up", async () => {
        const stack = await stackAt("e2e-interrupt", "2026-01-01");
        await stack.up();
        const first = await snapshot(stack);
        const startGenerations = await generations(stack);
        const startSlots = await slotStates(stack);

        await stack.setAllConfig({
            "e2e:rotatedDate": { value: "2026-02-01" },
            "e2e:interruptBeforeSlots": { value: "true" },
        });
        const checkpoint = `${env.PULUMI_BACKEND_URL.replace(/^file:\/\//, "")}/.pulumi/stacks/keyshift-e2e/e2e-interrupt.json`;
        let killed = false;
        interruption.beforeSlots = async () => {
            // Every ledger's update is in the checkpoint; every slot's registration is held here.
            const bumped = () => {
                try {
                    const state = JSON.parse(readFileSync(checkpoint, "utf8")).checkpoint.latest;
                    return state.resources.filter(
                        (r: { type: string; outputs: { ledger: { rotatedDate: string } } }) =>
                            r.type === LEDGER && r.outputs.ledger.rotatedDate === "2026-02-01",
                    ).length;
                } catch {
                    return 0;
                }
            };
            for (let waited = 0; bumped() < 3 && waited < 60_000; waited += 50) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            // The CLI is this process's child; SIGKILL leaves it no time to finish or clean up.
            const pids = execFileSync("pgrep", ["-P", String(process.pid), "-x", "pulumi"], { encoding: "utf8" });
            for (const pid of pids.trim().split("\n")) process.kill(Number(pid), "SIGKILL");
            killed = true;
        };
        try {
            await assert.rejects(stack.up());
        } finally {
            interruption.beforeSlots = async () => undefined;
        }
        assert.ok(killed, "the CLI was killed while slot registrations were held");
        const halfway = await generations(stack);
        for (const [ledger, gens] of Object.entries(halfway)) {
            assert.strictEqual(Math.max(...gens), Math.max(...startGenerations[ledger]) + 1, `${ledger} was bumped`);
        }
        assert.deepStrictEqual(await slotStates(stack), startSlots, "no key or password was replaced before the kill");

        await stack.removeConfig("e2e:interruptBeforeSlots");
        // What an operator does after a killed CLI: release the stack's lock, then run the same up again.
        await stack.cancel();
        // The preview a reviewer reads first: each ring generates the slot its ledger already records, nothing else.
        // --show-sames: the ledgers did not change in this preview, and the review reads each slot against its ledger.
        const previewed = await runPulumi(
            ["preview", "--json", "--show-sames", "--non-interactive", "-s", "e2e-interrupt"],
            {
                cwd: E2E.workDir,
                program: E2E.program,
                env,
                capture: true,
            },
        );
        assert.strictEqual(previewed.code, 0, previewed.stderr);
        const review = reviewPreview(JSON.parse(previewed.stdout));
        assert.deepStrictEqual(
            review.credentials.map((c) => [c.name, c.move, c.completes.length, c.regenerated, c.unsafe]),
            ["signer", "cache", "db"].map((name) => [name, "completion of an interrupted rotation", 1, [], []]),
        );
        assert.deepStrictEqual([review.unsafe, review.safe], [[], true]);
        const resumed = await stack.up();
        assert.ok(!("delete" in changes(resumed.summary.resourceChanges)), "nothing is deleted outright");
        const after = await snapshot(stack);
        assert.strictEqual(after.roles.previous, first.roles.primary, "previous is the old primary, byte for byte");
        assert.strictEqual(after.roles.primary, first.roles.next);
        const oldKeys = new Set(first.slots.map((slot) => slot.publicKeyPem));
        assert.strictEqual(after.slots.filter((slot) => !oldKeys.has(slot.publicKeyPem)).length, 1, "one new key");
        assert.strictEqual(digest(after.dbPrevious), digest(first.dbPrimary));
        assert.ok(!first.passwords.includes(after.dbPrimary));
        // Each ring moved exactly once: one new generation, not two.
        const final = await generations(stack);
        for (const [ledger, gens] of Object.entries(final)) {
            assert.strictEqual(Math.max(...gens), Math.max(...startGenerations[ledger]) + 1, ledger);
        }
        const refreshed = await stack.refresh();
        assert.deepStrictEqual(changes(refreshed.summary.resourceChanges), {}, "refresh finds nothing to change");
        assert.deepStrictEqual(changes((await stack.up()).summary.resourceChanges), {});
    });
});
