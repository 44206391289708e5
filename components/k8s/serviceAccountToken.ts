import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { configKey, Ledger } from "../ring/ring";
import { Ring, RotationArgs } from "../ring/slots";
import { argError, checkKnownArgs, checkNamespace, checkObjectName, ROTATION_ARGS } from "../validation";
import { WorkloadRef, WorkloadRestarts } from "./workloadRestarts";

/** The ServiceAccount whose tokens rotate. */
export interface ServiceAccountRef {
    /** Namespace of the ServiceAccount and its token Secrets (a DNS-1123 label). */
    namespace: string;
    /** The ServiceAccount's name (a DNS-1123 subdomain). */
    name: string;
    /** Create the ServiceAccount too; default false (it exists already). */
    create?: boolean;
}

/** The cluster a kubeconfig points at. */
export interface ClusterEndpoint {
    /** The API server URL, for example `https://10.0.0.1:6443`. */
    server: pulumi.Input<string>;
    /** Base64 PEM of the CA that signed the API server's certificate (`certificate-authority-data`). */
    certificateAuthorityData: pulumi.Input<string>;
    /** The cluster's name in the kubeconfig; default `cluster`. */
    name?: string;
}

/** Arguments of ServiceAccountToken. */
export interface ServiceAccountTokenArgs extends RotationArgs {
    /** The ServiceAccount whose tokens rotate. */
    serviceAccount: ServiceAccountRef;
    /** The Kubernetes provider of the cluster the token Secrets go to. */
    provider: k8s.Provider;
    /** Labels and annotations for the token Secrets. */
    labels?: Record<string, string>;
    /** Annotations for the token Secrets; keyshift adds `kubernetes.io/service-account.name` and `keyshift.dev/rotated-date`. */
    annotations?: Record<string, string>;
    /** Build a kubeconfig for the primary token against this cluster. */
    cluster?: ClusterEndpoint;
    /** Workloads to restart when the token rotates. */
    restartWorkloads?: WorkloadRef[];
    /**
     * Least time between rotations; default `1d`. The previous token is deleted by the next bump, so the interval is
     * the least time every holder of a token has to pick up its successor.
     */
    minRotationInterval?: pulumi.Input<string | 0>;
}

/**
 * The Secret name for a slot's generation: `<prefix>-g<generation>`, shortened with a digest if it would pass 253
 * characters. The generation is in the name because a legacy service-account token is a deterministic JWT of the
 * Secret's name and the ServiceAccount: a new Secret under an old name would get the very token it was meant to revoke.
 */
export function tokenSecretName(prefix: string, generation: number): string {
    const suffix = `-g${generation}`;
    if (prefix.length + suffix.length <= 253) {
        return `${prefix}${suffix}`;
    }
    const digest = createHash("sha256").update(prefix).digest("hex").slice(0, 8);
    return `${prefix.slice(0, 253 - digest.length - 1 - suffix.length).replace(/[-.]+$/, "")}-${digest}${suffix}`;
}

