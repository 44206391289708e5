import * as assert from "assert";
import { generateKeyPairSync } from "crypto";
import { Stack } from "@pulumi/pulumi/automation";
import { assertFails, changes, createStack, engineEnv } from "../e2e/engine";
import { CLUSTER } from "../e2e/programs";
import { registerSecrets } from "../redact";
import { SignerFiles, TestCluster, kubeBinaries } from "./cluster";

// EncryptionConfigKeys against a real kube-apiserver: the API server runs with keyshift's EncryptionConfiguration, and
// etcd, read past the API, says which key encrypted each Secret. A bump is loaded by restarting the API server (what
// a node does without automatic reload; with it, the server reloads the file within a minute).

interface EncryptionState {
    config: string;
    configHash: string;
    names: { primary: string; next: string; previous: string };
}

const D1 = "2026-01-01";
const D2 = "2026-02-01";
const D3 = "2026-03-01";
const SECRETS = "/registry/secrets/default/";

describe("EncryptionConfigKeys on a real Kubernetes API server", function () {
    this.timeout(900_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    let cluster: TestCluster | undefined;
    const states: Record<string, EncryptionState> = {};
    // The API server also needs a service-account signer; this suite does not rotate it.
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const signer: SignerFiles = {
        signingKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        trustedPublicKeys: [publicKey.export({ type: "spki", format: "pem" }).toString()],
    };

    async function keys(date: string, rewrittenDate?: string): Promise<EncryptionState> {
        await stack.setConfig("cluster:rotatedDate", { value: date });
        if (rewrittenDate) await stack.setConfig("cluster:rewrittenDate", { value: rewrittenDate });
        await stack.up();
        const outputs = await stack.outputs();
        registerSecrets(outputs.config.value);
        return { config: outputs.config.value, configHash: outputs.configHash.value, names: outputs.names.value };
    }

    /** The key name each Secret in `default` is stored under, from the prefix of its raw value in etcd. */
    async function storedKeys(): Promise<Record<string, string>> {
        const stored: Record<string, string> = {};
        for (const [key, value] of await cluster!.etcdValues(SECRETS)) {
            const prefix = /^k8s:enc:secretbox:v1:([^:]+):/.exec(value.subarray(0, 64).toString("latin1"));
            stored[key.slice(SECRETS.length)] = prefix ? prefix[1] : "not encrypted";
        }
        return stored;
    }

    async function createSecret(name: string): Promise<void> {
        const created = await cluster!.request("POST", "/api/v1/namespaces/default/secrets", {
            metadata: { name },
            stringData: { value: `data of ${name}` },
        });
        assert.strictEqual(created.status, 201, JSON.stringify(created.body));
    }

    /** Every Secret reads back through the API with the data it was written with. */
    async function assertAllRead(names: string[]): Promise<void> {
        for (const name of names) {
            const read = await cluster!.request("GET", `/api/v1/namespaces/default/secrets/${name}`);
            assert.strictEqual(read.status, 200, `${name}: ${JSON.stringify(read.body)}`);
            assert.strictEqual(Buffer.from(read.body.data.value, "base64").toString(), `data of ${name}`);
        }
    }

    /** The documented rewrite (`kubectl get secrets -A -o json | kubectl replace -f -`): every Secret written again. */
    async function rewriteAll(): Promise<void> {
        const list = await cluster!.request("GET", "/api/v1/secrets");
        for (const item of list.body.items) {
            const { namespace, name } = item.metadata;
            const replaced = await cluster!.request("PUT", `/api/v1/namespaces/${namespace}/secrets/${name}`, item);
            assert.strictEqual(replaced.status, 200, JSON.stringify(replaced.body));
        }
    }

    async function loadedHash(): Promise<string | undefined> {
        const line = (await cluster!.metrics())
            .split("\n")
            .find((l) => l.startsWith("apiserver_encryption_config_controller_last_config_info{"));
        return line ? /[{,]hash="([^"]+)"/.exec(line)?.[1] : undefined;
    }

    before(async () => {
        kubeBinaries();
        ({ env, cleanup } = engineEnv());
        stack = await createStack("encryption", CLUSTER, env);
        await stack.setConfig("cluster:part", { value: "encryption" });
    });

    after(async () => {
        try {
            await cluster?.stop();
            if (stack) {
                await stack.destroy().catch(() => undefined);
                await stack.workspace.removeStack("encryption", { force: true });
            }
        } finally {
            cleanup?.();
        }
    });

    it("1. D1: a Secret is stored encrypted with the primary key, and the API server reports keyshift's configHash", async () => {
        states.d1 = await keys(D1);
        assert.strictEqual(states.d1.names.primary, "key-1");
        cluster = await TestCluster.start(signer, { encryptionConfig: states.d1.config });
        await createSecret("s1");
        assert.deepStrictEqual(await storedKeys(), { s1: "key-1" });
        assert.strictEqual(await loadedHash(), states.d1.configHash);
        await assertAllRead(["s1"]);
    });

    it("2. D2: the old Secret still reads, new writes use the promoted key, and after the rewrite every Secret does", async () => {
        states.d2 = await keys(D2);
        // The key that now writes was staged at D1, so every server already had it.
        assert.strictEqual(states.d2.names.primary, states.d1.names.next);
        assert.strictEqual(states.d2.names.previous, "key-1");
        await cluster!.restart(signer, { encryptionConfig: states.d2.config });
        assert.strictEqual(await loadedHash(), states.d2.configHash);
        await assertAllRead(["s1"]);
        await createSecret("s2");
        assert.deepStrictEqual(await storedKeys(), { s1: "key-1", s2: "key-2" });
        await rewriteAll();
        assert.deepStrictEqual(await storedKeys(), { s1: "key-2", s2: "key-2" });
    });

    it("3. D3: refused until the rewrite is recorded; then the D1 key leaves the file and every Secret still reads", async () => {
        await stack.setConfig("cluster:rotatedDate", { value: D3 });
        await assertFails(
            stack.preview(),
            /cluster:rotatedDate = "2026-03-01" would drop the key of generation 1 \(generated for 2026-01-01\), which holds data no recorded rewrite has moved, and cluster:rewrittenDate is not set/,
        );
        states.d3 = await keys(D3, D2);
        assert.ok(!states.d3.config.includes("name: key-1\n"), "key-1 left the file");
        assert.deepStrictEqual(states.d3.names, { primary: "key-4", previous: "key-2", next: "key-5" });
        await cluster!.restart(signer, { encryptionConfig: states.d3.config });
        assert.strictEqual(await loadedHash(), states.d3.configHash);
        await assertAllRead(["s1", "s2"]);
        await createSecret("s3");
        assert.deepStrictEqual(await storedKeys(), { s1: "key-2", s2: "key-2", s3: "key-4" });
    });

    it("4. a rollback to D2 regenerates nothing, and every Secret still reads, the one written at D3 included", async () => {
        await stack.setConfig("cluster:rotatedDate", { value: D2 });
        const result = await stack.up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { update: 1 });
        const outputs = await stack.outputs();
        assert.deepStrictEqual(outputs.names.value, { primary: "key-2", previous: "key-5", next: "key-4" });
        await cluster!.restart(signer, { encryptionConfig: outputs.config.value });
        assert.strictEqual(await loadedHash(), outputs.configHash.value);
        await assertAllRead(["s1", "s2", "s3"]);
        await createSecret("s4");
        assert.strictEqual((await storedKeys()).s4, "key-2");
    });
});
