// The small program the end-to-end tests drive: one three-slot key pair and two two-slot passwords on one date, with
// the settings (`e2e:algorithm`, `e2e:length`) and `e2e:compromised` a test may change.
// A function, so that the tests run it inline through the Automation API; `pulumi up` in this folder runs it too.
import * as pulumi from "@pulumi/pulumi";
import { KeyAlgorithm, RotatingKeyPair } from "../../../components/keys/rotatingKeyPair";
import { RotatingPassword } from "../../../components/passwords/rotatingPassword";
import { ELASTICACHE_TOKEN } from "../../../components/aws/rules";
import { holdSlots } from "./interrupt";

export = function e2eProgram(): Record<string, unknown> {
    const config = new pulumi.Config("e2e");
    if (config.getBoolean("interruptBeforeSlots") && !pulumi.runtime.isDryRun()) {
        pulumi.runtime.registerResourceTransform(holdSlots());
    }
    const compromised = config.get("compromised");
    const rotation = {
        rotatedDate: config.require("rotatedDate"),
        minRotationInterval: config.get("minRotationInterval") ?? "1d",
        compromised: compromised === "true" ? true : compromised,
        configPath: "e2e:rotatedDate",
    };

    const signer = new RotatingKeyPair("signer", {
        ...rotation,
        algorithm: (config.get("algorithm") ?? "ECDSA-P256") as KeyAlgorithm,
    });
    const db = new RotatingPassword("db", { ...rotation, length: config.getNumber("length") });
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
        kid: slot.kid,
        rotatedDate: slot.rotatedDate,
        algorithm: slot.algorithm,
    }));
    const signerRoles = {
        primary: signer.primary.kid,
        previous: signer.previous.kid,
        next: signer.next.kid,
    };
    const signerPrivateKeys = pulumi.all(signer.slots.map((slot) => slot.privateKeyPem));
    const dbPasswords = pulumi.all(db.slots.map((slot) => slot.value));
    const dbPrimary = db.primary.value;
    const dbPrevious = db.previous.value;
    const signerTrusted = signer.trustedPublicKeys;
    const cacheTokens = pulumi.all(cache.slots.map((slot) => slot.value));
    return {
        signerSlots,
        signerRoles,
        signerTrusted,
        signerPrivateKeys,
        dbPasswords,
        dbPrimary,
        dbPrevious,
        cacheTokens,
    };
};
