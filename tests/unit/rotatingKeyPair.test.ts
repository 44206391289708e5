import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { createPublicKey, createPrivateKey } from "crypto";
import { Harness, LEDGER_TYPE, valueOf } from "./harness";
import { RotatingKeyPair } from "../../components/keys/rotatingKeyPair";
import { kidFromPublicKeyPem } from "../../components/jwks";

const TLS = "tls:index/privateKey:PrivateKey";

async function snapshot(keys: RotatingKeyPair) {
    const role = async (slot: RotatingKeyPair["primary"]) => ({
        publicKeyPem: await valueOf(slot.publicKeyPem),
        privateKeyPem: await valueOf(slot.privateKeyPem),
        rotatedDate: await valueOf(slot.rotatedDate),
        kid: await valueOf(slot.kid),
    });
    return {
        primary: await role(keys.primary),
        previous: await role(keys.previous),
        next: await role(keys.next),
        trusted: await valueOf(keys.trustedPublicKeys),
        ledger: await valueOf(keys.ledger),
    };
}

describe("RotatingKeyPair", () => {
    it("creates a ledger and three tls keys named by slot, with the algorithm's inputs", async () => {
        const harness = new Harness();
        await harness.newRun();
        const keys = new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", algorithm: "RSA-3072" });
        await snapshot(keys);
        assert.deepStrictEqual(
            harness.byType(TLS).map((r) => r.name),
            ["signer-slot0", "signer-slot1", "signer-slot2"],
        );
        for (const key of harness.byType(TLS)) {
            assert.deepStrictEqual(key.inputs, { algorithm: "RSA", rsaBits: 3072 });
        }
        const ledger = harness.byType(LEDGER_TYPE);
        assert.strictEqual(ledger.length, 1);
        assert.deepStrictEqual(
            { ...ledger[0].inputs },
            {
                request: {
                    rotatedDate: "2026-01-01",
                    minRotationInterval: "1d",
                    slotCount: 3,
                    staged: 1,
                    label: "signer.rotatedDate",
                    settings: { algorithm: "RSA-3072" },
                },
            },
        );
    });

    it("marks every private key output secret and public keys not secret", async () => {
        const harness = new Harness();
        await harness.newRun();
        const keys = new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", algorithm: "ECDSA-P256" });
        for (const slot of [...keys.slots, keys.primary, keys.previous, keys.next]) {
            assert.strictEqual(await pulumi.isSecret(slot.privateKeyPem), true);
            assert.strictEqual(await pulumi.isSecret(slot.publicKeyPem), false);
        }
        const pem = await valueOf(keys.primary.privateKeyPem);
        const derived = createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "pem" }).toString();
        assert.strictEqual(derived, await valueOf(keys.primary.publicKeyPem));
    });

    it("on a bump regenerates one key into next and keeps previous and primary byte for byte", async () => {
        const harness = new Harness();
        await harness.newRun();
        const before = await snapshot(
            new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", algorithm: "ECDSA-P256" }),
        );
        assert.strictEqual(harness.generatedThisRun, 3);

        await harness.newRun();
        const same = await snapshot(
            new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", algorithm: "ECDSA-P256" }),
        );
        assert.deepStrictEqual(same, before, "the same date changes nothing");
        assert.strictEqual(harness.generatedThisRun, 0);

        await harness.newRun();
        const after = await snapshot(
            new RotatingKeyPair("signer", { rotatedDate: "2026-04-01", algorithm: "ECDSA-P256" }),
        );
        assert.strictEqual(harness.generatedThisRun, 1);
        assert.deepStrictEqual(after.previous, before.primary);
        assert.deepStrictEqual(after.primary, before.next);
        assert.strictEqual(after.next.rotatedDate, "2026-04-01");
        assert.ok(
            ![before.primary, before.previous, before.next].some((k) => k.publicKeyPem === after.next.publicKeyPem),
        );
        assert.deepStrictEqual(after.trusted, [
            after.primary.publicKeyPem,
            after.previous.publicKeyPem,
            after.next.publicKeyPem,
        ]);
        assert.strictEqual(after.primary.kid, kidFromPublicKeyPem(after.primary.publicKeyPem));

        await harness.newRun();
        const rolledBack = await snapshot(
            new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", algorithm: "ECDSA-P256" }),
        );
        assert.strictEqual(harness.generatedThisRun, 0, "a rollback regenerates nothing");
        assert.deepStrictEqual(rolledBack.primary, before.primary);
        assert.deepStrictEqual(new Set(rolledBack.trusted), new Set(after.trusted));
    });

    it("refuses a bad algorithm and a malformed date before creating anything", async () => {
        const harness = new Harness();
        await harness.newRun();
        assert.throws(
            () => new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", algorithm: "DSA-1024" as never }),
            (error: any) =>
                pulumi.InputPropertyError.isInstance(error) &&
                error.propertyPath === "signer.algorithm" &&
                /"DSA-1024" is not supported: use one of RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384/.test(
                    error.reason,
                ),
        );
        assert.throws(
            () =>
                new RotatingKeyPair("signer", { rotatedDate: "21/11/2026", configPath: "keyshift:signer.rotatedDate" }),
            (error: any) =>
                error.propertyPath === "keyshift:signer.rotatedDate" &&
                /"21\/11\/2026" is not a date/.test(error.reason),
        );
        assert.throws(
            () => new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", minRotationInterval: "1 month" }),
            (error: any) =>
                error.propertyPath === "signer.minRotationInterval" && /"1 month" is not a duration/.test(error.reason),
        );
        assert.throws(
            () => new RotatingKeyPair("signer", { rotatedDate: "2026-01-01", algoritm: "ECDSA-P256" } as never),
            (error: any) =>
                error.propertyPath === "signer.algoritm" &&
                error.reason ===
                    "not an argument of RotatingKeyPair (it takes rotatedDate, minRotationInterval, configPath, compromised, algorithm)",
        );
    });
});
