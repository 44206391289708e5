import * as assert from "assert";
import { DATE_FORMS } from "../../components/ring/dates";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { Harness, valueOf } from "./harness";
import { IamAccessKeys, accessKeyStatus } from "../../components/aws/iamAccessKeys";
import { CiliumIpsecKeys } from "../../components/k8s/ciliumIpsecKeys";
import { IPSEC_ICV_BITS, IPSEC_KEY_BYTES, ipsecKeyLine, spiOf } from "../../components/k8s/ciliumIpsec";
import { RegistryCredentialSecret, isRegistryHost } from "../../components/k8s/registryCredentialSecret";
import { Ledger, RotationRequest, planRotation } from "../../components/ring/ring";

// IAM access keys, Cilium IPsec keys and registry credentials: two-slot rings under mocks, their inputs, secrets and
// refusals, and Cilium's key-id rule as a property.

const ACCESS_KEY = "aws:iam/accessKey:AccessKey";
const SECRET = "kubernetes:core/v1:Secret";
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString().slice(0, 10);

/** The resource options each child of a component is registered with, as a transformation sees them. */
function capture(): {
    opts: pulumi.ComponentResourceOptions;
    seen: { type: string; opts: pulumi.CustomResourceOptions }[];
} {
    const seen: { type: string; opts: pulumi.CustomResourceOptions }[] = [];
    return {
        seen,
        opts: {
            transformations: [
                (args) => {
                    seen.push({ type: args.type, opts: args.opts as pulumi.CustomResourceOptions });
                    return undefined;
                },
            ],
        },
    };
}

