import * as assert from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { assertFails, changes, createStack, engineEnv, filesUnder, previewSteps } from "./engine";
import { CertificateAuthorityKeyset } from "../../components/ca/certificateAuthorityKeyset";

// CertificateAuthorityKeyset on the real engine and tls provider: a bump replaces one CA (key and certificate), the
// validity guard refuses at preview a rotation that would leave an expiring CA trusted, and no CA key is in clear.

const DAY = 86_400_000;
const date = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

describe("CertificateAuthorityKeyset on the real Pulumi engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    const keys: string[] = [];

    before(async () => {
        ({ env, cleanup } = engineEnv());
        stack = await createStack(
            "ca",
            {
                workDir: path.join(__dirname, "program"),
                program: async () => {
                    // CAs valid for two days, so the guard is reachable with dates around today.
                    const ca = new CertificateAuthorityKeyset("ca", {
                        rotatedDate: new pulumi.Config("e2e").require("rotatedDate"),
                        configPath: "e2e:rotatedDate",
                        minRotationInterval: "1d",
                        validityPeriodHours: 48,
                        algorithm: "ECDSA-P256",
                    });
                    return { bundle: ca.trustBundle, keys: pulumi.all(ca.slots.map((slot) => slot.privateKeyPem)) };
                },
            },
            env,
        );
        await stack.setConfig("e2e:rotatedDate", { value: date(-10) });
    });

    after(async () => {
        try {
            await stack?.destroy().catch(() => undefined);
            await stack?.workspace.removeStack("ca", { force: true });
        } finally {
            cleanup?.();
        }
    });

    it("1. up creates three CA keys and certificates; the bundle holds all three", async () => {
        const result = await stack.up();
        assert.deepStrictEqual(changes(result.summary.resourceChanges), { create: 9 });
        const outputs = await stack.outputs();
        keys.push(...outputs.keys.value);
        assert.strictEqual(outputs.keys.secret, true);
        assert.strictEqual((outputs.bundle.value.match(/BEGIN CERTIFICATE/g) ?? []).length, 3);
    });

    it("2. a rotation that would leave a CA trusted past its expiry is refused at preview, naming the date", async () => {
        await stack.setConfig("e2e:rotatedDate", { value: date(5) });
        await assertFails(
            stack.preview(),
            /e2e:rotatedDate = "\d{4}-\d\d-\d\d": the CA certificate generated for \d{4}-\d\d-\d\d \(generation \d\) stays trusted but expires on .*, before the next rotation is allowed/,
        );
    });

    it("3. a rotation within the CAs' validity replaces exactly one CA, key and certificate", async () => {
        await stack.setConfig("e2e:rotatedDate", { value: date(-5) });
        const { steps } = await previewSteps(stack);
        assert.deepStrictEqual(steps.map((step) => `${step.op} ${step.name}`).sort(), [
            "replace ca-slot2",
            "replace ca-slot2-cert",
            "update ca-ledger",
        ]);
        await stack.up();
        keys.push(...(await stack.outputs()).keys.value);
    });

    it("4. the checkpoint holds no CA private key in clear", async () => {
        const bodies = keys.map((pem) =>
            pem
                .replace(/-----[^-]+-----/g, "")
                .replace(/\s+/g, "")
                .slice(0, 40),
        );
        const backend = env.PULUMI_BACKEND_URL.replace(/^file:\/\//, "");
        let hits = 0;
        for (const file of filesUnder(path.join(backend, ".pulumi"))) {
            const text = readFileSync(file, "utf8").replace(/\\n/g, "");
            hits += bodies.filter((body) => text.includes(body)).length;
        }
        assert.strictEqual(hits, 0, "CA private keys found in the state files");
    });
});
