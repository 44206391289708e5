// The small program the end-to-end tests drive: one three-slot key pair and one two-slot password on one date.
import * as pulumi from "@pulumi/pulumi";
import { RotatingKeyPair } from "../../../components/keys/rotatingKeyPair";
import { RotatingPassword } from "../../../components/passwords/rotatingPassword";
import { ELASTICACHE_TOKEN } from "../../../components/aws/rules";

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

export const signerSlots = signer.slots.map((slot) => ({
    publicKeyPem: slot.publicKeyPem,
    fingerprint: slot.fingerprint,
    rotatedDate: slot.rotatedDate,
}));
export const signerRoles = {
    primary: signer.primary.fingerprint,
    previous: signer.previous.fingerprint,
    next: signer.next.fingerprint,
};
export const signerPrivateKeys = pulumi.all(signer.slots.map((slot) => slot.privateKeyPem));
export const dbPasswords = pulumi.all(db.slots.map((slot) => slot.value));
export const dbPrimary = db.primary.value;
export const cacheTokens = pulumi.all(cache.slots.map((slot) => slot.value));