describe("IamAccessKeys", () => {
    async function keys(
        harness: Harness,
        rotatedDate: string,
        extra: object = {},
        opts?: pulumi.ComponentResourceOptions,
    ) {
        await harness.newRun();
        const component = new IamAccessKeys(
            "deployer",
            { rotatedDate, user: "ci-deployer", configPath: "keyshift:iamKeys", ...extra },
            opts,
        );
        const state = {
            primaryId: await valueOf(component.primary.accessKeyId),
            previousId: await valueOf(component.previous.accessKeyId),
            previousStatus: await valueOf(component.previous.status),
        };
        await harness.settled();
        return { component, ...state };
    }

    it("keeps two keys on one user, deleting the replaced one first: a bump never asks for a third", async () => {
        const harness = new Harness();
        const watched = capture();
        const first = await keys(harness, daysAgo(60), {}, watched.opts);
        assert.deepStrictEqual(
            harness.byType(ACCESS_KEY).map((key) => [key.name, key.inputs]),
            [
                ["deployer-slot0", { user: "ci-deployer", status: "Active" }],
                ["deployer-slot1", { user: "ci-deployer", status: "Active" }],
            ],
        );
        const slots = watched.seen.filter((child) => child.type === ACCESS_KEY);
        assert.deepStrictEqual(
            slots.map((child) => child.opts.deleteBeforeReplace),
            [true, true],
        );
        let primary = first.primaryId;
        for (const date of [daysAgo(30), daysAgo(20), daysAgo(10)]) {
            const bumped = await keys(harness, date);
            assert.strictEqual(harness.byType(ACCESS_KEY).length, 2, "two AccessKey resources, never a third");
            assert.strictEqual(harness.generatedThisRun, 1, "one key replaced");
            assert.strictEqual(bumped.previousId, primary);
            primary = bumped.primaryId;
        }
    });

    it("moves the old key to previous and keeps every secret access key secret", async () => {
        const harness = new Harness();
        const first = await keys(harness, daysAgo(30));
        const bumped = await keys(harness, daysAgo(2));
        assert.strictEqual(bumped.previousId, first.primaryId);
        assert.notStrictEqual(bumped.primaryId, first.primaryId);
        for (const slot of [bumped.component.primary, bumped.component.previous, ...bumped.component.slots]) {
            assert.strictEqual(await pulumi.isSecret(slot.secretAccessKey), true);
        }
        assert.strictEqual(await pulumi.isSecret(bumped.component.primary.accessKeyId), false);
    });

    it("makes the previous key Inactive in place once deactivatePreviousAfter has passed, and Active again on a rollback", async () => {
        const harness = new Harness();
        const d1 = daysAgo(40);
        await keys(harness, d1, { deactivatePreviousAfter: "7d" });
        const recent = await keys(harness, daysAgo(3), { deactivatePreviousAfter: "7d" });
        assert.strictEqual(recent.previousStatus, "Active", "3 days after the rotation: still active");
        // A later run with the rotation 10 days back: the previous key is made inactive, nothing is replaced.
        const harness2 = new Harness();
        await keys(harness2, d1, { deactivatePreviousAfter: "7d" });
        const old = await keys(harness2, daysAgo(10), { deactivatePreviousAfter: "7d" });
        assert.strictEqual(old.previousStatus, "Inactive");
        const inactive = harness2.byType(ACCESS_KEY).find((key) => key.inputs.status === "Inactive");
        assert.ok(inactive, "the previous slot's AccessKey is declared Inactive");
        const rolledBack = await keys(harness2, d1, { deactivatePreviousAfter: "7d" });
        assert.strictEqual(harness2.generatedThisRun, 0);
        assert.strictEqual(rolledBack.primaryId, old.previousId);
        assert.deepStrictEqual(
            harness2.byType(ACCESS_KEY).find((key) => key.name === inactive!.name)!.inputs.status,
            "Active",
            "the key that is primary again is active",
        );
    });

    it("publishes the primary key to a Secret for readers", async () => {
        const harness = new Harness();
        await harness.newRun();
        const provider = new k8s.Provider("cluster", { enableSecretMutable: true });
        const component = new IamAccessKeys("deployer", {
            rotatedDate: "2026-01-01",
            user: "ci-deployer",
            kubernetes: { provider, namespace: "ci" },
        });
        const id = await valueOf(component.primary.accessKeyId);
        await harness.settled();
        const secret = harness.byType(SECRET)[0];
        assert.strictEqual(secret.inputs.stringData.aws_access_key_id, id);
        assert.strictEqual(
            secret.inputs.stringData.aws_secret_access_key,
            await valueOf(component.primary.secretAccessKey),
        );
        assert.ok(secret.secretInputs.includes("stringData"));
    });

    it("refuses a user name AWS refuses and an interval that is not one", async () => {
        const harness = new Harness();
        await harness.newRun();
        const refusal = (extra: object) => {
            try {
                new IamAccessKeys("k", {
                    rotatedDate: "2026-01-01",
                    user: "ci",
                    configPath: "keyshift:iamKeys",
                    ...extra,
                });
            } catch (e: any) {
                return `${e.propertyPath}: ${e.reason}`;
            }
            return "accepted";
        };
        assert.strictEqual(
            refusal({ user: "ci deployer" }),
            'keyshift:iamKeys.user: "ci deployer" is not an IAM user name: AWS takes 1 to 64 letters, digits and +=,.@_-',
        );
        assert.match(
            refusal({ deactivatePreviousAfter: "a week" }),
            /^keyshift:iamKeys.deactivatePreviousAfter: "a week"/,
        );
        assert.strictEqual(refusal({ user: "ci.deployer+bot@example" }), "accepted");
    });

    it("status: the primary is always active, a revoked key never, the previous by the clock", () => {
        const ledger = planRotation(undefined, request("2026-01-01")).ledger;
        const bumped = planRotation(ledger, request("2026-02-01")).ledger;
        const at = (iso: string) => Date.parse(iso);
        assert.strictEqual(accessKeyStatus(bumped, bumped.primary, 7 * DAY, at("2027-01-01")), "Active");
        assert.strictEqual(accessKeyStatus(bumped, 1 - bumped.primary, 7 * DAY, at("2026-02-07")), "Active");
        assert.strictEqual(accessKeyStatus(bumped, 1 - bumped.primary, 7 * DAY, at("2026-02-08")), "Inactive");
        assert.strictEqual(accessKeyStatus(bumped, 1 - bumped.primary, undefined, at("2030-01-01")), "Active");
        const emergency = planRotation(bumped, { ...request("2026-03-01"), compromised: true }).ledger;
        assert.strictEqual(accessKeyStatus(emergency, 1 - emergency.primary, undefined, at("2026-03-01")), "Inactive");
    });
});

function request(rotatedDate: string): RotationRequest {
    return { rotatedDate, minRotationInterval: "1d", slotCount: 2, staged: 0, label: "keyshift:x.rotatedDate" };
}

