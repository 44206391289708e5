import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RotatingPassword } from "../passwords/rotatingPassword";
import { configKey } from "../ring/ring";
import { RotationArgs } from "../ring/slots";
import {
    argError,
    checkKnownArgs,
    checkNamespace,
    checkObjectName,
    checkRotationDate,
    isDeferred,
    ROTATION_ARGS,
} from "../validation";
import { restartReaders, secretMutableRequirement, whenSecretMutable } from "./credentialSecret";
import { WorkloadRef } from "./workloadRestarts";

/** A credential someone else rotates, such as another keyshift component's `primary`. */
export interface ExternalCredential {
    /** The password or token. */
    value: pulumi.Input<string>;
    /** Its rotation date: readers restart when it changes. */
    rotatedDate: pulumi.Input<string>;
}

/**
 * Arguments of RegistryCredentialSecret. Without `credential`, the component keeps its own two-slot password ring
 * from `rotatedDate` (and `length`, default 32, alphanumeric).
 */
export interface RegistryCredentialSecretArgs extends Partial<RotationArgs> {
    /** The cluster's Kubernetes provider, with `enableSecretMutable: true`; refused at preview otherwise. */
    provider: k8s.Provider;
    /** The Secret's name (what pods list in `imagePullSecrets`). */
    name: string;
    /** The Secret's namespace; default the provider's namespace. A DNS-1123 label, refused at preview otherwise. */
    namespace?: string;
    /** The registry's host name, with an optional port: `registry.example.com`, `ghcr.io`, `localhost:5000`. */
    server: string;
    /** The user name the registry knows; required, refused at preview when empty. */
    username: string;
    /** The password or token, when another component rotates it. */
    credential?: ExternalCredential;
    /** Length of the password keyshift generates when no `credential` is given. Default 32. */
    length?: number;
    /** Workloads that pull with the Secret, restarted after it changes. */
    restartWorkloads?: WorkloadRef[];
}

const HOST = /^(?=.{1,253}(:|$))[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:\d{1,5})?$/i;

/** Whether `server` is a host name with an optional port, as image references name registries. */
export function isRegistryHost(server: string): boolean {
    const port = /:(\d+)$/.exec(server)?.[1];
    return HOST.test(server) && (port === undefined || (Number(port) > 0 && Number(port) < 65536));
}

/** The `.dockerconfigjson` document for one registry: what kubelet reads for `imagePullSecrets`. */
export function dockerConfigJson(server: string, username: string, password: string): string {
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    provider: true,
    name: true,
    namespace: true,
    server: true,
    username: true,
    credential: true,
    length: true,
    restartWorkloads: true,
} as const satisfies Record<keyof RegistryCredentialSecretArgs, boolean>;

/**
 * A `kubernetes.io/dockerconfigjson` Secret whose password comes from a two-slot ring (or from a credential another
 * component rotates), re-published in place on a bump, with the workloads that pull with it restarted.
 */
export class RegistryCredentialSecret extends pulumi.ComponentResource {
    /** The `kubernetes.io/dockerconfigjson` Secret, updated in place at a bump (its name and UID stay). */
    public readonly secret: k8s.core.v1.Secret;
    /** The password ring, when keyshift generates the password. */
    public readonly password?: RotatingPassword;

    constructor(name: string, args: RegistryCredentialSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:k8s:RegistryCredentialSecret", name, {}, opts);
        const configPath = args.configPath ?? name;
        checkKnownArgs(args, KNOWN_ARGS, "RegistryCredentialSecret", configPath, {
            credential: { value: true, rotatedDate: true } satisfies Record<keyof ExternalCredential, boolean>,
        });
        checkObjectName(args.name, configKey(configPath, "name"));
        checkNamespace(args.namespace, configKey(configPath, "namespace"));
        if (typeof args.server !== "string" || !isRegistryHost(args.server)) {
            argError(
                configKey(configPath, "server"),
                `${JSON.stringify(args.server)} is not a registry host name: give the host (and port) as image references name it, such as registry.example.com or localhost:5000, with no scheme or path`,
            );
        }
        if (!args.username) {
            argError(configKey(configPath, "username"), "required: the user name the registry knows");
        }
        // The registry reads `auth` as base64 of user:password, splitting at the first colon.
        if (typeof args.username === "string" && args.username.includes(":")) {
            argError(
                configKey(configPath, "username"),
                `${JSON.stringify(args.username)} contains ":", which the registry reads as the end of the user name`,
            );
        }
        if (args.credential !== undefined) {
            const given = args.credential as Partial<ExternalCredential> | null;
            const text = (value: unknown) => typeof value === "string" || isDeferred(value);
            if (typeof given !== "object" || given === null || !text(given.value) || !text(given.rotatedDate)) {
                argError(
                    configKey(configPath, "credential"),
                    "expected { value, rotatedDate }: the password or token another component rotates, and its rotation date",
                );
            }
            checkRotationDate(given!.rotatedDate!, `${configKey(configPath, "credential")}.rotatedDate`);
            // Keyshift's own ring is not made when a credential is given: its arguments would be ignored.
            for (const own of ["rotatedDate", "minRotationInterval", "compromised", "length"] as const) {
                if (args[own] !== undefined) {
                    argError(
                        configKey(configPath, own),
                        "not used with credential: the component that rotates the credential takes it",
                    );
                }
            }
        }
        const reason = `a rotation deletes the Secret ${args.name} before creating it again, and pods that start meanwhile cannot pull`;
        let credential = args.credential;
        if (!credential) {
            if (args.rotatedDate === undefined) {
                argError(
                    configKey(configPath, "rotatedDate"),
                    "required when no credential is given: keyshift generates the password and rotates it from this date",
                );
            }
            this.password = new RotatingPassword(
                `${name}-password`,
                {
                    rotatedDate: args.rotatedDate,
                    minRotationInterval: args.minRotationInterval,
                    compromised: args.compromised,
                    configPath,
                    length: args.length,
                    limits: { requirements: [secretMutableRequirement(args.provider, reason)] },
                },
                { parent: this },
            );
            credential = this.password.primary;
        }
        const document = pulumi
            .all([credential.value, args.username])
            .apply(([password, username]) => dockerConfigJson(args.server, username, password));
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: args.name,
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/managed-by": "keyshift" },
                },
                type: "kubernetes.io/dockerconfigjson",
                stringData: pulumi.secret({
                    // With its own ring the ledger checks the provider; with a credential from elsewhere, the Secret does.
                    ".dockerconfigjson": this.password
                        ? document
                        : whenSecretMutable(args.provider, document, configKey(configPath, "provider"), reason, this),
                }),
            },
            { parent: this, provider: args.provider, additionalSecretOutputs: ["data", "stringData"] },
        );
        restartReaders(this, name, args.provider, args.restartWorkloads, credential.rotatedDate, [this.secret]);
        this.registerOutputs({});
    }
}
