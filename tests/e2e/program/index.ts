import * as pulumi from "@pulumi/pulumi";
import { RotatingKeyPair } from "../../../components/keys/rotatingKeyPair";
import { RotatingPassword } from "../../../components/passwords/rotatingPassword";

const config = new pulumi.Config("e2e");
const rotatedDate = config.require("rotatedDate");
const minRotationInterval = config.get("minRotationInterval") ?? "1d";

const signer = new RotatingKeyPair("signer", {
    rotatedDate,
    minRotationInterval,
    algorithm: "ECDSA-P256",
    configPath: "e2e:rotatedDate",
});
const db = new RotatingPassword("db", { rotatedDate, minRotationInterval, configPath: "e2e:rotatedDate" });

export const signerLedger = signer.ledger;
export const signerSlots = signer.slots.map((slot) => ({
    publicKeyPem: slot.publicKeyPem,
    fingerprint: slot.fingerprint,
    rotatedDate: slot.rotatedDate,
}));
export const signerPrimaryPrivateKey = signer.primary.privateKeyPem;
export const signerPrimaryFingerprint = signer.primary.fingerprint;
export const dbPasswords = db.slots.map((slot) => slot.value);
export const dbPrimary = db.primary.value;
