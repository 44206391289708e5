// The example program's config sections: each names a component, the schema of its settings, and how to build it.
// `docs/config.md`-style reference in the README is written from these schemas.

import * as pulumi from "@pulumi/pulumi";
import { KEY_ALGORITHMS, RotatingKeyPair } from "../components/keys/rotatingKeyPair";
import { RotatingPassword } from "../components/passwords/rotatingPassword";
import { SectionSchema } from "./schema";

export interface Section<T> {
    /** The component the section builds. */
    component: string;
    schema: SectionSchema;
    /** `path` is the section's config key, such as `keyshift:signingKeys`. */
    build(name: string, settings: T, path: string): Record<string, unknown>;
}

const rotation = {
    rotatedDate: {
        type: "date",
        required: true,
        doc: "the rotation date; a later date rotates once, the date before the last rotation rolls back",
    },
    minRotationInterval: { type: "interval", doc: "least time between two rotations (default 1d)" },
} as const;

interface SigningKeysSettings {
    rotatedDate: string;
    minRotationInterval?: string;
    algorithm?: (typeof KEY_ALGORITHMS)[number];
}

interface PasswordSettings {
    rotatedDate: string;
    minRotationInterval?: string;
    length?: number;
    special?: string;
}

function describeKey(slot: { fingerprint: pulumi.Output<string>; rotatedDate: pulumi.Output<string> }) {
    return { fingerprint: slot.fingerprint, rotatedDate: slot.rotatedDate };
}

export const SECTIONS: Record<string, Section<never>> = {
    signingKeys: {
        component: "RotatingKeyPair",
        schema: {
            ...rotation,
            algorithm: { type: "string", oneOf: KEY_ALGORITHMS, doc: "key algorithm (default RSA-2048)" },
        },
        build(name, settings: SigningKeysSettings, path) {
            const keys = new RotatingKeyPair(name, { ...settings, configPath: `${path}.rotatedDate` });
            return {
                ledger: keys.ledger,
                primary: describeKey(keys.primary),
                previous: describeKey(keys.previous),
                next: describeKey(keys.next),
                trustedPublicKeys: keys.trustedPublicKeys,
                primaryPrivateKeyPem: keys.primary.privateKeyPem,
            };
        },
    },
    appPassword: {
        component: "RotatingPassword",
        schema: {
            ...rotation,
            length: { type: "number", doc: "password length (default 32)" },
            special: { type: "string", doc: "special characters allowed (default none: alphanumeric)" },
        },
        build(name, settings: PasswordSettings, path) {
            const password = new RotatingPassword(name, {
                ...settings,
                configPath: `${path}.rotatedDate`,
                rulesPath: path,
            });
            return {
                ledger: password.ledger,
                primary: { value: password.primary.value, rotatedDate: password.primary.rotatedDate },
                previous: { value: password.previous.value, rotatedDate: password.previous.rotatedDate },
            };
        },
    },
} as Record<string, Section<never>>;
