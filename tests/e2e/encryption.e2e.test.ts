import * as assert from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { changes, createStack, digest, engineEnv, filesUnder, previewSteps } from "./engine";
import { EncryptionConfigKeys } from "../../components/k8s/encryptionConfigKeys";

// EncryptionConfigKeys on the real engine and random provider: the keys are real, the checkpoint is the engine's own,
// and it must not hold a key in clear in any form the file uses (base64) or the provider generated (hex).

const D1 = "2026-01-01";
const D2 = "2026-02-01";

/** The file's keys by name, in file order (the first one writes). */
function keysOf(config: string): [string, string][] {
    const file = parse(config);
    return file.resources[0].providers.flatMap(
        (provider: Record<string, { keys?: { name: string; secret: string }[] }>) =>
            (Object.values(provider)[0].keys ?? []).map((key) => [key.name, key.secret] as [string, string]),
    );
}

describe("EncryptionConfigKeys on the real Pulumi engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    const configs: string[] = [];

    async function config(): Promise<{ text: string; hash: string; secret: boolean }> {
        const outputs = await stack.outputs();
        configs.push(outputs.config.value);
        return { text: outputs.config.value, hash: outputs.configHash.value, secret: outputs.config.secret };
    }

    before(async () => {
        ({ env, cleanup } = engineEnv());
        stack = await createStack(
            "encryption",
            {
                workDir: path.join(__dirname, "program"),
                program: async () => {
                    const keys = new EncryptionConfigKeys("etcd", {
                        rotatedDate: new pulumi.Config("e2e").require("rotatedDate"),
                        configPath: "e2e:rotatedDate",
                    });
                    return { config: keys.config, configHash: keys.configHash };
                },
            },
            env,
        );
        await stack.setConfig("e2e:rotatedDate", { value: D1 });
    });

    after(async () => {
        try {
            await stack?.workspace.removeStack("encryption", { force: true });
        } finally {
            cleanup?.();
        }
    });

    it("1. up generates three distinct 32-byte keys; the file is a secret output, its hash is not", async () => {
        const result = await stack.up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { create: 6 });
        const first = await config();
        assert.strictEqual(first.secret, true);
        const keys = keysOf(first.text);
        assert.deepStrictEqual(
            keys.map(([name]) => name),
            ["key-1", "key-3", "key-2"],
        );
        assert.ok(keys.every(([, secret]) => Buffer.from(secret, "base64").length === 32));
        assert.strictEqual(new Set(keys.map(([, secret]) => secret)).size, 3);
        assert.match(first.hash, /^sha256:[0-9a-f]{64}$/);
    });

    it("2. the same config changes nothing; a bump's preview updates the ledger and replaces exactly one key", async () => {
        assert.deepStrictEqual(changes((await stack.up()).summary.resourceChanges), {});
        await stack.setConfig("e2e:rotatedDate", { value: D2 });
        const { steps } = await previewSteps(stack);
        assert.deepStrictEqual(steps.map((step) => `${step.op} ${step.name}`).sort(), [
            "replace etcd-slot2",
            "update etcd-ledger",
        ]);
    });

    it("3. up with the bump: the staged key writes, the old primary reads, both byte for byte", async () => {
        const before = new Map(keysOf(configs[0]));
        await stack.up();
        const after = keysOf((await config()).text);
        assert.deepStrictEqual(
            after.map(([name]) => name),
            ["key-2", "key-1", "key-4"],
        );
        assert.strictEqual(digest(after[0][1]), digest(before.get("key-2")));
        assert.strictEqual(digest(after[1][1]), digest(before.get("key-1")));
    });

    it("4. the checkpoint holds no key in clear, as base64 or as the hex the provider generated", async () => {
        const keys = configs.flatMap((text) => keysOf(text).map(([, secret]) => secret));
        const forms = keys.flatMap((secret) => [secret, Buffer.from(secret, "base64").toString("hex")]);
        const backend = env.PULUMI_BACKEND_URL.replace(/^file:\/\//, "");
        const files = filesUnder(path.join(backend, ".pulumi"));
        assert.ok(files.some((file) => file.endsWith("encryption.json")));
        let hits = 0;
        for (const file of files) {
            const text = readFileSync(file, "utf8");
            hits += forms.filter((form) => text.includes(form)).length;
        }
        assert.strictEqual(hits, 0, "generated keys found in the state files");
    });

    it("5. destroy leaves nothing", async () => {
        const result = await stack.destroy();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { delete: 6 });
    });
});
