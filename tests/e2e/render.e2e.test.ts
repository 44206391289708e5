import * as assert from "assert";
import { createHash, createPublicKey } from "crypto";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { REPO, changes, createStack, engineEnv } from "./engine";
import { EXAMPLE } from "./programs";
import { manifests, secretValues } from "./manifests";
import { kidFromPublicKeyPem } from "../../components/jwks";

// The example program itself (index.ts) on the real engine, with the Kubernetes provider in renderYamlToDirectory
// mode: the manifests a rotation writes, and the ones it leaves alone.

const STACK = "e2e-render";
const STACK_FILE = path.join(REPO, "stacks", `Pulumi.${STACK}.yaml`);

function stackConfig(renderDir: string, signerDate: string, databaseDate: string, tokenDate = "2026-01-01"): string {
    return [
        "config:",
        "  keyshift:kubernetes:",
        `    renderYamlToDirectory: ${renderDir}`,
        "  keyshift:signingKeys:",
        `    rotatedDate: "${signerDate}"`,
        "    algorithm: ECDSA-P256",
        "    publishToKubernetes: true",
        "  keyshift:database:",
        `    rotatedDate: "${databaseDate}"`,
        "    engine: mysql",
        "    username: shop",
        "    connection: { address: shop.example.internal, port: 3306, dbName: shop }",
        "    publishToKubernetes: true",
        "    namespace: shop",
        "    restartWorkloads: [Deployment/shop/web]",
        "  keyshift:ciToken:",
        `    rotatedDate: "${tokenDate}"`,
        "    namespace: ci",
        "    serviceAccount: deployer",
        "",
    ].join("\n");
}

const digestOf = (text: string) => createHash("sha256").update(text).digest("hex");
const SECRET = "1-manifest/v1-secret-openshift-kube-apiserver-operator-next-bound-service-account-signing-key.yaml";
const CONFIGMAP = "1-manifest/v1-configmap-openshift-config-managed-bound-sa-token-signing-certs.yaml";
const DB_SECRET = "1-manifest/v1-secret-shop-rds-instance-output.yaml";
const DEPLOYMENT = "1-manifest/apps_v1-deployment-shop-web.yaml";
const TOKEN_G1 = "1-manifest/v1-secret-ci-deployer-token-g1.yaml";
const TOKEN_G2 = "1-manifest/v1-secret-ci-deployer-token-g2.yaml";
const TOKEN_G3 = "1-manifest/v1-secret-ci-deployer-token-g3.yaml";
const ALL = [DEPLOYMENT, CONFIGMAP, SECRET, DB_SECRET, TOKEN_G1, TOKEN_G2].sort();

/** Which manifests differ between two renderings. */
function rewritten(before: Map<string, string>, after: Map<string, string>): string[] {
    const files = [...new Set([...before.keys(), ...after.keys()])].sort();
    return files.filter((file) => digestOf(before.get(file) ?? "") !== digestOf(after.get(file) ?? ""));
}

