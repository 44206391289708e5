// What every section of the example program shares: the section shape, the rotation keys every credential section
// has, and the readers of settings several sections use.

import * as k8s from "@pulumi/kubernetes";
import { CertificateAuthorityKeyset, ServiceAccountSigningKeys, WorkloadRef } from "../components";
import { ConfigError, SectionSchema } from "./schema";

/** What earlier sections made, for later ones. */
export interface BuildContext {
    kubernetes?: k8s.Provider;
    signer?: ServiceAccountSigningKeys;
    clusterCa?: CertificateAuthorityKeyset;
}

export interface Section<T> {
    /** The component the section builds. */
    component: string;
    schema: SectionSchema;
    /** The component arguments the section fills from config keys of other names: argument path → config key. */
    argKeys?: Record<string, string>;
    /** `path` is the section's config key, such as `keyshift:signingKeys`. */
    build(name: string, settings: T, path: string, context: BuildContext): Record<string, unknown>;
}

export const rotation = {
    rotatedDate: {
        type: "string",
        required: true,
        doc: "the rotation date; a later date rotates once, the date before the last rotation rolls back",
    },
    minRotationInterval: { type: "duration", doc: "least time between two routine rotations (default 1d)" },
    compromised: {
        type: "boolean-or-string",
        doc: "the credential in use was exposed: true, or the date of the emergency rotation, with a new rotatedDate",
    },
} as const;

/** The rotation settings every credential section has, as its component takes them. */
export interface RotationSettings {
    rotatedDate: string;
    minRotationInterval?: string;
    compromised?: boolean | string;
}

/** A section's rotation settings as component args; `path` names the section, so errors name its keys. */
export function rotationArgs(settings: RotationSettings, path: string) {
    return {
        rotatedDate: settings.rotatedDate,
        minRotationInterval: settings.minRotationInterval,
        compromised: settings.compromised,
        configPath: path,
    };
}

export function requireFrom<T>(value: T | undefined, path: string, needed: string): T {
    if (value === undefined) {
        throw new ConfigError(`${path}: needs ${needed} to be configured too`);
    }
    return value;
}

export interface ApplicationSecretSettings {
    publishToKubernetes?: boolean;
    secretName?: string;
    namespace?: string;
    restartWorkloads?: string[];
}

export const applicationSecret = {
    publishToKubernetes: { type: "boolean", doc: "publish the Secret applications read, with keyshift:kubernetes" },
    secretName: { type: "string", doc: "name of that Secret" },
    namespace: { type: "string", doc: "namespace of that Secret" },
    restartWorkloads: {
        type: "string-list",
        doc: "workloads to restart on rotation, each Kind/namespace/name (Deployment, StatefulSet, DaemonSet)",
    },
} as const;

/** Parses `Kind/namespace/name` workload references. */
export function parseWorkloads(values: string[] | undefined, path: string): WorkloadRef[] {
    return (values ?? []).map((value, index) => {
        const parts = value.split("/");
        if (parts.length !== 3 || !["Deployment", "StatefulSet", "DaemonSet"].includes(parts[0])) {
            throw new ConfigError(
                `${path}.restartWorkloads[${index}]: ${JSON.stringify(value)} is not Kind/namespace/name with Kind Deployment, StatefulSet or DaemonSet`,
            );
        }
        return { kind: parts[0] as WorkloadRef["kind"], namespace: parts[1], name: parts[2] };
    });
}
