import * as assert from "assert";
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { parse } from "yaml";
import { Harness, valueOf } from "./harness";
import { EncryptionConfigKeys, EncryptionConfigKeysArgs } from "../../components/k8s/encryptionConfigKeys";
import { configHash, renderEncryptionConfig, resourcesProblem } from "../../components/k8s/encryptionConfig";
import { Ledger, RotationError, RotationRequest, planRotation } from "../../components/ring/ring";

const RANDOM = "random:index/randomPassword:RandomPassword";
const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

interface FileKey {
    provider: string;
    name: string;
    secret: string;
}

/** The keys of a rendered EncryptionConfiguration in file order (the first one writes), and its other parts. */
function readConfig(text: string): { keys: FileKey[]; resources: string[]; identity: boolean } {
    const file = parse(text);
    assert.strictEqual(file.apiVersion, "apiserver.config.k8s.io/v1");
    assert.strictEqual(file.kind, "EncryptionConfiguration");
    assert.strictEqual(file.resources.length, 1);
    const keys: FileKey[] = [];
    let identity = false;
    for (const entry of file.resources[0].providers) {
        const [provider, body] = Object.entries(entry)[0] as [string, any];
        if (provider === "identity") identity = true;
        else for (const key of body.keys) keys.push({ provider, name: key.name, secret: key.secret });
    }
    return { keys, resources: file.resources[0].resources, identity };
}

async function declare(harness: Harness, args: EncryptionConfigKeysArgs): Promise<EncryptionConfigKeys> {
    await harness.newRun();
    const keys = new EncryptionConfigKeys("etcd", { configPath: "keyshift:encryption", ...args });
    // A refused run resolves nothing (the engine would stop), so wait for registrations, not for the file.
    await harness.settled();
    return keys;
}