describe("the example program rendering Kubernetes manifests on the real engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    const renderDir = mkdtempSync(path.join(tmpdir(), "keyshift-render-"));

    before(async () => {
        ({ env, cleanup } = engineEnv());
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-01-01", "2026-01-01"));
        stack = await createStack(STACK, EXAMPLE, env);
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

    it("renders each credential's manifests, and a bump rewrites exactly the ones that credential owns", async () => {
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-01-01", "2026-01-01"));
        const first = await stack.up();
        assert.deepStrictEqual(changes(first.summary.resourceChanges), { create: 22 });
        const start = manifests(renderDir);
        assert.deepStrictEqual([...start.keys()].sort(), ALL);
        const outputsStart = await stack.outputs();

        const staged = secretValues(start.get(SECRET)!);
        assert.deepStrictEqual(Object.keys(staged).sort(), ["service-account.key", "service-account.pub"]);
        assert.strictEqual(kidFromPublicKeyPem(staged["service-account.pub"]), outputsStart.signingKeys.value.next.kid);
        assert.ok(
            createPublicKey(staged["service-account.key"]).export({ type: "spki", format: "pem" }).toString() ===
                staged["service-account.pub"],
            "the Secret's private key is the staged public key's pair",
        );
        const db = secretValues(start.get(DB_SECRET)!);
        assert.deepStrictEqual(Object.keys(db).sort(), [
            "database_name",
            "database_password",
            "database_username",
            "rds_instance_address",
            "rds_instance_endpoint",
            "url",
        ]);
        const password = outputsStart.database.value.primary.value;
        assert.ok(db.database_password === password, "the Secret carries the primary password");
        assert.ok(db.url === `mysql://shop:${encodeURIComponent(password)}@shop.example.internal:3306/shop`, "url");
        assert.match(password, /^[A-Za-z0-9]{32}$/, "a generated value satisfies RDS's rules");
        assert.strictEqual(
            parse(start.get(DEPLOYMENT)!).spec.template.metadata.annotations["rotated.keyshift.dev/database"],
            "2026-01-01",
        );

        // Bump the signer alone: its Secret and one ConfigMap entry change; the database's manifests do not.
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-03-01", "2026-01-01"));
        const signerBump = await stack.up();
        assert.deepStrictEqual(changes(signerBump.summary.resourceChanges), { update: 3, replace: 1 });
        const afterSigner = manifests(renderDir);
        assert.deepStrictEqual(rewritten(start, afterSigner), [CONFIGMAP, SECRET]);
        const trustedBefore = parse(start.get(CONFIGMAP)!).data;
        const trustedAfter = parse(afterSigner.get(CONFIGMAP)!).data;
        const changed = Object.keys(trustedAfter).filter((key) => trustedAfter[key] !== trustedBefore[key]);
        assert.strictEqual(changed.length, 1, "exactly the regenerated slot's entry changes");
        const outputsSigner = await stack.outputs();
        assert.strictEqual(outputsSigner.signingKeys.value.primary.kid, outputsStart.signingKeys.value.next.kid);
        assert.strictEqual(kidFromPublicKeyPem(trustedAfter[changed[0]]), outputsSigner.signingKeys.value.next.kid);

        // Bump the database alone: its Secret and the restarted Deployment change.
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-03-01", "2026-02-01"));
        const dbBump = await stack.up();
        assert.deepStrictEqual(changes(dbBump.summary.resourceChanges), { update: 3, replace: 1 });
        const afterDb = manifests(renderDir);
        assert.deepStrictEqual(rewritten(afterSigner, afterDb), [DEPLOYMENT, DB_SECRET]);
        assert.strictEqual(
            parse(afterDb.get(DEPLOYMENT)!).spec.template.metadata.annotations["rotated.keyshift.dev/database"],
            "2026-02-01",
        );
        const outputsDb = await stack.outputs();
        assert.ok(outputsDb.database.value.previous.value === password, "the old password is kept as previous");
        assert.ok(secretValues(afterDb.get(DB_SECRET)!).database_password === outputsDb.database.value.primary.value);

        // The CI token: both slots' service-account-token Secrets; a bump writes the new primary slot's Secret under a
        // new name and removes the one it replaces; the previous token's Secret is untouched.
        const token = parse(afterDb.get(TOKEN_G1)!);
        assert.strictEqual(token.type, "kubernetes.io/service-account-token");
        assert.strictEqual(token.metadata.annotations["kubernetes.io/service-account.name"], "deployer");
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-03-01", "2026-02-01", "2026-02-15"));
        const tokenBump = await stack.up();
        assert.deepStrictEqual(changes(tokenBump.summary.resourceChanges), { update: 1, replace: 1 });
        const afterToken = manifests(renderDir);
        assert.deepStrictEqual(rewritten(afterDb, afterToken), [TOKEN_G2, TOKEN_G3]);
        assert.ok(!afterToken.has(TOKEN_G2) && afterToken.has(TOKEN_G3) && afterToken.has(TOKEN_G1));
        assert.strictEqual(
            parse(afterToken.get(TOKEN_G3)!).metadata.annotations["keyshift.dev/rotated-date"],
            "2026-02-15",
        );

        const again = await stack.up();
        assert.deepStrictEqual(changes(again.summary.resourceChanges), {});
        assert.deepStrictEqual(rewritten(afterToken, manifests(renderDir)), []);
    });
});
