import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { argError, checkKnownFields, checkNamespace, checkObjectName } from "../validation";

/** A workload whose pods read a rotated credential and must restart to pick up the new one. */
export interface WorkloadRef {
    /** The workload's kind. */
    kind: "Deployment" | "StatefulSet" | "DaemonSet";
    /** Its namespace. */
    namespace: string;
    /** Its name. */
    name: string;
}

/** Arguments of WorkloadRestarts. */
export interface WorkloadRestartsArgs {
    /** The Kubernetes provider of the cluster the workloads run in. */
    provider: k8s.Provider;
    /** The workloads to restart; each is patched (server-side apply) with one pod-template annotation. */
    workloads: WorkloadRef[];
    /** The value stamped on each pod template; a change rolls the pods. keyshift passes the rotation date. */
    rotatedDate: pulumi.Input<string>;
    /** Names the credential in the annotation key, so two credentials can restart the same workload independently. */
    credential: string;
}

const WORKLOAD_FIELDS = { kind: true, namespace: true, name: true } as const satisfies Record<
    keyof WorkloadRef,
    boolean
>;

const PATCHES = {
    Deployment: k8s.apps.v1.DeploymentPatch,
    StatefulSet: k8s.apps.v1.StatefulSetPatch,
    DaemonSet: k8s.apps.v1.DaemonSetPatch,
} as const;

/** The pod-template annotation keyshift sets for `credential`: `rotated.keyshift.dev/<credential>`. */
export function restartAnnotation(credential: string): string {
    const name = credential
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-")
        .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
        .slice(0, 63)
        .replace(/[^a-z0-9]+$/, "");
    return `rotated.keyshift.dev/${name || "credential"}`;
}

/**
 * Stamps each workload's pod template with the credential's rotation date through a server-side-apply patch, so a
 * bump rolls the pods (which then read the new credential) and an unchanged date touches nothing.
 */
export class WorkloadRestarts extends pulumi.ComponentResource {
    /** The annotation set on each pod template. */
    public readonly annotation: string;

    constructor(name: string, args: WorkloadRestartsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:k8s:WorkloadRestarts", name, {}, opts);
        this.annotation = restartAnnotation(args.credential);
        args.workloads.forEach((workload, index) => {
            const path = `restartWorkloads[${index}]`;
            checkKnownFields(workload, WORKLOAD_FIELDS, "a workload", path);
            if (!Object.prototype.hasOwnProperty.call(PATCHES, workload.kind)) {
                argError(
                    `${path}.kind`,
                    `${JSON.stringify(workload.kind)} cannot be restarted: use Deployment, StatefulSet or DaemonSet`,
                );
            }
            for (const field of ["namespace", "name"] as const) {
                if (typeof workload[field] !== "string")
                    argError(`${path}.${field}`, `required: the workload's ${field}`);
            }
            checkObjectName(workload.name, `${path}.name`);
            checkNamespace(workload.namespace, `${path}.namespace`);
            const Patch = PATCHES[workload.kind] as typeof k8s.apps.v1.DeploymentPatch;
            new Patch(
                `${name}-${workload.kind.toLowerCase()}-${workload.namespace}-${workload.name}`,
                {
                    metadata: {
                        name: workload.name,
                        namespace: workload.namespace,
                        // The annotation is ours alone; forcing takes it over from kubectl's last-applied edits.
                        annotations: { "pulumi.com/patchForce": "true" },
                    },
                    spec: { template: { metadata: { annotations: { [this.annotation]: args.rotatedDate } } } },
                },
                { parent: this, provider: args.provider },
            );
        });
        this.registerOutputs({ annotation: this.annotation });
    }
}