describe("CiliumIpsecKeys", () => {
    const provider = () => new k8s.Provider("cluster", { enableSecretMutable: true });
    async function ipsec(harness: Harness, rotatedDate: string, extra: object = {}) {
        await harness.newRun();
        const component = new CiliumIpsecKeys("ipsec", {
            rotatedDate,
            provider: provider(),
            configPath: "keyshift:ipsec",
            ...extra,
        });
        await harness.settled();
        return component;
    }
    const line = (harness: Harness) => harness.byType(SECRET)[0]?.inputs.stringData.keys as string | undefined;
    const LINE = /^(\d+)\+ rfc4106\(gcm\(aes\)\) ([0-9a-f]+) 128$/;

    it("writes the cilium-ipsec-keys Secret in Cilium's format, secret, with key id 1 at first", async () => {
        const harness = new Harness();
        const component = await ipsec(harness, "2026-01-01");
        const secret = harness.byType(SECRET)[0];
        assert.deepStrictEqual(secret.inputs.metadata.name, "cilium-ipsec-keys");
        assert.deepStrictEqual(secret.inputs.metadata.namespace, "kube-system");
        assert.ok(secret.secretInputs.includes("stringData"));
        const [, spi, key] = LINE.exec(line(harness)!)!;
        assert.strictEqual(spi, "1");
        assert.strictEqual(key.length, 40, "20 bytes: an AES-128 key and a 4-byte salt");
        assert.strictEqual(await valueOf(component.primary.spi), 1);
        assert.strictEqual(await pulumi.isSecret(component.primary.line), true);
    });

    it("a bump writes one new key with a later key id; the old one stays as previous", async () => {
        const harness = new Harness();
        await ipsec(harness, "2026-01-01");
        const before = line(harness)!;
        const bumped = await ipsec(harness, "2026-02-01");
        const after = line(harness)!;
        assert.strictEqual(harness.generatedThisRun, 1);
        assert.strictEqual(LINE.exec(after)![1], "3");
        assert.notStrictEqual(LINE.exec(after)![2], LINE.exec(before)![2]);
        assert.strictEqual(await valueOf(bumped.previous.line), before);
    });

    it("refuses at the ledger, before anything changes, a rollback, a key length change and a provider that would delete the Secret", async () => {
        const harness = new Harness();
        await ipsec(harness, "2026-01-01");
        await ipsec(harness, "2026-02-01");
        await ipsec(harness, "2026-01-01");
        assert.deepStrictEqual(harness.refusals, [
            'keyshift:ipsec.rotatedDate = "2026-01-01" rolls back to the previous key, but Cilium\'s key ids only go forward (1 to 15, then 1 again): set a later date to rotate to a new key instead',
        ]);
        assert.deepStrictEqual(harness.byType(SECRET), [], "the refused run declares no Secret change");
        await ipsec(harness, "2026-03-01", { keyBytes: 36 });
        assert.deepStrictEqual(harness.refusals, [
            "keyshift:ipsec.keyBytes = 36 differs from 20, which the key in use has: Cilium ignores a rotated key of another length, so this Secret keeps it; create a new one (and restart the agents) to change it",
        ]);
        await harness.newRun();
        new CiliumIpsecKeys("ipsec", {
            rotatedDate: "2026-03-01",
            provider: new k8s.Provider("plain", {}),
            configPath: "keyshift:ipsec",
        });
        await harness.settled();
        assert.deepStrictEqual(harness.refusals, [
            "keyshift:ipsec.provider: the Kubernetes provider needs enableSecretMutable: true, or a rotation deletes kube-system/cilium-ipsec-keys before creating it again, and agents that read it meanwhile find no key",
        ]);
        assert.throws(
            () => new CiliumIpsecKeys("x", { rotatedDate: "2026-01-01", provider: provider(), algorithm: "cbc(aes)" }),
            (e: any) =>
                e.propertyPath === "x.algorithm" &&
                e.reason ===
                    '"cbc(aes)" is not an algorithm keyshift writes: use rfc4106(gcm(aes)) (AES-GCM, as Cilium\'s guide does)',
        );
        assert.throws(
            () => new CiliumIpsecKeys("x", { rotatedDate: "2026-01-01", provider: provider(), keyBytes: 16 }),
            (e: any) =>
                e.propertyPath === "x.keyBytes" &&
                /not a length rfc4106\(gcm\(aes\)\) takes: use 20, 28 or 36/.test(e.reason),
        );
    });

    it("key ids: always 1 to 15, always different from the key in use, over any sequence of bumps and emergencies", () => {
        fc.assert(
            fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 80 }), (emergencies) => {
                let ledger: Ledger = planRotation(undefined, request("2026-01-01")).ledger;
                let spi = spiOf(ledger.slots[ledger.primary].generation);
                emergencies.forEach((emergency, step) => {
                    const date = new Date(Date.UTC(2026, 0, 2 + step)).toISOString().slice(0, 10);
                    ledger = planRotation(ledger, {
                        ...request(date),
                        compromised: emergency ? date : undefined,
                    }).ledger;
                    const next = spiOf(ledger.slots[ledger.primary].generation);
                    assert.ok(next >= 1 && next <= 15);
                    assert.notStrictEqual(next, spi);
                    // Forward modulo the rollover from 15 to 1: one or two steps on.
                    assert.ok([1, 2].includes((next - spi + 15) % 15));
                    spi = next;
                });
            }),
            { numRuns: 500 },
        );
        assert.deepStrictEqual(IPSEC_KEY_BYTES, [20, 28, 36]);
    });

    it("key lines: Cilium's format, the key as long as the algorithm takes, for every length and ICV allowed", () => {
        fc.assert(
            fc.property(
                fc.constantFrom(...IPSEC_KEY_BYTES),
                fc.constantFrom(...IPSEC_ICV_BITS),
                fc.integer({ min: 1, max: 10_000 }),
                fc.boolean(),
                fc.uint8Array({ minLength: 36, maxLength: 36 }),
                (keyBytes, icvBits, generation, perTunnel, bytes) => {
                    const keyHex = Buffer.from(bytes.subarray(0, keyBytes)).toString("hex");
                    const text = ipsecKeyLine({ spi: spiOf(generation), keyHex, icvBits, perTunnel });
                    const match = /^(\d+)(\+?) rfc4106\(gcm\(aes\)\) ([0-9a-f]+) (\d+)$/.exec(text);
                    assert.ok(match, text.replace(keyHex, "<key>"));
                    assert.strictEqual(match[3].length, keyBytes * 2);
                    assert.strictEqual(Number(match[4]), icvBits);
                    assert.strictEqual(match[2] === "+", perTunnel);
                    assert.ok(Number(match[1]) >= 1 && Number(match[1]) <= 15);
                },
            ),
        );
    });
});

