import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { KEY_ALGORITHMS, KeyAlgorithm, ringPrivateKey } from "../keys/rotatingKeyPair";
import { parseInterval } from "../ring/dates";
import { Ledger, configKey } from "../ring/ring";
import { DEFAULT_MIN_ROTATION_INTERVAL, Ring, RotationArgs, lazy } from "../ring/slots";
import { argError, checkKnownArgs, ROTATION_ARGS } from "../validation";
import { CertificateFacts, certificateFacts, expiresTooSoon } from "./x509";

/** The subject of a CA certificate. */
export interface CertificateSubject {
    /** CN; default the component's name. */
    commonName?: string;
    /** O. */
    organization?: string;
    /** OU. */
    organizationalUnit?: string;
    /** C, a two-letter country code. */
    country?: string;
}

/**
 * Arguments of a CertificateAuthorityKeyset. `subject`, `validityPeriodHours` and `algorithm` shape the certificates
 * generated from now on: a change regenerates nothing, and the next rotation's new CA has them (a warning says so).
 */
export interface CertificateAuthorityKeysetArgs extends RotationArgs {
    /** The CA certificates' subject. Default `{ commonName: <name> }`. */
    subject?: CertificateSubject;
    /**
     * How long each CA certificate is valid, in hours from its creation. Default 87600 (ten years, as kOps issues its
     * CAs). A rotation is refused at preview while a certificate that stays trusted would expire before the next
     * allowed rotation (`rotatedDate` + `minRotationInterval`).
     */
    validityPeriodHours?: number;
    /** The CA keys' algorithm: `RSA-2048` (default), `RSA-3072`, `RSA-4096`, `ECDSA-P256`, `ECDSA-P384`. */
    algorithm?: KeyAlgorithm;
}

/** One slot's certificate and its key, or the pair holding a role: a CA here, a leaf in TlsCertificateSecret. */
export interface CertificateSlot {
    /** The certificate, PEM; "" for a role no slot holds. */
    certPem: pulumi.Output<string>;
    /** Its private key, PEM; always a secret. */
    privateKeyPem: pulumi.Output<string>;
    /** Serial, subject key id and validity of the certificate. */
    facts: pulumi.Output<CertificateFacts | undefined>;
    /** The config date the slot's key was generated for. */
    rotatedDate: pulumi.Output<string>;
    /** A new number every time the slot's key is regenerated. */
    generation: pulumi.Output<number>;
}

/** The slots of a ring of keys and certificates, by slot, and the pair holding each role. */
export function certificateSlots(
    ring: Ring,
    pairs: { key: tls.PrivateKey; cert: { certPem: pulumi.Output<string> } }[],
): { slots: CertificateSlot[]; role: (which: "primary" | "previous" | "next") => CertificateSlot } {
    const slots = pairs.map(({ key, cert }, slot) =>
        lazy<CertificateSlot>({
            certPem: () => cert.certPem,
            privateKeyPem: () => pulumi.secret(key.privateKeyPem),
            facts: () => cert.certPem.apply(certificateFacts),
            rotatedDate: () => ring.date(slot),
            generation: () => ring.generation(slot),
        }),
    );
    const revoked = { certPem: "", privateKeyPem: "", facts: undefined, rotatedDate: "", generation: 0 };
    return { slots, role: (which) => ring.role(which, slots, revoked, ["privateKeyPem"]) };
}

/** Arguments of `issueCertificate`: a leaf for a key the caller holds. */
export interface LeafCertificateArgs {
    /** The leaf's PEM private key (a `tls.PrivateKey`'s `privateKeyPem`); its public key is certified. */
    privateKeyPem: pulumi.Input<string>;
    /** The leaf's subject (for a Kubernetes client certificate: CN the user, O its groups). */
    subject: tls.types.input.CertRequestSubject;
    /** Subject alternative names, DNS; none by default. */
    dnsNames?: pulumi.Input<pulumi.Input<string>[]>;
    /** Subject alternative names, IP addresses; none by default. */
    ipAddresses?: pulumi.Input<pulumi.Input<string>[]>;
    /** Default 8760 (a year). */
    validityPeriodHours?: pulumi.Input<number>;
    /** Default `["digital_signature", "key_encipherment", "server_auth", "client_auth"]`. */
    allowedUses?: string[];
}

const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];
const LEAF_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];

const SUBJECT_FIELDS = {
    commonName: true,
    organization: true,
    organizationalUnit: true,
    country: true,
} as const satisfies Record<keyof CertificateSubject, boolean>;

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    subject: true,
    validityPeriodHours: true,
    algorithm: true,
} as const satisfies Record<keyof CertificateAuthorityKeysetArgs, boolean>;

/**
 * A certificate authority as a ring of three self-signed CAs: previous, primary (signs) and a staged next, which is in
 * the trust bundle a full rotation before it signs. One date bump is kOps' "create a secondary and promote it" step;
 * the CA that leaves the bundle at the following bump is kOps' "distrust".
 */
