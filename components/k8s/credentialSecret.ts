import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkNamespace, checkObjectName } from "../validation";
import { WorkloadRef, WorkloadRestarts } from "./workloadRestarts";

/** Where applications read a rotated credential from, and who must restart to read it again. */
export interface CredentialSecretArgs {
    /** The Kubernetes provider of the cluster (or a render-mode provider) the Secret goes to. Give it `enableSecretMutable`, so a rotation updates the Secret in place instead of deleting and re-creating it. */
    provider: k8s.Provider;
    /** Secret name; each component documents its default. */
    name?: string;
    /** Namespace of the Secret and of the default restart targets; default the provider's namespace. A DNS-1123 label, refused at preview otherwise. */
    namespace?: string;
    /** Workloads to restart when the credential rotates. */
    restartWorkloads?: WorkloadRef[];
}

/** Every field of CredentialSecretArgs, for checking a `kubernetes` argument given from config. */
export const CREDENTIAL_SECRET_FIELDS = {
    provider: true,
    name: true,
    namespace: true,
    restartWorkloads: true,
} as const satisfies Record<keyof CredentialSecretArgs, boolean>;

/**
 * The Secret applications read a credential from, kept in step with it, and the restart of the workloads that read it
 * (after the Secret and whatever else `dependsOn` names, so restarted pods see the new value). Children of `parent`.
 */
export function publishCredentialSecret(
    parent: pulumi.ComponentResource,
    name: string,
    args: CredentialSecretArgs,
    options: {
        defaultName: string;
        values: pulumi.Input<Record<string, pulumi.Input<string>>>;
        rotatedDate: pulumi.Output<string>;
        dependsOn?: pulumi.Resource[];
    },
): k8s.core.v1.Secret {
    const secretName = args.name ?? options.defaultName;
    checkObjectName(secretName, "kubernetes.name");
    checkNamespace(args.namespace, "kubernetes.namespace");
    const secret = new k8s.core.v1.Secret(
        `${name}-secret`,
        {
            metadata: {
                name: secretName,
                namespace: args.namespace,
                labels: { "app.kubernetes.io/managed-by": "keyshift" },
            },
            type: "Opaque",
            stringData: pulumi.secret(pulumi.output(options.values)),
        },
        { parent, provider: args.provider, additionalSecretOutputs: ["data", "stringData"] },
    );
    restartReaders(parent, name, args.provider, args.restartWorkloads, options.rotatedDate, [
        secret,
        ...(options.dependsOn ?? []),
    ]);
    return secret;
}

/**
 * The restart of the workloads that read a credential (`${name}-restarts`, a child of `parent`), after `dependsOn`
 * (the Secret they read, and whatever else must change first), so restarted pods see the new value. Nothing when
 * there are no workloads.
 */
export function restartReaders(
    parent: pulumi.Resource,
    name: string,
    provider: k8s.Provider,
    workloads: WorkloadRef[] | undefined,
    rotatedDate: pulumi.Input<string>,
    dependsOn: pulumi.Resource[],
): void {
    if (workloads?.length) {
        new WorkloadRestarts(
            `${name}-restarts`,
            { provider, workloads, rotatedDate, credential: name },
            { parent, dependsOn },
        );
    }
}

/**
 * The ring requirement that the provider updates Secrets in place (`enableSecretMutable`): without it, a Secret whose
 * data changes is deleted and created again, and for that moment its readers find nothing. Checked by the ledger, so a
 * refusal stops the run before anything is replaced or deleted. The provider's inputs are output properties of the
 * provider resource; `enableSecretMutable` arrives as true or "true".
 */
export function secretMutableRequirement(
    provider: k8s.Provider,
    reason: string,
): { key: string; met: pulumi.Input<boolean | string | undefined>; reason: string } {
    const mutable = (provider as unknown as { enableSecretMutable?: pulumi.Input<boolean | string> })
        .enableSecretMutable;
    return {
        key: "provider",
        met: pulumi.output(mutable),
        reason: `the Kubernetes provider needs enableSecretMutable: true, or ${reason}`,
    };
}

/**
 * `value`, once the provider is known to update Secrets in place (see secretMutableRequirement), for a Secret with no
 * ledger of its own to check it: fails the Secret that takes the value, at preview, with `reason`.
 */
export function whenSecretMutable<T>(
    provider: k8s.Provider,
    value: pulumi.Input<T>,
    configKey: string,
    reason: string,
    parent: pulumi.Resource,
): pulumi.Output<T> {
    const requirement = secretMutableRequirement(provider, reason);
    return pulumi.all([pulumi.output(requirement.met), value]).apply(([met, resolved]) => {
        if (met !== true && met !== "true") {
            throw new pulumi.ResourceError(`${configKey}: ${requirement.reason}`, parent);
        }
        return resolved as T;
    }) as pulumi.Output<T>;
}