describe("EncryptionConfigKeys", () => {
    it("generates three 32-byte keys as uniform hex passwords, keyed by generation, and writes with the primary", async () => {
        const harness = new Harness();
        const keys = await declare(harness, { rotatedDate: "2026-01-01" });
        const slots = harness.byType(RANDOM);
        assert.deepStrictEqual(
            slots.map((slot) => [slot.name, slot.inputs.keepers]),
            [
                ["etcd-slot0", { generation: "1" }],
                ["etcd-slot1", { generation: "2" }],
                ["etcd-slot2", { generation: "3" }],
            ],
        );
        const shape = { ...slots[0].inputs };
        delete shape.keepers;
        assert.deepStrictEqual(shape, {
            length: 64,
            upper: false,
            lower: false,
            numeric: true,
            special: true,
            overrideSpecial: "abcdef",
            minNumeric: 0,
            minSpecial: 0,
        });
        const config = await valueOf(keys.config);
        assert.strictEqual(await pulumi.isSecret(keys.config), true);
        assert.strictEqual(await pulumi.isSecret(keys.configHash), false);
        assert.strictEqual(
            await valueOf(keys.configHash),
            `sha256:${createHash("sha256").update(config).digest("hex")}`,
        );
        const file = readConfig(config);
        assert.deepStrictEqual(
            file.keys.map((key) => `${key.provider}:${key.name}`),
            ["secretbox:key-1", "secretbox:key-3", "secretbox:key-2"],
        );
        for (const key of file.keys) assert.strictEqual(Buffer.from(key.secret, "base64").length, 32);
        assert.deepStrictEqual(file.resources, ["secrets"]);
        assert.strictEqual(file.identity, false);
        assert.strictEqual(await valueOf(keys.primary.name), "key-1");
        assert.strictEqual(await valueOf(keys.next.name), "key-2");
        assert.strictEqual(await valueOf(keys.previous.name), "key-3");
    });

    it("promotes the staged key on a bump, keeps the others byte for byte and drops only the previous key", async () => {
        const harness = new Harness();
        const before = readConfig(await valueOf((await declare(harness, { rotatedDate: "2026-01-01" })).config));
        // key-3 was staged at creation and never wrote: the first bump may drop it without a rewrite.
        const bumped = await declare(harness, { rotatedDate: "2026-02-01" });
        const after = readConfig(await valueOf(bumped.config));
        assert.strictEqual(harness.generatedThisRun, 1);
        assert.deepStrictEqual(
            after.keys.map((key) => key.name),
            ["key-2", "key-1", "key-4"],
        );
        const secretOf = (file: typeof before, name: string) => file.keys.find((key) => key.name === name)?.secret;
        assert.strictEqual(secretOf(after, "key-2"), secretOf(before, "key-2"));
        assert.strictEqual(secretOf(after, "key-1"), secretOf(before, "key-1"));
        assert.strictEqual(await valueOf(bumped.previous.rotatedDate), "2026-01-01");
    });

    it("refuses a bump that would drop a key that wrote data until the rewrite is recorded, naming the key to set", async () => {
        const harness = new Harness();
        await declare(harness, { rotatedDate: "2026-01-01" });
        await declare(harness, { rotatedDate: "2026-02-01" });
        await declare(harness, { rotatedDate: "2026-03-01" });
        assert.deepStrictEqual(harness.refusals, [
            'keyshift:encryption.rotatedDate = "2026-03-01" would drop the key of generation 1 (generated for 2026-01-01), which holds data no recorded rewrite has moved, and keyshift:encryption.rewrittenDate is not set: rewrite every stored object with the key writing now, then set keyshift:encryption.rewrittenDate to the date the rewrite finished (2026-02-01 or later); or set keyshift:encryption.dropUnrewrittenKey = true to drop the key anyway, leaving what only it decrypts unreadable',
        ]);
        await declare(harness, { rotatedDate: "2026-03-01", rewrittenDate: "2026-01-15" });
        assert.match(
            harness.refusals[0] ?? "",
            /and keyshift:encryption.rewrittenDate = "2026-01-15" is before 2026-02-01, when the key writing now took over: rewrite/,
        );

        const rewritten = await declare(harness, { rotatedDate: "2026-03-01", rewrittenDate: "2026-02-01" });
        assert.deepStrictEqual(harness.refusals, []);
        assert.deepStrictEqual(
            readConfig(await valueOf(rewritten.config)).keys.map((key) => key.name),
            ["key-4", "key-2", "key-5"],
        );
    });

    it("counts a rewrittenDate once: left in config, it does not vouch for what a key wrote after a rollback", async () => {
        const harness = new Harness();
        await declare(harness, { rotatedDate: "2026-01-01" });
        await declare(harness, { rotatedDate: "2026-02-01" });
        // The rewrite finished on 2026-02-10 with key-2; recorded in the run that also rotates.
        await declare(harness, { rotatedDate: "2026-03-01", rewrittenDate: "2026-02-10" });
        await declare(harness, { rotatedDate: "2026-02-01", rewrittenDate: "2026-02-10" });
        // key-2 writes again after the rollback; going forward drops key-5, which never wrote.
        await declare(harness, { rotatedDate: "2026-03-01", rewrittenDate: "2026-02-10" });
        assert.deepStrictEqual(harness.refusals, []);
        await declare(harness, { rotatedDate: "2026-04-01", rewrittenDate: "2026-02-10" });
        assert.match(
            harness.refusals[0] ?? "",
            /would drop the key of generation 2 .* and keyshift:encryption.rewrittenDate = "2026-02-10" was already counted for an earlier rewrite: .* \(2026-03-01 or later, not 2026-02-10 again\)/,
        );
        const next = await declare(harness, { rotatedDate: "2026-04-01", rewrittenDate: "2026-03-02" });
        assert.deepStrictEqual(harness.refusals, []);
        assert.strictEqual(await valueOf(next.previous.name), "key-4");
    });

    it("drops an unrewritten key when told to, and refuses a rewrittenDate that is not a date at preview", async () => {
        const harness = new Harness();
        await declare(harness, { rotatedDate: "2026-01-01" });
        await declare(harness, { rotatedDate: "2026-02-01" });
        await declare(harness, { rotatedDate: "2026-03-01", dropUnrewrittenKey: true });
        assert.deepStrictEqual(harness.refusals, []);
        await harness.newRun();
        assert.throws(
            () => new EncryptionConfigKeys("etcd", { rotatedDate: "2026-03-01", rewrittenDate: "March" }),
            (e: any) => e.propertyPath === "etcd.rewrittenDate" && /"March" is not a date/.test(e.reason),
        );
    });

    it("rolls back one step without regenerating, every key still in the file", async () => {
        const harness = new Harness();
        await declare(harness, { rotatedDate: "2026-01-01" });
        const bumped = readConfig(await valueOf((await declare(harness, { rotatedDate: "2026-02-01" })).config));
        const back = await declare(harness, { rotatedDate: "2026-01-01" });
        assert.strictEqual(harness.generatedThisRun, 0);
        const file = readConfig(await valueOf(back.config));
        assert.strictEqual(file.keys[0].name, "key-1");
        assert.deepStrictEqual(file.keys.map((key) => key.name).sort(), bumped.keys.map((key) => key.name).sort());
        // key-4 was staged and never wrote: going forward again needs no rewrite.
        await declare(harness, { rotatedDate: "2026-02-01" });
        assert.deepStrictEqual(harness.refusals, []);
    });

    it("takes a provider change at the next rotation, keeping each key under the provider it was made for", async () => {
        const harness = new Harness();
        await declare(harness, { rotatedDate: "2026-01-01" });
        const changed = await declare(harness, { rotatedDate: "2026-01-01", provider: "aescbc" });
        assert.strictEqual(harness.generatedThisRun, 0);
        assert.ok(
            harness.warnings.some((w) =>
                w.startsWith('keyshift:encryption.provider = "aescbc" takes effect at the next rotation'),
            ),
            harness.warnings.join("\n"),
        );
        assert.ok(readConfig(await valueOf(changed.config)).keys.every((key) => key.provider === "secretbox"));
        const bumped = await declare(harness, { rotatedDate: "2026-02-01", provider: "aescbc" });
        assert.deepStrictEqual(
            readConfig(await valueOf(bumped.config)).keys.map((key) => `${key.provider}:${key.name}`),
            ["secretbox:key-2", "secretbox:key-1", "aescbc:key-4"],
        );
    });

    it("lists identity last when asked, and other resources as given", async () => {
        const harness = new Harness();
        const keys = await declare(harness, {
            rotatedDate: "2026-01-01",
            identityReader: true,
            resources: ["secrets", "configmaps", "widgets.example.com"],
        });
        const file = readConfig(await valueOf(keys.config));
        assert.strictEqual(file.identity, true);
        assert.deepStrictEqual(file.resources, ["secrets", "configmaps", "widgets.example.com"]);
        assert.ok((await valueOf(keys.config)).trimEnd().endsWith("- identity: {}"));
    });

    it("keeps the file in a Secret when asked, as secret data", async () => {
        const harness = new Harness();
        await harness.newRun();
        const provider = new k8s.Provider("k8s", { enableSecretMutable: true });
        const keys = new EncryptionConfigKeys("etcd", {
            rotatedDate: "2026-01-01",
            kubernetes: { provider, namespace: "kube-system" },
        });
        const config = await valueOf(keys.config);
        await harness.settled();
        const secret = harness.byType("kubernetes:core/v1:Secret")[0];
        assert.strictEqual(secret.inputs.metadata.name, "etcd-encryption-config");
        assert.strictEqual(secret.inputs.metadata.namespace, "kube-system");
        assert.deepStrictEqual(secret.inputs.stringData, { "encryption-config.yaml": config });
        assert.ok(secret.secretInputs.includes("stringData"));
    });

    it("refuses bad input at preview with one line naming the config key", async () => {
        const harness = new Harness();
        await harness.newRun();
        const refusal = (args: Partial<EncryptionConfigKeysArgs>) => {
            try {
                new EncryptionConfigKeys("etcd", {
                    rotatedDate: "2026-01-01",
                    configPath: "keyshift:encryption",
                    ...args,
                });
            } catch (e: any) {
                return `${e.propertyPath}: ${e.reason}`;
            }
            return "accepted";
        };
        assert.strictEqual(
            refusal({ provider: "kms" as never }),
            'keyshift:encryption.provider: "kms" is not a provider keyshift generates keys for: use secretbox, aescbc or aesgcm',
        );
        assert.strictEqual(
            refusal({ provider: "aesgcm" }),
            'keyshift:encryption.provider: "aesgcm" needs allowAesgcm: true: Kubernetes says an aesgcm key must be rotated before 200,000 writes, which a date cannot promise; prefer secretbox',
        );
        assert.strictEqual(refusal({ provider: "aesgcm", allowAesgcm: true }), "accepted");
        assert.strictEqual(
            refusal({ resources: ["Secrets"] }),
            'keyshift:encryption.resources: "Secrets" is not a resource Kubernetes accepts here: use a lower-case plural resource (secrets), resource.group (widgets.example.com), *.group, *. or *.*',
        );
        assert.strictEqual(
            refusal({ resources: ["*.apps", "deployments.apps"] }),
            'keyshift:encryption.resources: "*.apps" overlaps "deployments.apps": a wildcard must not cover another entry of the list',
        );
        assert.strictEqual(
            refusal({ resources: [] }),
            "keyshift:encryption.resources: an empty list: name at least one resource, such as secrets",
        );
    });
});

