// The small program the end-to-end tests drive: one three-slot key pair and one two-slot password on one date.
import * as pulumi from "@pulumi/pulumi";
import { RotatingKeyPair } from "../../../components/keys/rotatingKeyPair";
import { RotatingPassword } from "../../../components/passwords/rotatingPassword";

const config = new pulumi.Config("e2e");
const rotation = {
    rotatedDate: config.require("rotatedDate"),
    minRotationInterval: config.get("minRotationInterval") ?? "1d",
    configPath: "e2e:rotatedDate",
};

const signer = new RotatingKeyPair("signer", { ...rotation, algorithm: "ECDSA-P256" });
const db = new RotatingPassword("db", rotation);

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
