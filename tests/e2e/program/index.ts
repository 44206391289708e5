// The small program the end-to-end tests drive: one three-slot key pair and one two-slot password on one date.
// A function, so that the tests run it inline through the Automation API; `pulumi up` in this folder runs it too.
import * as pulumi from "@pulumi/pulumi";
import { RotatingKeyPair } from "../../../components/keys/rotatingKeyPair";
import { RotatingPassword } from "../../../components/passwords/rotatingPassword";
import { ELASTICACHE_TOKEN } from "../../../components/aws/rules";

export = function e2eProgram(): Record<string, unknown> {
    const config = new pulumi.Config("e2e");
    const rotation = {
        rotatedDate: config.require("rotatedDate"),
        minRotationInterval: config.get("minRotationInterval") ?? "1d",
        configPath: "e2e:rotatedDate",
    };

    const signer = new RotatingKeyPair("signer", { ...rotation, algorithm: "ECDSA-P256" });
    const db = new RotatingPassword("db", rotation);
    // A token under ElastiCache's rules, with every special character AWS allows, so the real random provider's values
    // can be checked against them.
    const cache = new RotatingPassword("cache", {
        ...rotation,
        length: 64,
        special: "!&#$^<>-",
        constraints: ELASTICACHE_TOKEN,
    });

    const signerSlots = signer.slots.map((slot) => ({
        publicKeyPem: slot.publicKeyPem,
        fingerprint: slot.fingerprint,
        rotatedDate: slot.rotatedDate,
    }));
    const signerRoles = {
        primary: signer.primary.fingerprint,
        previous: signer.previous.fingerprint,
        next: signer.next.fingerprint,
    };
    const signerPrivateKeys = pulumi.all(signer.slots.map((slot) => slot.privateKeyPem));
    const dbPasswords = pulumi.all(db.slots.map((slot) => slot.value));
    const dbPrimary = db.primary.value;
    const cacheTokens = pulumi.all(cache.slots.map((slot) => slot.value));
    return { signerSlots, signerRoles, signerPrivateKeys, dbPasswords, dbPrimary, cacheTokens };
};