describe("EncryptionConfiguration rules", () => {
    it("accepts the reference's resource forms and refuses duplicates and overlapping wildcards", () => {
        for (const ok of [
            ["secrets"],
            ["secrets", "configmaps"],
            ["*.apps", "secrets"],
            ["*."],
            ["*.*"],
            ["pandas.awesome.bears.example"],
        ]) {
            assert.strictEqual(resourcesProblem(ok), undefined, JSON.stringify(ok));
        }
        assert.match(resourcesProblem(["secrets", "secrets"])!, /listed twice/);
        assert.match(resourcesProblem(["*.*", "secrets"])!, /overlaps/);
        assert.match(resourcesProblem(["*.", "secrets"])!, /overlaps/);
        assert.match(resourcesProblem(["se:crets"])!, /not a resource/);
    });

    it("renders the same bytes for the same keys, the writer first, and hashes exactly those bytes", () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(
                    fc.record({
                        provider: fc.constantFrom("secretbox" as const, "aescbc" as const, "aesgcm" as const),
                        generation: fc.integer({ min: 1, max: 10_000 }),
                        bytes: fc.uint8Array({ minLength: 32, maxLength: 32 }),
                    }),
                    { minLength: 1, maxLength: 4, selector: (key) => key.generation },
                ),
                fc.boolean(),
                (drawn, identityReader) => {
                    const keys = drawn.map((key) => ({
                        name: `key-${key.generation}`,
                        provider: key.provider,
                        secret: Buffer.from(key.bytes).toString("base64"),
                    }));
                    const text = renderEncryptionConfig({ resources: ["secrets"], keys, identityReader });
                    assert.strictEqual(text, renderEncryptionConfig({ resources: ["secrets"], keys, identityReader }));
                    const file = readConfig(text);
                    assert.deepStrictEqual(file.keys[0], keys[0]);
                    assert.deepStrictEqual(
                        [...file.keys].sort((a, b) => a.name.localeCompare(b.name)),
                        [...keys].sort((a, b) => a.name.localeCompare(b.name)),
                    );
                    assert.strictEqual(file.identity, identityReader);
                    assert.strictEqual(configHash(text), `sha256:${createHash("sha256").update(text).digest("hex")}`);
                },
            ),
            { numRuns: 500 },
        );
    });

    it("never drops a key stored data still needs, over long random sequences of bumps, rollbacks and rewrites", () => {
        type Step = "forward" | "rollback" | "rewrite" | "noop";
        let refused = 0;
        fc.assert(
            fc.property(
                fc.array(fc.constantFrom<Step>("forward", "forward", "rollback", "rewrite", "noop"), { maxLength: 59 }),
                (steps) => {
                    const request = (rotatedDate: string, rewrittenDate?: string): RotationRequest => ({
                        rotatedDate,
                        minRotationInterval: "1d",
                        slotCount: 3,
                        staged: 1,
                        label: "keyshift:encryption.rotatedDate",
                        rewrite: { rewrittenDate },
                    });
                    let today = 0;
                    let ledger: Ledger = planRotation(undefined, request(day(today))).ledger;
                    let rewrittenDate: string | undefined;
                    let rewrites = 0;
                    // Whether the last rewrite ran with the key writing now: then a forward move is never refused.
                    let fresh = false;
                    // The generations whose key encrypts some stored object: at first, what the first primary writes.
                    let holding = new Set([ledger.slots[ledger.primary].generation]);
                    for (const step of steps) {
                        let date = ledger.rotatedDate;
                        if (step === "forward") date = day((today += 7));
                        if (step === "rollback" && ledger.rollbackDate) date = ledger.rollbackDate;
                        if (step === "rewrite") {
                            // Each rewrite finishes at a new instant of the current rotation's day.
                            const minute = String(rewrites++).padStart(2, "0");
                            rewrittenDate = `${ledger.rotatedDate}T00:${minute}:00Z`;
                            holding = new Set([ledger.slots[ledger.primary].generation]);
                            fresh = true;
                            continue;
                        }
                        const before = ledger.rotatedDate;
                        try {
                            ledger = planRotation(ledger, request(date, rewrittenDate)).ledger;
                        } catch (error) {
                            assert.ok(error instanceof RotationError);
                            assert.ok(!fresh, "a forward move right after a rewrite is never refused");
                            refused++;
                            continue;
                        }
                        if (ledger.rotatedDate !== before) fresh = false;
                        holding.add(ledger.slots[ledger.primary].generation);
                        const inFile = new Set(ledger.slots.map((slot) => slot.generation));
                        for (const generation of holding) {
                            assert.ok(
                                inFile.has(generation),
                                `generation ${generation} still encrypts data but left the file`,
                            );
                        }
                    }
                },
            ),
            { numRuns: 2000 },
        );
        assert.ok(refused > 100, `the guard refused ${refused} moves: the sequences must reach it`);
    });
});