describe("RegistryCredentialSecret", () => {
    const provider = () => new k8s.Provider("cluster", { enableSecretMutable: true });

    it("publishes a dockerconfigjson Secret from its own password ring, re-published on a bump", async () => {
        const harness = new Harness();
        const doc = async (rotatedDate: string) => {
            await harness.newRun();
            const registry = new RegistryCredentialSecret("pull", {
                rotatedDate,
                provider: provider(),
                name: "registry-pull",
                namespace: "apps",
                server: "registry.example.com:5000",
                username: "puller",
                restartWorkloads: [{ kind: "Deployment", namespace: "apps", name: "web" }],
            });
            const password = await valueOf(registry.password!.primary.value);
            await harness.settled();
            const secret = harness.byType(SECRET)[0];
            assert.strictEqual(secret.inputs.type, "kubernetes.io/dockerconfigjson");
            assert.ok(secret.secretInputs.includes("stringData"));
            return { password, config: JSON.parse(secret.inputs.stringData[".dockerconfigjson"]) };
        };
        const first = await doc("2026-01-01");
        const entry = first.config.auths["registry.example.com:5000"];
        assert.deepStrictEqual(entry, {
            username: "puller",
            password: first.password,
            auth: Buffer.from(`puller:${first.password}`).toString("base64"),
        });
        const bumped = await doc("2026-02-01");
        assert.notStrictEqual(bumped.password, first.password);
        assert.strictEqual(bumped.config.auths["registry.example.com:5000"].password, bumped.password);
        assert.strictEqual(harness.byType("kubernetes:apps/v1:DeploymentPatch").length, 1);
    });

    it("takes a credential another component rotates, and refuses a server that is not a host name", async () => {
        const harness = new Harness();
        await harness.newRun();
        const registry = new RegistryCredentialSecret("pull", {
            provider: provider(),
            name: "registry-pull",
            server: "ghcr.io",
            username: "bot",
            credential: { value: pulumi.secret("token-from-elsewhere"), rotatedDate: "2026-01-01" },
        });
        assert.strictEqual(registry.password, undefined);
        await valueOf(registry.secret.urn);
        assert.strictEqual(
            JSON.parse(harness.byType(SECRET)[0].inputs.stringData[".dockerconfigjson"]).auths["ghcr.io"].password,
            "token-from-elsewhere",
        );
        assert.throws(
            () =>
                new RegistryCredentialSecret("bad", {
                    provider: provider(),
                    name: "x",
                    server: "https://registry.example.com/v2",
                    username: "u",
                    rotatedDate: "2026-01-01",
                    configPath: "keyshift:registry",
                }),
            (e: any) =>
                e.propertyPath === "keyshift:registry.server" &&
                e.reason.startsWith('"https://registry.example.com/v2" is not a registry host name'),
        );
        assert.throws(
            () =>
                new RegistryCredentialSecret("nodate", {
                    provider: provider(),
                    name: "x",
                    server: "ghcr.io",
                    username: "u",
                }),
            (e: any) => e.propertyPath === "nodate.rotatedDate",
        );
        const base = {
            provider: provider(),
            name: "x",
            server: "ghcr.io",
            username: "u",
            configPath: "keyshift:registry",
        };
        for (const [args, key, reason] of [
            [
                { credential: "a token" },
                "credential",
                "expected { value, rotatedDate }: the password or token another component rotates, and its rotation date",
            ],
            [
                { credential: { value: "t" } },
                "credential",
                "expected { value, rotatedDate }: the password or token another component rotates, and its rotation date",
            ],
            [
                { credential: { value: "t", rotatedDate: "2026-01-01" }, length: 40 },
                "length",
                "not used with credential: the component that rotates the credential takes it",
            ],
            [
                { credential: { value: null, rotatedDate: "2026-01-01" } },
                "credential",
                "expected { value, rotatedDate }: the password or token another component rotates, and its rotation date",
            ],
            [
                { credential: { value: "t", rotatedDate: "garbage" } },
                "credential.rotatedDate",
                `"garbage" is not a date: use ${DATE_FORMS}`,
            ],
            [
                { rotatedDate: "2026-01-01", restartWorkloads: [{ kind: "Deployment", namespace: "a", nmae: "b" }] },
                "restartWorkloads[0].nmae",
                "not a field of a workload (it takes kind, namespace, name)",
            ],
            [
                { rotatedDate: "2026-01-01", restartWorkloads: [{ kind: "constructor", namespace: "a", name: "b" }] },
                "restartWorkloads[0].kind",
                '"constructor" cannot be restarted: use Deployment, StatefulSet or DaemonSet',
            ],
            [
                { rotatedDate: "2026-01-01", username: "u:x" },
                "username",
                '"u:x" contains ":", which the registry reads as the end of the user name',
            ],
        ] as const) {
            assert.throws(
                () => new RegistryCredentialSecret("r", { ...base, ...(args as object) } as never),
                // A workload is named by its place in the list, as WorkloadRestarts names it.
                (e: any) =>
                    e.propertyPath === (key.startsWith("restartWorkloads") ? key : `keyshift:registry.${key}`) &&
                    e.reason === reason,
                JSON.stringify(args),
            );
        }
    });

    it("refuses, at its ledger, a provider that would delete and re-create the Secret", async () => {
        const harness = new Harness();
        await harness.newRun();
        new RegistryCredentialSecret("pull", {
            rotatedDate: "2026-01-01",
            provider: new k8s.Provider("plain", {}),
            name: "registry-pull",
            server: "ghcr.io",
            username: "bot",
            configPath: "keyshift:registry",
        });
        await harness.settled();
        assert.deepStrictEqual(harness.refusals, [
            "keyshift:registry.provider: the Kubernetes provider needs enableSecretMutable: true, or a rotation deletes the Secret registry-pull before creating it again, and pods that start meanwhile cannot pull",
        ]);
        assert.deepStrictEqual(harness.byType(SECRET), []);
    });

    it("host names: what image references name, never a URL", () => {
        for (const ok of [
            "ghcr.io",
            "registry.example.com:5000",
            "localhost:5000",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        ]) {
            assert.ok(isRegistryHost(ok), ok);
        }
        for (const bad of ["https://ghcr.io", "ghcr.io/org", "", "registry:99999", "-bad.example", "a b"]) {
            assert.ok(!isRegistryHost(bad), bad);
        }
    });
});
