import * as assert from "assert";
import { createHash, createPublicKey } from "crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { REPO, changes, createStack, engineEnv } from "./engine";
import { kidFromPublicKeyPem } from "../../components/jwks";

// The example program itself (index.ts) on the real engine, with the Kubernetes provider in renderYamlToDirectory
// mode: the manifests a rotation writes, and the ones it leaves alone.

const STACK = "e2e-render";
const STACK_FILE = path.join(REPO, "stacks", `Pulumi.${STACK}.yaml`);

function stackConfig(renderDir: string, date: string): string {
    return [
        "config:",
        "  keyshift:kubernetes:",
        `    renderYamlToDirectory: ${renderDir}`,
        "  keyshift:signingKeys:",
        `    rotatedDate: "${date}"`,
        "    algorithm: ECDSA-P256",
        "    publishToKubernetes: true",
        "  keyshift:appPassword:",
        `    rotatedDate: "${date}"`,
        "",
    ].join("\n");
}

function manifests(dir: string): Map<string, string> {
    const files = new Map<string, string>();
    const walk = (at: string) => {
        for (const entry of readdirSync(at, { withFileTypes: true })) {
            const full = path.join(at, entry.name);
            if (entry.isDirectory()) walk(full);
            else files.set(path.relative(dir, full), readFileSync(full, "utf8"));
        }
    };
    if (existsSync(dir)) walk(dir);
    return files;
}

const digestOf = (text: string) => createHash("sha256").update(text).digest("hex");
const SECRET = "1-manifest/v1-secret-openshift-kube-apiserver-operator-next-bound-service-account-signing-key.yaml";
const CONFIGMAP = "1-manifest/v1-configmap-openshift-config-managed-bound-sa-token-signing-certs.yaml";

describe("the example program rendering Kubernetes manifests on the real engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    const renderDir = mkdtempSync(path.join(tmpdir(), "keyshift-render-"));

    before(async () => {
        ({ env, cleanup } = engineEnv());
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-01-01"));
        stack = await createStack(REPO, STACK, env);
    });

    after(async () => {
        try {
            await stack?.destroy();
            await stack?.workspace.removeStack(STACK, { force: true });
        } finally {
            rmSync(STACK_FILE, { force: true });
            rmSync(renderDir, { recursive: true, force: true });
            cleanup?.();
        }
    });

    it("renders the staged-key Secret and trusted-keys ConfigMap, and a bump rewrites exactly those two in place", async () => {
        const first = await stack.up();
        assert.deepStrictEqual(changes(first.summary.resourceChanges), { create: 14 });
        const before = manifests(renderDir);
        assert.deepStrictEqual([...before.keys()].sort(), [CONFIGMAP, SECRET]);
        const outputsBefore = await stack.outputs();
        const secret = parse(before.get(SECRET)!);
        assert.deepStrictEqual(Object.keys(secret.data).sort(), ["service-account.key", "service-account.pub"]);
        const stagedPub = Buffer.from(secret.data["service-account.pub"], "base64").toString();
        assert.strictEqual(kidFromPublicKeyPem(stagedPub), outputsBefore.signingKeys.value.next.fingerprint);
        const stagedKey = Buffer.from(secret.data["service-account.key"], "base64").toString();
        assert.strictEqual(
            createPublicKey(stagedKey).export({ type: "spki", format: "pem" }).toString(),
            stagedPub,
            "the Secret's private key is the staged public key's pair",
        );

        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-03-01"));
        const bumped = await stack.up();
        assert.deepStrictEqual(changes(bumped.summary.resourceChanges), { update: 4, replace: 2 });
        const after = manifests(renderDir);
        assert.deepStrictEqual([...after.keys()].sort(), [CONFIGMAP, SECRET]);
        assert.notStrictEqual(digestOf(after.get(SECRET)!), digestOf(before.get(SECRET)!));
        const trustedBefore = parse(before.get(CONFIGMAP)!).data;
        const trustedAfter = parse(after.get(CONFIGMAP)!).data;
        const changed = Object.keys(trustedAfter).filter((key) => trustedAfter[key] !== trustedBefore[key]);
        assert.strictEqual(changed.length, 1, "exactly the regenerated slot's entry changes");
        const outputsAfter = await stack.outputs();
        assert.strictEqual(
            outputsAfter.signingKeys.value.primary.fingerprint,
            outputsBefore.signingKeys.value.next.fingerprint,
        );
        assert.strictEqual(
            kidFromPublicKeyPem(trustedAfter[changed[0]]),
            outputsAfter.signingKeys.value.next.fingerprint,
        );

        const again = await stack.up();
        assert.deepStrictEqual(changes(again.summary.resourceChanges), {});
        const unchanged = manifests(renderDir);
        assert.deepStrictEqual(
            [...unchanged.entries()].map(([k, v]) => [k, digestOf(v)]),
            [...after.entries()].map(([k, v]) => [k, digestOf(v)]),
        );
    });
});