/** A kubeconfig (YAML) for one token. Values are JSON-quoted, which YAML reads as double-quoted strings. */
export function kubeconfigYaml(
    cluster: { name: string; server: string; certificateAuthorityData: string },
    user: string,
    token: string,
): string {
    const q = JSON.stringify;
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: ${q(cluster.name)}`,
        "  cluster:",
        `    server: ${q(cluster.server)}`,
        `    certificate-authority-data: ${q(cluster.certificateAuthorityData)}`,
        "users:",
        `- name: ${q(user)}`,
        "  user:",
        `    token: ${q(token)}`,
        "contexts:",
        `- name: ${q(`${user}@${cluster.name}`)}`,
        "  context:",
        `    cluster: ${q(cluster.name)}`,
        `    user: ${q(user)}`,
        `current-context: ${q(`${user}@${cluster.name}`)}`,
        "",
    ].join("\n");
}

const SERVICE_ACCOUNT_FIELDS = {
    namespace: true,
    name: true,
    create: true,
} as const satisfies Record<keyof ServiceAccountRef, boolean>;
const CLUSTER_FIELDS = {
    server: true,
    certificateAuthorityData: true,
    name: true,
} as const satisfies Record<keyof ClusterEndpoint, boolean>;

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    serviceAccount: true,
    provider: true,
    labels: true,
    annotations: true,
    cluster: true,
    restartWorkloads: true,
} as const satisfies Record<keyof ServiceAccountTokenArgs, boolean>;

/**
 * `kubernetes.io/service-account-token` Secrets in two slots. A bump creates the new primary slot's Secret (replacing
 * the Secret that held the token from two rotations ago) and keeps the previous token valid until the next bump, so
 * pipelines holding it keep working while they pick up the new kubeconfig from the stack outputs.
 *
 * The token controller fills each Secret after it exists; the Kubernetes provider waits for that before it reports
 * the Secret created. In a preview a new slot's token is unknown; in render mode (no cluster, no controller) tokens
 * are empty.
 *
 * An emergency rotation (`compromised`) deletes the exposed token's Secret in the same `pulumi up`, which revokes the
 * token; `previousToken` is empty until the next rotation creates that slot's Secret again.
 */
export class ServiceAccountToken extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings, emergencies); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The token in use; secret. */
    public readonly token: pulumi.Output<string>;
    /** The token from before the last rotation, still valid until the next one; secret. */
    public readonly previousToken: pulumi.Output<string>;
    /** Secret names by slot (they change when the slot's token is regenerated), and the primary's and previous's. */
    public readonly secretNames: pulumi.Output<string>[];
    /** The name of the Secret holding the token in use. */
    public readonly primarySecretName: pulumi.Output<string>;
    /** The name of the Secret holding the previous token; "" after an emergency rotation. */
    public readonly previousSecretName: pulumi.Output<string>;
    /** The date the token in use was generated for. */
    public readonly rotatedDate: pulumi.Output<string>;
    /** The date the previous token was generated for; "" after an emergency rotation. */
    public readonly previousRotatedDate: pulumi.Output<string>;
    /** A kubeconfig for the primary token, when `cluster` is given; secret. */
    public readonly kubeconfig?: pulumi.Output<string>;

    constructor(name: string, args: ServiceAccountTokenArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:k8s:ServiceAccountToken", name, {}, opts);
        checkKnownArgs(args, KNOWN_ARGS, "ServiceAccountToken", args.configPath ?? name, {
            serviceAccount: SERVICE_ACCOUNT_FIELDS,
            cluster: CLUSTER_FIELDS,
        });
        const key = (field: string) => configKey(args.configPath ?? name, field);
        const account = args.serviceAccount;
        if (typeof account?.namespace !== "string" || typeof account?.name !== "string") {
            argError(key("serviceAccount"), "required: { namespace, name } of the ServiceAccount whose tokens rotate");
        }
        checkNamespace(account.namespace, key("serviceAccount.namespace"));
        checkObjectName(account.name, key("serviceAccount.name"));
        const ring = new Ring(this, name, args, "token", {});
        this.ledger = ring.ledger;

        const childOpts = { parent: this, provider: args.provider };
        const dependsOn: pulumi.Resource[] = [];
        if (account.create) {
            dependsOn.push(
                new k8s.core.v1.ServiceAccount(
                    `${name}-account`,
                    { metadata: { name: account.name, namespace: account.namespace, labels: args.labels } },
                    childOpts,
                ),
            );
        }
        const prefix = `${account.name}-token`;
        const usable = ring.usable();
        this.secretNames = ring.slots.map((slot) =>
            usable.apply((slots) => {
                const found = slots.find((s) => s.slot === slot);
                return found ? tokenSecretName(prefix, found.generation) : "";
            }),
        );
        // A slot's Secret exists while its token may be used: deleting the Secret is what revokes a legacy token, so
        // the Secrets are declared from the ledger, and a slot an emergency rotation revoked has none. The ledger is
        // known in a preview, so the preview shows these Secrets as any others.
        const secrets = usable.apply((slots) =>
            slots.map(({ slot, generation, date }): [number, k8s.core.v1.Secret] => {
                const secret = new k8s.core.v1.Secret(
                    `${name}-slot${slot}`,
                    {
                        metadata: {
                            name: tokenSecretName(prefix, generation),
                            namespace: account.namespace,
                            labels: { ...args.labels, "app.kubernetes.io/managed-by": "keyshift" },
                            annotations: {
                                ...args.annotations,
                                "kubernetes.io/service-account.name": account.name,
                                "keyshift.dev/rotated-date": date,
                            },
                        },
                        type: "kubernetes.io/service-account-token",
                    },
                    {
                        ...childOpts,
                        dependsOn,
                        // A new generation is a new Secret under a new name: created first, then the old one is
                        // deleted, which is what revokes the token it held.
                        replacementTrigger: generation,
                        additionalSecretOutputs: ["data", "stringData"],
                    },
                );
                return [slot, secret];
            }),
        );
        const tokens = ring.slots.map((slot) =>
            pulumi.secret(
                secrets.apply((list) => {
                    const secret = list.find(([index]) => index === slot)?.[1];
                    return secret
                        ? secret.data.apply((data) =>
                              data?.token ? Buffer.from(data.token, "base64").toString("utf8") : "",
                          )
                        : "";
                }),
            ),
        );
        this.token = pulumi.secret(ring.pick("primary", tokens, ""));
        this.previousToken = pulumi.secret(ring.pick("previous", tokens, ""));
        this.primarySecretName = ring.pick("primary", this.secretNames, "");
        this.previousSecretName = ring.pick("previous", this.secretNames, "");
        const dates = ring.slots.map((slot) => ring.date(slot));
        this.rotatedDate = ring.pick("primary", dates, "");
        this.previousRotatedDate = ring.pick("previous", dates, "");

        if (args.cluster) {
            const cluster = args.cluster;
            this.kubeconfig = pulumi.secret(
                pulumi
                    .all([cluster.server, cluster.certificateAuthorityData, this.token])
                    .apply(([server, certificateAuthorityData, token]) =>
                        kubeconfigYaml(
                            { name: cluster.name ?? "cluster", server, certificateAuthorityData },
                            account.name,
                            token,
                        ),
                    ),
            );
        }
        if (args.restartWorkloads?.length) {
            new WorkloadRestarts(
                `${name}-restarts`,
                {
                    provider: args.provider,
                    workloads: args.restartWorkloads,
                    rotatedDate: this.rotatedDate,
                    credential: name,
                },
                { parent: this, dependsOn: secrets.apply((list) => list.map(([, secret]) => secret)) },
            );
        }

        // The outputs are this object's fields. The checkpoint keeps none of them again: the ledger and every key
        // are in their own resources' state, and at hundreds of credentials each byte here is rewritten at every step.
        this.registerOutputs({});
    }
}
