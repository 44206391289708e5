// A mock engine for unit tests. It records every resource registered, runs the ledger's real provider `check` the way
// the engine does (old checked inputs from the previous simulated run, new inputs from this one), and gives each slot
// real key material that stays byte-for-byte the same until that slot's generation changes, as the engine's
// replacement trigger would. Runs are simulated by constructing components again against the same Harness.

import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from "crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import * as ledgerProvider from "../../components/ring/ledgerProvider";
import { registerSecrets } from "../redact";

export const LEDGER_TYPE = "pulumi-nodejs:dynamic/keyshift:SlotLedger";
/** declareAll's refusal record, which the ledger's provider always refuses. */
export const REFUSAL_TYPE = "pulumi-nodejs:dynamic/keyshift:DeclareAllRefusal";

/** A replication group ElastiCache accepts an AUTH token on, for the tests of ElasticacheAuthToken. */
export const GROUP_ARGS = {
    description: "sessions",
    engine: "redis",
    engineVersion: "7.1",
    nodeType: "cache.t4g.small",
    transitEncryptionEnabled: true,
    numCacheClusters: 2,
};

export interface Registered {
    type: string;
    name: string;
    /** Inputs as the provider would receive them, secrets unwrapped. */
    inputs: Record<string, any>;
    /** Paths of the inputs that arrived marked secret, such as `data` or `keepers.generation`. */
    secretInputs: string[];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function unwrapSecrets(value: any, path: string, found: string[]): any {
    if (Array.isArray(value)) {
        return value.map((item, i) => unwrapSecrets(item, `${path}[${i}]`, found));
    }
    if (value && typeof value === "object") {
        if (value[SECRET_SIG] === SECRET_VALUE) {
            found.push(path);
            return unwrapSecrets(value.value, path, []);
        }
        return Object.fromEntries(
            Object.entries(value).map(([key, item]) => [
                key,
                unwrapSecrets(item, path ? `${path}.${key}` : key, found),
            ]),
        );
    }
    return value;
}

/** A fresh key pair as PEM strings: SPKI public key, PKCS#8 private key. */
export function pemKeyPair(
    algorithm: "RSA" | "P-256" | "P-384",
    rsaBits = 2048,
): { privateKeyPem: string; publicKeyPem: string } {
    const pair =
        algorithm === "RSA"
            ? generateKeyPairSync("rsa", {
                  modulusLength: rsaBits,
                  publicKeyEncoding: { type: "spki", format: "pem" },
                  privateKeyEncoding: { type: "pkcs8", format: "pem" },
              })
            : generateKeyPairSync("ec", {
                  namedCurve: algorithm,
                  publicKeyEncoding: { type: "spki", format: "pem" },
                  privateKeyEncoding: { type: "pkcs8", format: "pem" },
              });
    return { privateKeyPem: pair.privateKey, publicKeyPem: pair.publicKey };
}

function keyPairFor(inputs: Record<string, any>): { privateKeyPem: string; publicKeyPem: string } {
    if (inputs.algorithm === "ECDSA") {
        return pemKeyPair(inputs.ecdsaCurve === "P384" ? "P-384" : "P-256");
    }
    return pemKeyPair("RSA", inputs.rsaBits ?? 2048);
}

/**
 * What the tls provider's certificate resources produce, made by openssl from their inputs: a self-signed
 * certificate, a certificate request, or a certificate signed by a CA. Real certificates, so tests can verify chains.
 */
function certificateFor(type: string, inputs: Record<string, any>): Record<string, any> {
    const dir = mkdtempSync(path.join(tmpdir(), "keyshift-cert-"));
    const file = (name: string, text: string) => (writeFileSync(path.join(dir, name), text), name);
    const openssl = (...args: string[]) =>
        execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const subject = `/CN=${inputs.subject?.commonName ?? "keyshift"}${inputs.subject?.organization ? `/O=${inputs.subject.organization}` : ""}`;
    const days = String(Math.max(1, Math.ceil((inputs.validityPeriodHours ?? 24) / 24)));
    const san = (inputs.dnsNames ?? []).length
        ? ["-addext", `subjectAltName=${inputs.dnsNames.map((n: string) => `DNS:${n}`).join(",")}`]
        : [];
    try {
        if (type === "tls:index/certRequest:CertRequest") {
            openssl(
                "req",
                "-new",
                "-key",
                file("key.pem", inputs.privateKeyPem),
                "-subj",
                subject,
                ...san,
                "-out",
                "req.pem",
            );
            return { certRequestPem: readFileSync(path.join(dir, "req.pem"), "utf8") };
        }
        if (type === "tls:index/selfSignedCert:SelfSignedCert") {
            const ca = inputs.isCaCertificate
                ? [
                      "-addext",
                      "basicConstraints=critical,CA:TRUE",
                      "-addext",
                      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
                  ]
                : [];
            openssl(
                "req",
                "-x509",
                "-key",
                file("key.pem", inputs.privateKeyPem),
                "-subj",
                subject,
                "-days",
                days,
                ...ca,
                ...san,
                "-out",
                "cert.pem",
            );
        } else {
            openssl(
                "x509",
                "-req",
                "-in",
                file("req.pem", inputs.certRequestPem),
                "-CA",
                file("ca.pem", inputs.caCertPem),
                "-CAkey",
                file("ca.key", inputs.caPrivateKeyPem),
                "-CAcreateserial",
                "-days",
                days,
                "-copy_extensions",
                "copy",
                "-out",
                "cert.pem",
            );
        }
        const certPem = readFileSync(path.join(dir, "cert.pem"), "utf8");
        const cert = new X509Certificate(certPem);
        return {
            certPem,
            validityStartTime: new Date(cert.validFrom).toISOString(),
            validityEndTime: new Date(cert.validTo).toISOString(),
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

function passwordFor(inputs: Record<string, any>): string {
    const alphabet =
        (inputs.lower ? "abcdefghijklmnopqrstuvwxyz" : "") +
        (inputs.upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "") +
        (inputs.numeric ? "0123456789" : "") +
        (inputs.special ? (inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?") : "");
    return [...randomBytes(inputs.length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

// Under mocks the SDK has no engine to send logs to and prints them with console.warn: the current run keeps them.
const run: { harness?: Harness } = {};
const consoleWarn = console.warn;
console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (run.harness && text.startsWith("warning: ")) {
        run.harness.warnings.push(text.replace(/^warning: (\[runtime\] )?/, ""));
        return;
    }
    consoleWarn(...args);
};

export class Harness implements pulumi.runtime.Mocks {
    /** Resources registered in the current run. */
    resources: Registered[] = [];
    /** Ledger state (checked inputs) by resource name, carried from run to run like a checkpoint. */
    private ledgers = new Map<string, Record<string, any>>();
    private ledgersThisRun = new Map<string, Record<string, any>>();
    /** Material by `${name}#${generation}`, so an unchanged slot keeps its bytes across runs. */
    private material = new Map<string, Record<string, any>>();
    /** Number of key or password values generated in the current run. */
    generatedThisRun = 0;
    /** The ledger check failures of the current run, as the engine would print them: the run stops at them. */
    refusals: string[] = [];
    /** Warnings the components logged in the current run. */
    warnings: string[] = [];

    constructor(private readonly preview = false) {}

    /** Starts a new simulated `pulumi up`: the previous run's ledgers become the old state. */
    async newRun(preview = this.preview): Promise<void> {
        for (const [name, state] of this.ledgersThisRun) {
            this.ledgers.set(name, state);
        }
        this.ledgersThisRun.clear();
        this.resources = [];
        this.generatedThisRun = 0;
        this.refusals = [];
        this.warnings = [];
        run.harness = this;
        await pulumi.runtime.setMocks(this, "keyshift", "test", preview);
    }

    /** Edits a ledger's stored state, as an earlier keyshift or a damaged checkpoint would have left it. */
    rewriteLedger(name: string, edit: (state: Record<string, any>) => Record<string, any>): void {
        const latest = this.ledgersThisRun.get(name) ?? this.ledgers.get(name);
        if (!latest) throw new Error(`no ledger named ${name}`);
        this.ledgersThisRun.set(name, edit(latest));
    }

    /** Waits until registrations stop arriving: children whose inputs are Outputs register late. */
    async settled(): Promise<void> {
        let seen = -1;
        while (seen !== this.resources.length) {
            seen = this.resources.length;
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }

    byType(type: string): Registered[] {
        return this.resources.filter((resource) => resource.type === type);
    }

    byName(name: string): Registered {
        const found = this.resources.find((resource) => resource.name === name);
        if (!found) {
            throw new Error(`no resource named ${name}; have ${this.resources.map((r) => r.name).join(", ")}`);
        }
        return found;
    }

    private generation(resourceName: string): number {
        const match = /^(.*)-slot(\d+)$/.exec(resourceName);
        const ledger = match && this.ledgersThisRun.get(`${match[1]}-ledger`);
        if (!match || !ledger) {
            return 0;
        }
        return ledger.ledger.slots[Number(match[2])].generation;
    }

    private remember(name: string, make: () => Record<string, any>): Record<string, any> {
        const key = `${name}#${this.generation(name)}`;
        if (!this.material.has(key)) {
            this.generatedThisRun++;
            const material = make();
            // Mock secrets are still secrets in test output: a failed assertion shows their digests instead.
            registerSecrets(
                Object.values(material),
                Object.values(material).map((value) => Buffer.from(String(value), "base64").toString("utf8")),
            );
            this.material.set(key, material);
        }
        return this.material.get(key)!;
    }

    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, any> }> {
        const secretInputs: string[] = [];
        const inputs = unwrapSecrets({ ...args.inputs }, "", secretInputs);
        delete inputs.__provider;
        this.resources.push({ type: args.type, name: args.name, inputs, secretInputs });
        switch (args.type) {
            case LEDGER_TYPE:
            case REFUSAL_TYPE: {
                const checked = await ledgerProvider.check(this.ledgers.get(args.name) ?? {}, inputs);
                if (checked.failures?.length) {
                    this.refusals.push(checked.failures[0].reason);
                    throw new Error(checked.failures[0].reason);
                }
                this.ledgersThisRun.set(args.name, checked.inputs!);
                return { id: `${args.name}-id`, state: checked.inputs! };
            }
            case "tls:index/privateKey:PrivateKey": {
                const pair = this.remember(args.name, () => keyPairFor(inputs));
                return { id: `${args.name}-id`, state: { ...inputs, ...pair } };
            }
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/certRequest:CertRequest":
            case "tls:index/locallySignedCert:LocallySignedCert": {
                // The engine replaces a certificate when its inputs change; the same inputs keep the same certificate.
                const key = `${args.name}#${createHash("sha256").update(JSON.stringify(inputs)).digest("hex")}`;
                if (!this.material.has(key)) this.material.set(key, certificateFor(args.type, inputs));
                return { id: `${args.name}-id`, state: { ...inputs, ...this.material.get(key)! } };
            }
            case "aws:iam/accessKey:AccessKey": {
                const key = this.remember(args.name, () => ({
                    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
                    secret: randomBytes(30).toString("base64"),
                    createDate: new Date().toISOString(),
                }));
                return {
                    id: key.accessKeyId,
                    state: { ...inputs, secret: key.secret, createDate: key.createDate },
                };
            }
            case "random:index/randomPassword:RandomPassword": {
                const value = this.remember(args.name, () => ({ result: passwordFor(inputs) }));
                return { id: `${args.name}-id`, state: { ...inputs, ...value } };
            }
            case "aws:s3/bucket:Bucket": {
                const bucket = inputs.bucket ?? `${args.name}-abc123`;
                return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
            }
            case "kubernetes:core/v1:Secret": {
                if (inputs.type !== "kubernetes.io/service-account-token") {
                    return { id: `${args.name}-id`, state: inputs };
                }
                // The token controller's part: a fresh token for each new generation of the slot.
                const filled = this.remember(args.name, () => ({
                    token: Buffer.from(`token-${args.name}-${randomBytes(8).toString("hex")}`).toString("base64"),
                }));
                return { id: `${args.name}-id`, state: { ...inputs, data: { token: filled.token } } };
            }
            case "aws:rds/cluster:Cluster": {
                const endpoint = `${args.name}.cluster-abc123.eu-west-1.rds.amazonaws.com`;
                return {
                    id: args.name,
                    state: { ...inputs, endpoint, port: inputs.port ?? 5432, databaseName: inputs.databaseName },
                };
            }
            case "aws:rds/instance:Instance": {
                const address = `${args.name}.abc123.eu-west-1.rds.amazonaws.com`;
                const port = inputs.port ?? 5432;
                return { id: args.name, state: { ...inputs, address, port, endpoint: `${address}:${port}` } };
            }
            case "aws:elasticache/replicationGroup:ReplicationGroup": {
                const id = inputs.replicationGroupId ?? args.name;
                return {
                    id,
                    state: {
                        ...inputs,
                        primaryEndpointAddress: `master.${id}.abc123.euw1.cache.amazonaws.com`,
                        memberClusters: [`${id}-001`, `${id}-002`],
                    },
                };
            }
            default:
                return { id: `${args.name}-id`, state: inputs };
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        return args.inputs;
    }
}

/** The value of an Output, for assertions. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}
