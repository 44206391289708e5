import * as assert from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { assertFails, changes, createStack, digest, engineEnv, filesUnder } from "./engine";
import { E2E } from "./programs";
import { ELASTICACHE_TOKEN } from "../../components/aws/rules";
import { satisfies } from "../../components/passwords/rules";

// Drives the real engine (CLI, tls and random providers; the program inline) through up, no-op, preview, bump, rollback,
// refusals and destroy, checking the checkpoint as the engine wrote it.

const D1 = "2026-01-01";
const D2 = "2026-04-01";

interface Snapshot {
    slots: { publicKeyPem: string; kid: string; rotatedDate: string }[];
    primary: string;
    previous: string;
    next: string;
    privateKeys: string[];
    passwords: string[];
    dbPrimary: string;
    cacheTokens: string[];
    secretFlags: Record<string, boolean>;
}

async function snapshot(stack: Stack): Promise<Snapshot> {
    const outputs = await stack.outputs();
    const roles = outputs.signerRoles.value;
    return {
        slots: outputs.signerSlots.value,
        primary: roles.primary,
        previous: roles.previous,
        next: roles.next,
        privateKeys: outputs.signerPrivateKeys.value,
        passwords: outputs.dbPasswords.value,
        dbPrimary: outputs.dbPrimary.value,
        cacheTokens: outputs.cacheTokens.value,
        secretFlags: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, value.secret])),
    };
}

describe("the slot ring on the real Pulumi engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    let first: Snapshot;
    let second: Snapshot;

    before(async () => {
        ({ env, cleanup } = engineEnv());
        stack = await createStack("e2e", E2E, env);
        await stack.setConfig("e2e:rotatedDate", { value: D1 });
        await stack.setConfig("e2e:minRotationInterval", { value: "30d" });
    });

    after(async () => {
        try {
            await stack?.workspace.removeStack("e2e", { force: true });
        } finally {
            cleanup?.();
        }
    });

    it("1. up with D1 generates every slot", async () => {
        const result = await stack.up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { create: 14 });
        first = await snapshot(stack);
        assert.strictEqual(new Set(first.slots.map((slot) => slot.kid)).size, 3);
        assert.ok(first.slots.every((slot) => slot.rotatedDate === D1));
        assert.strictEqual(new Set(first.passwords.map(digest)).size, 2);
        // The real random provider's values satisfy the services' rules.
        assert.ok(
            first.passwords.every((value) => satisfies(value, { service: "generic", minLength: 32, maxLength: 32 })),
        );
        assert.ok(first.cacheTokens.every((value) => satisfies(value, ELASTICACHE_TOKEN) && value.length === 64));
    });

    it("2. up again with the same config changes nothing", async () => {
        const result = await stack.up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), {});
        assert.deepStrictEqual(await snapshot(stack), first);
    });

    it("3. a preview of D2 shows the ledgers' updates and exactly the regenerated slots replaced, one per credential", async () => {
        await stack.setConfig("e2e:rotatedDate", { value: D2 });
        const steps: string[] = [];
        const result = await stack.preview({
            onEvent: (event: EngineEvent) => {
                const meta = event.resourcePreEvent?.metadata;
                // Default providers are hidden from the CLI's preview and not counted in its summary; the dynamic
                // provider's default instance reports an update because it implements no DiffConfig.
                if (meta && meta.op !== "same" && !meta.type.startsWith("pulumi:providers:")) {
                    steps.push(`${meta.op} ${meta.urn.split("::").pop()}`);
                }
            },
        });
        assert.deepStrictEqual(changes(result.changeSummary), { update: 3, replace: 3 });
        assert.deepStrictEqual(
            steps
                .filter((step) => !step.startsWith("create-replacement") && !step.startsWith("delete-replaced"))
                .sort(),
            [
                "replace cache-slot1",
                "replace db-slot1",
                "replace signer-slot2",
                "update cache-ledger",
                "update db-ledger",
                "update signer-ledger",
            ],
        );
    });

    it("4. up with D2: previous is the old primary and primary the old next, byte for byte; one new key", async () => {
        const result = await stack.up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { update: 3, replace: 3 });
        second = await snapshot(stack);
        assert.strictEqual(second.previous, first.primary);
        assert.strictEqual(second.primary, first.next);
        const before = new Set(first.slots.map((slot) => slot.publicKeyPem));
        const fresh = second.slots.filter((slot) => !before.has(slot.publicKeyPem));
        assert.strictEqual(fresh.length, 1);
        assert.strictEqual(fresh[0].kid, second.next);
        assert.strictEqual(fresh[0].rotatedDate, D2);
        // The password that was primary is now previous, unchanged; the new primary is new.
        assert.strictEqual(digest(second.passwords.filter((p) => p !== second.dbPrimary)[0]), digest(first.dbPrimary));
        assert.ok(!first.passwords.includes(second.dbPrimary));
    });

    it("5. rollback to D1 regenerates nothing; an older date and a bump inside minRotationInterval are refused", async () => {
        await stack.setConfig("e2e:rotatedDate", { value: "2025-12-01" });
        await assertFails(
            stack.preview(),
            /e2e:rotatedDate = "2025-12-01" is earlier than the last rotation date 2026-04-01; the only earlier date allowed is 2026-01-01/,
        );
        await stack.setConfig("e2e:rotatedDate", { value: "2026-04-15" });
        await assertFails(
            stack.up(),
            /e2e:rotatedDate = "2026-04-15" is too soon after the last rotation on 2026-04-01: minRotationInterval is 30d, so the earliest allowed date is 2026-05-01/,
        );
        await stack.setConfig("e2e:rotatedDate", { value: D1 });
        const result = await stack.up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { update: 3 });
        const rolledBack = await snapshot(stack);
        assert.strictEqual(rolledBack.primary, first.primary);
        assert.deepStrictEqual(rolledBack.slots, second.slots, "no key material changed");
        assert.strictEqual(digest(rolledBack.dbPrimary), digest(first.dbPrimary));
    });

    it("6. the checkpoint holds no private key or password in clear, and those outputs are secret", async () => {
        const latest = await snapshot(stack);
        assert.deepStrictEqual(
            Object.entries(latest.secretFlags)
                .filter(([, secret]) => secret)
                .map(([key]) => key)
                .sort(),
            ["cacheTokens", "dbPasswords", "dbPrevious", "dbPrimary", "signerPrivateKeys"],
        );
        const backend = env.PULUMI_BACKEND_URL.replace(/^file:\/\//, "");
        const files = filesUnder(path.join(backend, ".pulumi"));
        assert.ok(
            files.some((file) => file.endsWith("e2e.json")),
            "the stack's checkpoint is there to search",
        );
        const secrets = [
            ...first.privateKeys,
            ...second.privateKeys,
            ...first.passwords,
            ...second.passwords,
            ...first.cacheTokens,
            ...second.cacheTokens,
        ];
        const keyBodies = secrets.map((secret) =>
            secret
                .replace(/-----[^-]+-----/g, "")
                .replace(/\s+/g, "")
                .slice(0, 40),
        );
        let hits = 0;
        for (const file of files) {
            const text = readFileSync(file, "utf8").replace(/\\n/g, "");
            hits += secrets.filter((secret) => text.includes(secret)).length;
            hits += keyBodies.filter((body) => body.length >= 16 && text.includes(body)).length;
        }
        assert.strictEqual(hits, 0, "generated secrets found in the state files");
    });

    it("7. destroy leaves nothing", async () => {
        const result = await stack.destroy();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { delete: 14 });
        const state = await stack.exportStack();
        assert.deepStrictEqual(state.deployment.resources ?? [], []);
    });
});
