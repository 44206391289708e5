import * as assert from "assert";
import { X509Certificate } from "crypto";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { REPO, assertFails, createStack, engineEnv } from "./engine";
import { EXAMPLE } from "./programs";
import { manifests, secretValues } from "./manifests";

// The example program's cluster sections on the real engine (tls and random providers), the Kubernetes provider
// rendering manifests: a CA-signed TLS Secret, Cilium's IPsec key Secret and a registry pull Secret, each rewritten
// exactly when its own credential (or, for the TLS Secret, its signing CA) rotates.

const STACK = "e2e-render-cluster";
const STACK_FILE = path.join(REPO, "stacks", `Pulumi.${STACK}.yaml`);
const TLS = "1-manifest/v1-secret-ingress-ingress-tls.yaml";
const IPSEC = "1-manifest/v1-secret-kube-system-cilium-ipsec-keys.yaml";
const REGISTRY = "1-manifest/v1-secret-shop-registry-pull.yaml";

function stackConfig(
    renderDir: string,
    dates: { ca: string; tls: string; ipsec: string; registry: string },
    server = "registry.example.com:5000",
): string {
    return [
        "config:",
        "  keyshift:kubernetes:",
        `    renderYamlToDirectory: ${renderDir}`,
        `  keyshift:clusterCa: { rotatedDate: "${dates.ca}", algorithm: ECDSA-P256, minRotationInterval: 1d }`,
        `  keyshift:ingressTls: { rotatedDate: "${dates.tls}", secretName: ingress-tls, namespace: ingress, dnsNames: [shop.example.com], signedByClusterCa: true }`,
        `  keyshift:ciliumIpsec: { rotatedDate: "${dates.ipsec}" }`,
        `  keyshift:registry: { rotatedDate: "${dates.registry}", secretName: registry-pull, namespace: shop, server: "${server}", username: puller }`,
        "",
    ].join("\n");
}

const changed = (before: Map<string, string>, after: Map<string, string>) =>
    [...new Set([...before.keys(), ...after.keys()])].filter((file) => before.get(file) !== after.get(file)).sort();

describe("the example program's cluster sections rendering manifests on the real engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    const renderDir = mkdtempSync(path.join(tmpdir(), "keyshift-render-cluster-"));
    const dates = { ca: "2026-01-01", tls: "2026-01-01", ipsec: "2026-01-01", registry: "2026-01-01" };
    let previous: Map<string, string>;

    async function upWith(change: Partial<typeof dates>): Promise<Map<string, string>> {
        Object.assign(dates, change);
        writeFileSync(STACK_FILE, stackConfig(renderDir, dates));
        await stack.up();
        return manifests(renderDir);
    }

    before(async () => {
        ({ env, cleanup } = engineEnv());
        writeFileSync(STACK_FILE, stackConfig(renderDir, dates));
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

    it("renders a CA-signed kubernetes.io/tls Secret, Cilium's key line and a dockerconfigjson", async () => {
        previous = await upWith({});
        const outputs = await stack.outputs();
        const tls = parse(previous.get(TLS)!);
        assert.strictEqual(tls.type, "kubernetes.io/tls");
        const chain = secretValues(previous.get(TLS)!)["tls.crt"];
        const [leafPem, caPem] = chain.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)!;
        const leaf = new X509Certificate(leafPem);
        assert.ok(leaf.verify(new X509Certificate(caPem).publicKey), "tls.crt: the leaf, then the CA that signed it");
        assert.ok(outputs.clusterCa.value.trustBundle.includes(caPem), "the signing CA is in the trust bundle");
        assert.strictEqual(leaf.subjectAltName, "DNS:shop.example.com");

        assert.match(secretValues(previous.get(IPSEC)!).keys, /^1\+ rfc4106\(gcm\(aes\)\) [0-9a-f]{40} 128$/);
        assert.strictEqual(outputs.ciliumIpsec.value.primary.spi, 1);

        const registry = parse(previous.get(REGISTRY)!);
        assert.strictEqual(registry.type, "kubernetes.io/dockerconfigjson");
        const auths = JSON.parse(secretValues(previous.get(REGISTRY)!)[".dockerconfigjson"]).auths;
        assert.strictEqual(auths["registry.example.com:5000"].password, outputs.registry.value.primary.value);
    });

    it("a bump of Cilium's key rewrites its Secret alone, with the next key id", async () => {
        const after = await upWith({ ipsec: "2026-02-01" });
        assert.deepStrictEqual(changed(previous, after), [IPSEC]);
        assert.match(secretValues(after.get(IPSEC)!).keys, /^3\+ rfc4106\(gcm\(aes\)\) [0-9a-f]{40} 128$/);
        previous = after;
    });

    it("a bump of the CA re-issues the TLS Secret's certificate for the same key; a registry bump rewrites its Secret alone", async () => {
        const keyBefore = secretValues(previous.get(TLS)!)["tls.key"];
        const afterCa = await upWith({ ca: "2026-02-01" });
        assert.deepStrictEqual(changed(previous, afterCa), [TLS]);
        assert.strictEqual(secretValues(afterCa.get(TLS)!)["tls.key"], keyBefore, "same key, new certificate");
        const afterRegistry = await upWith({ registry: "2026-02-01" });
        assert.deepStrictEqual(changed(afterCa, afterRegistry), [REGISTRY]);
        previous = afterRegistry;
    });

    it("a bad value in a later section stops `up` before any resource registers: an earlier section's bump waits", async () => {
        const before = await stack.exportStack();
        writeFileSync(
            STACK_FILE,
            stackConfig(renderDir, { ...dates, ipsec: "2026-03-01" }, "https://registry.example.com"),
        );
        await assertFails(
            stack.up(),
            /keyshift:registry.server: "https:\/\/registry.example.com" is not a registry host name/,
        );
        assert.deepStrictEqual(changed(previous, manifests(renderDir)), [], "no manifest rewritten or removed");
        const ledgers = (state: typeof before) =>
            (state.deployment.resources as { type: string; outputs?: { ledger?: unknown } }[])
                .filter((resource) => resource.type.endsWith(":SlotLedger"))
                .map((resource) => JSON.stringify(resource.outputs?.ledger));
        assert.deepStrictEqual(ledgers(await stack.exportStack()), ledgers(before), "no ledger moved");
        writeFileSync(STACK_FILE, stackConfig(renderDir, dates));
    });

    it("a rollback of Cilium's key is refused by the ledger in `up` itself, and nothing changes: the Secret stays", async () => {
        Object.assign(dates, { ipsec: "2026-01-01" });
        writeFileSync(STACK_FILE, stackConfig(renderDir, dates));
        await assertFails(
            stack.up(),
            /keyshift:ciliumIpsec.rotatedDate = "2026-01-01" rolls back to the previous key, but Cilium's key ids only go forward/,
        );
        assert.deepStrictEqual(changed(previous, manifests(renderDir)), [], "no manifest rewritten or removed");
        const state = (await stack.exportStack()).deployment.resources as { urn: string }[];
        assert.ok(
            state.some((resource) => resource.urn.endsWith("::ciliumIpsec-secret")),
            "the Secret is still in the state",
        );
        Object.assign(dates, { ipsec: "2026-02-01" });
    });
});
