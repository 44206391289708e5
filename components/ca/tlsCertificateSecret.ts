import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { KEY_ALGORITHMS, KeyAlgorithm, ringPrivateKey } from "../keys/rotatingKeyPair";
import { configKey } from "../ring/ring";
import { Ring, RotationArgs } from "../ring/slots";
import { argError, checkKnownArgs, checkNamespace, checkObjectName, ROTATION_ARGS } from "../validation";
import { WorkloadRef } from "../k8s/workloadRestarts";
import { restartReaders, secretMutableRequirement } from "../k8s/credentialSecret";
import { CertificateAuthorityKeyset, CertificateSlot, certificateSlots } from "./certificateAuthorityKeyset";

/**
 * Arguments of a TlsCertificateSecret. `commonName`, `dnsNames`, `validityPeriodHours` and `algorithm` shape the
 * certificates issued from now on: a change re-issues nothing until the next rotation (a warning says so).
 */
export interface TlsCertificateSecretArgs extends RotationArgs {
    /**
     * The cluster's Kubernetes provider, created with `enableSecretMutable: true`: without it the provider replaces a
     * Secret whose data changes by deleting it and creating it again, and for those seconds ingress controllers serve
     * their default certificate. Refused at preview otherwise.
     */
    provider: k8s.Provider;
    /** The Secret's name, a DNS-1123 subdomain. */
    name: string;
    /** The Secret's namespace; default the provider's. */
    namespace?: string;
    /** The signing CA: its primary signs, and the certificate is re-issued when that changes. Default self-signed. */
    ca?: CertificateAuthorityKeyset;
    /** The certificate's common name. Default the first of `dnsNames`, else the component's name. */
    commonName?: string;
    /** DNS names the certificate is valid for. */
    dnsNames?: string[];
    /** Hours each certificate is valid from its issue. Default 2160 (90 days). */
    validityPeriodHours?: number;
    /** The key algorithm, default `ECDSA-P256`. */
    algorithm?: KeyAlgorithm;
    /** Workloads that read the Secret, restarted after it changes. */
    restartWorkloads?: WorkloadRef[];
}

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    provider: true,
    name: true,
    namespace: true,
    ca: true,
    commonName: true,
    dnsNames: true,
    validityPeriodHours: true,
    algorithm: true,
    restartWorkloads: true,
} as const satisfies Record<keyof TlsCertificateSecretArgs, boolean>;

/**
 * A `kubernetes.io/tls` Secret kept in place and re-issued from a date: a two-slot ring of key and certificate
 * (primary in the Secret, previous kept as outputs for a rollback). With `ca`, `tls.crt` holds the leaf and then the
 * signing CA's certificate, and a rotation or rollback of the CA re-issues both slots' certificates with their keys.
 */
export class TlsCertificateSecret extends pulumi.ComponentResource {
    /** The `kubernetes.io/tls` Secret, holding the primary's pair; updated in place (its name and UID stay). */
    public readonly secret: k8s.core.v1.Secret;
    /** Both slots' key and certificate, by slot number; ask for a role instead where you can. */
    public readonly slots: CertificateSlot[];
    /** The pair in the Secret. */
    public readonly primary: CertificateSlot;
    /** The pair before the last rotation, for a server that still presents it until it reloads. */
    public readonly previous: CertificateSlot;

    constructor(name: string, args: TlsCertificateSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:ca:TlsCertificateSecret", name, {}, opts);
        const configPath = args.configPath ?? name;
        checkKnownArgs(args, KNOWN_ARGS, "TlsCertificateSecret", configPath);
        checkObjectName(args.name, configKey(configPath, "name"));
        checkNamespace(args.namespace, configKey(configPath, "namespace"));
        const algorithm = args.algorithm ?? "ECDSA-P256";
        if (!KEY_ALGORITHMS.includes(algorithm)) {
            argError(
                configKey(configPath, "algorithm"),
                `${JSON.stringify(algorithm)} is not supported: use one of ${KEY_ALGORITHMS.join(", ")}`,
            );
        }
        const dnsNames = args.dnsNames ?? [];
        const settings = {
            algorithm,
            commonName: args.commonName ?? dnsNames[0] ?? name,
            dnsNames: dnsNames.join(","),
            validityPeriodHours: args.validityPeriodHours ?? 2160,
        };
        const reason = `a rotation deletes the Secret ${args.name} before creating it again and ingress controllers serve their default certificate meanwhile`;
        const ring = new Ring(this, name, args, "certificate", settings, undefined, {
            requirements: [secretMutableRequirement(args.provider, reason)],
        });

        const pairs = ring.slots.map((slot) => {
            const setting = <U>(pick: (recorded: typeof settings) => U) => ring.settingInput(slot, pick);
            const generation = ring.slotInput(slot, (record) => record.generation);
            const key = ringPrivateKey(name, ring, slot, this);
            const subject = { commonName: setting((recorded) => recorded.commonName) };
            const names = setting((recorded) => (recorded.dnsNames ? recorded.dnsNames.split(",") : []));
            const validity = setting((recorded) => recorded.validityPeriodHours);
            const uses = ["digital_signature", "key_encipherment", "server_auth"];
            const cert = args.ca
                ? args.ca.issueCertificate(
                      `${name}-slot${slot}-cert`,
                      {
                          privateKeyPem: key.privateKeyPem,
                          subject,
                          dnsNames: names as never,
                          validityPeriodHours: undefined,
                          allowedUses: uses,
                      },
                      { parent: this, replacementTrigger: pulumi.all([generation, args.ca.primary.generation]) },
                  )
                : new tls.SelfSignedCert(
                      `${name}-slot${slot}-cert`,
                      {
                          privateKeyPem: key.privateKeyPem,
                          subject,
                          dnsNames: names,
                          validityPeriodHours: validity,
                          allowedUses: uses,
                      },
                      { parent: this, replacementTrigger: generation },
                  );
            return { key, cert };
        });
        const { slots, role } = certificateSlots(ring, pairs);
        this.slots = slots;
        this.primary = role("primary");
        this.previous = role("previous");

        const chain = pulumi
            .all([this.primary.certPem, args.ca ? args.ca.primary.certPem : ""])
            .apply(([leaf, issuer]) =>
                [leaf, issuer]
                    .filter(Boolean)
                    .map((pem) => pem.trimEnd() + "\n")
                    .join(""),
            );
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: args.name,
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/managed-by": "keyshift" },
                },
                type: "kubernetes.io/tls",
                stringData: pulumi.secret({ "tls.crt": chain, "tls.key": this.primary.privateKeyPem }),
            },
            { parent: this, provider: args.provider, additionalSecretOutputs: ["data", "stringData"] },
        );
        restartReaders(this, name, args.provider, args.restartWorkloads, this.primary.rotatedDate, [this.secret]);
        this.registerOutputs({});
    }
}