export class CertificateAuthorityKeyset extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The three CAs, by slot number; ask for a role instead where you can. */
    public readonly slots: CertificateSlot[];
    /** The CA that signs. */
    public readonly primary: CertificateSlot;
    /** The CA that signed before the last rotation: trusted until the next one. */
    public readonly previous: CertificateSlot;
    /** The staged CA: trusted now, signs after the next rotation. */
    public readonly next: CertificateSlot;
    /** Every trusted CA certificate, PEM, oldest generation first: `--client-ca-file`, a kubeconfig's CA data. */
    public readonly trustBundle: pulumi.Output<string>;
    /** The trust bundle base64-encoded, as a kubeconfig's `certificate-authority-data` takes it. */
    public readonly kubeconfigCaData: pulumi.Output<string>;
    private readonly signingGeneration: pulumi.Output<number>;

    constructor(name: string, args: CertificateAuthorityKeysetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:ca:CertificateAuthorityKeyset", name, {}, opts);
        const configPath = args.configPath ?? name;
        checkKnownArgs(args, KNOWN_ARGS, "CertificateAuthorityKeyset", configPath, {
            subject: SUBJECT_FIELDS,
        });
        const algorithm = args.algorithm ?? "RSA-2048";
        if (!KEY_ALGORITHMS.includes(algorithm)) {
            argError(
                configKey(configPath, "algorithm"),
                `${JSON.stringify(algorithm)} is not supported: use one of ${KEY_ALGORITHMS.join(", ")}`,
            );
        }
        const validityPeriodHours = args.validityPeriodHours ?? 87600;
        if (!Number.isInteger(validityPeriodHours) || validityPeriodHours < 1) {
            argError(
                configKey(configPath, "validityPeriodHours"),
                `${JSON.stringify(validityPeriodHours)} is not a whole number of hours of at least 1`,
            );
        }
        const subject = args.subject ?? { commonName: name };
        const settings = Object.fromEntries(
            Object.entries({ algorithm, validityPeriodHours, ...subject }).filter(([, value]) => value !== undefined),
        ) as Record<string, string | number>;
        const ring = new Ring(this, name, args, "ca", settings);
        this.ledger = ring.ledger;

        const certs = ring.slots.map((slot) => {
            const setting = <U>(pick: (recorded: Record<string, string | number>) => U) =>
                ring.settingInput(slot, pick);
            const key = ringPrivateKey(name, ring, slot, this);
            const cert = new tls.SelfSignedCert(
                `${name}-slot${slot}-cert`,
                {
                    privateKeyPem: key.privateKeyPem,
                    isCaCertificate: true,
                    setSubjectKeyId: true,
                    allowedUses: CA_USES,
                    validityPeriodHours: setting((recorded) => Number(recorded.validityPeriodHours)),
                    subject: {
                        commonName: setting((recorded) => recorded.commonName as string | undefined),
                        organization: setting((recorded) => recorded.organization as string | undefined),
                        organizationalUnit: setting((recorded) => recorded.organizationalUnit as string | undefined),
                        country: setting((recorded) => recorded.country as string | undefined),
                    },
                },
                { parent: this, replacementTrigger: ring.slotInput(slot, (record) => record.generation) },
            );
            return { key, cert };
        });
        const { slots, role } = certificateSlots(ring, certs);
        this.slots = slots;
        this.primary = role("primary");
        this.previous = role("previous");
        this.next = role("next");
        this.signingGeneration = this.primary.generation;

        // Oldest generation first, so a bundle reads as the CA's history; revoked CAs left out.
        const trusted = ring.trusted(
            ring.slots.map((slot) => pulumi.all([this.slots[slot].generation, certs[slot].cert.certPem])),
        );
        this.trustBundle = trusted.apply((pairs) =>
            [...pairs]
                .sort(([a], [b]) => a - b)
                .map(([, pem]) => pem.trimEnd() + "\n")
                .join(""),
        );
        this.kubeconfigCaData = this.trustBundle.apply((bundle) => Buffer.from(bundle).toString("base64"));

        // The interval as the ledger reads it (an Output resolves here too; the ledger refuses one that is not).
        const interval = pulumi
            .output(args.minRotationInterval ?? DEFAULT_MIN_ROTATION_INTERVAL.ca)
            .apply((value) => parseInterval(value ?? DEFAULT_MIN_ROTATION_INTERVAL.ca) ?? 0);
        // Checked per slot: in a preview of a rotation the new CA is unknown, but the ones that stay are known.
        const validity = certs.map(({ cert }, slot) =>
            pulumi.all([ring.ledger, cert.validityEndTime, interval]).apply(([ledger, end, least]) => {
                const problem = expiresTooSoon(ledger, slot, end, least, ring.key("rotatedDate"));
                if (problem) throw new pulumi.ResourceError(problem, this);
            }),
        );
        this.registerOutputs({ validity: pulumi.all(validity).apply(() => undefined) });
    }

    /**
     * A leaf certificate signed by the CA that signs now. It is re-issued when the signing CA changes (a rotation or a
     * rollback), never because a date string changed: its replacement trigger is the signing slot's generation.
     */
    issueCertificate(
        name: string,
        args: LeafCertificateArgs,
        opts?: pulumi.CustomResourceOptions,
    ): tls.LocallySignedCert {
        const request = new tls.CertRequest(
            `${name}-csr`,
            {
                privateKeyPem: args.privateKeyPem,
                subject: args.subject,
                dnsNames: args.dnsNames,
                ipAddresses: args.ipAddresses,
            },
            // The request follows the key; only the certificate follows the signing CA.
            { parent: this, ...opts, replacementTrigger: undefined },
        );
        return new tls.LocallySignedCert(
            name,
            {
                certRequestPem: request.certRequestPem,
                caPrivateKeyPem: this.primary.privateKeyPem,
                caCertPem: this.primary.certPem,
                validityPeriodHours: args.validityPeriodHours ?? 8760,
                allowedUses: args.allowedUses ?? LEAF_USES,
                setSubjectKeyId: true,
            },
            { parent: this, ...opts, replacementTrigger: this.signingGeneration },
        );
    }
}
