import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { GROUP_ARGS, Harness, Registered, valueOf } from "./harness";
import { RotatingPassword } from "../../components/passwords/rotatingPassword";
import { ServiceAccountSigningKeys } from "../../components/k8s/serviceAccountSigningKeys";
import { ServiceAccountToken } from "../../components/k8s/serviceAccountToken";
import { RdsPassword, RdsPasswordArgs } from "../../components/aws/rdsPassword";
import { ElasticacheAuthToken } from "../../components/aws/elasticacheAuthToken";
import { Jwks } from "../../components/jwks";
import * as ledgerProvider from "../../components/ring/ledgerProvider";

// Every config change is a planned rotation or a clear refusal, for every component: settings changes regenerate
// nothing until the next rotation, emergencies revoke the exposed credential at once and for good, and a write-only
// secret changes exactly when its version does.

const PASSWORD = "random:index/randomPassword:RandomPassword";
const TLS = "tls:index/privateKey:PrivateKey";
const TOKEN_SECRET = "kubernetes.io/service-account-token";

/** Runs a program the ledger refuses, and returns the refusals: the engine would stop at them, so nothing resolves. */
async function refusals(harness: Harness, build: () => void): Promise<string[]> {
    await harness.newRun();
    build();
    await harness.settled();
    return harness.refusals;
}

const byName = (resources: Registered[]) =>
    Object.fromEntries(resources.map((resource) => [resource.name, resource.inputs]));

async function password(harness: Harness, rotatedDate: string, extra: object = {}) {
    await harness.newRun();
    const app = new RotatingPassword("app", { rotatedDate, configPath: "keyshift:appPassword", ...extra });
    const state = {
        primary: await valueOf(app.primary.value),
        previous: await valueOf(app.previous.value),
        previousDate: await valueOf(app.previous.rotatedDate),
    };
    await harness.settled();
    return { ...state, slots: byName(harness.byType(PASSWORD)) };
}

async function signer(harness: Harness, rotatedDate: string, extra: object = {}) {
    await harness.newRun();
    const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
    const keys = new ServiceAccountSigningKeys("sa", {
        rotatedDate,
        configPath: "keyshift:signingKeys",
        kubernetes: { provider },
        ...extra,
    });
    const jwks: Jwks = JSON.parse(await valueOf(keys.jwks));
    const state = {
        jwks,
        kids: {
            primary: await valueOf(keys.primary.kid),
            previous: await valueOf(keys.previous.kid),
            next: await valueOf(keys.next.kid),
        },
        trusted: await valueOf(keys.trustedPublicKeys),
        configMap: await valueOf(keys.trustedKeysConfigMap!.data),
    };
    await harness.settled();
    return { ...state, keys: byName(harness.byType(TLS)) };
}

async function token(harness: Harness, rotatedDate: string, extra: object = {}) {
    await harness.newRun();
    const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
    const ci = new ServiceAccountToken("ci", {
        rotatedDate,
        provider,
        serviceAccount: { namespace: "ci", name: "deployer" },
        ...extra,
    });
    const state = {
        token: await valueOf(ci.token),
        previousToken: await valueOf(ci.previousToken),
        previousSecretName: await valueOf(ci.previousSecretName),
    };
    await harness.settled();
    const secrets = harness.byType("kubernetes:core/v1:Secret").filter((s) => s.inputs.type === TOKEN_SECRET);
    return { ...state, secrets: secrets.map((s) => s.inputs.metadata.name).sort() };
}

async function redis(harness: Harness, rotatedDate: string, extra: object = {}) {
    await harness.newRun();
    const cache = new ElasticacheAuthToken("sessions", {
        rotatedDate,
        configPath: "keyshift:redis",
        replicationGroup: GROUP_ARGS,
        ...extra,
    });
    await valueOf(cache.replicationGroup.id);
    const group = harness.byType("aws:elasticache/replicationGroup:ReplicationGroup")[0].inputs;
    return { group, previous: await valueOf(cache.previous.value) };
}

async function rds(harness: Harness, rotatedDate: string, extra: object = {}) {
    await harness.newRun();
    const db = new RdsPassword("orders", {
        rotatedDate,
        configPath: "keyshift:database",
        engine: "postgres",
        username: "orders_app",
        instance: { instanceClass: "db.t4g.micro", allocatedStorage: 20 },
        ...extra,
    } as RdsPasswordArgs);
    await valueOf(db.instance!.id);
    const instance = harness.byType("aws:rds/instance:Instance")[0].inputs;
    return { instance, previous: await valueOf(db.previous.value) };
}

async function auroraCluster(harness: Harness, rotatedDate: string, extra: object = {}) {
    await harness.newRun();
    const db = new RdsPassword("orders", {
        rotatedDate,
        configPath: "keyshift:database",
        engine: "aurora-mysql",
        username: "orders_app",
        cluster: { databaseName: "orders" },
        ...extra,
    });
    await valueOf(db.cluster!.id);
    const cluster = harness.byType("aws:rds/cluster:Cluster")[0].inputs;
    return { cluster, previous: await valueOf(db.previous.value) };
}

describe("settings apply to the slots generated from then on", () => {
    it("a password length change regenerates nothing and warns once per run; the next rotation generates one slot with it", async () => {
        const harness = new Harness();
        const first = await password(harness, "2026-01-01");
        assert.deepStrictEqual(
            Object.values(first.slots).map((inputs) => inputs.length),
            [32, 32],
        );

        const changed = await password(harness, "2026-01-01", { length: 48 });
        assert.strictEqual(harness.generatedThisRun, 0, "no password regenerated");
        assert.deepStrictEqual(changed.slots, first.slots, "each slot keeps the inputs it had");
        assert.strictEqual(changed.primary, first.primary);
        assert.deepStrictEqual(harness.warnings, [
            "keyshift:appPassword.length = 48 takes effect at the next rotation; until then every slot keeps the settings it was generated with (length 32)",
        ]);

        const bumped = await password(harness, "2026-02-01", { length: 48 });
        assert.strictEqual(harness.generatedThisRun, 1);
        assert.strictEqual(bumped.primary.length, 48, "the new password has the new length");
        assert.strictEqual(bumped.previous, first.primary, "the old one keeps its bytes");
        assert.deepStrictEqual(
            Object.values(bumped.slots)
                .map((inputs) => inputs.length)
                .sort(),
            [32, 48],
        );
        assert.deepStrictEqual(harness.warnings, []);

        // Rolling back regenerates nothing, whatever the settings.
        await password(harness, "2026-01-01", { length: 20 });
        assert.strictEqual(harness.generatedThisRun, 0);
        assert.strictEqual(harness.warnings.length, 1);
    });

    it("a signer migrates RSA-2048 to ECDSA-P256 one key per rotation, trusting both kinds meanwhile", async () => {
        const harness = new Harness();
        const algorithms = (keys: Record<string, any>) =>
            Object.values(keys)
                .map((inputs) => `${inputs.algorithm}-${inputs.rsaBits ?? inputs.ecdsaCurve}`)
                .sort();
        const algs = (jwks: Jwks) => jwks.keys.map((key) => key.alg).sort();
        const d1 = await signer(harness, "2026-01-01");
        assert.deepStrictEqual(algorithms(d1.keys), ["RSA-2048", "RSA-2048", "RSA-2048"]);

        const changed = await signer(harness, "2026-01-01", { algorithm: "ECDSA-P256" });
        assert.strictEqual(harness.generatedThisRun, 0);
        assert.deepStrictEqual(changed.keys, d1.keys);
        assert.match(
            harness.warnings[0],
            /^keyshift:signingKeys.algorithm = "ECDSA-P256" takes effect at the next rotation/,
        );

        const d2 = await signer(harness, "2026-02-01", { algorithm: "ECDSA-P256" });
        assert.deepStrictEqual(algorithms(d2.keys), ["ECDSA-P256", "RSA-2048", "RSA-2048"]);
        assert.deepStrictEqual(algs(d2.jwks), ["ES256", "RS256", "RS256"], "keys.json holds both kinds");
        assert.strictEqual(d2.jwks.keys.find((key) => key.kid === d2.kids.next)?.alg, "ES256", "staged first");
        assert.strictEqual(Object.keys(d2.configMap).length, 3);

        const d3 = await signer(harness, "2026-03-01", { algorithm: "ECDSA-P256" });
        assert.strictEqual(d3.jwks.keys[0].alg, "ES256", "the ECDSA key signs once it was trusted a full rotation");
        const d4 = await signer(harness, "2026-04-01", { algorithm: "ECDSA-P256" });
        assert.deepStrictEqual(algs(d4.jwks), ["ES256", "ES256", "ES256"]);
        assert.ok(
            !d4.jwks.keys.some((key) => key.kid === d3.kids.previous),
            "the last RSA key left after serving as previous",
        );
    });

    it("RdsPassword: a length change leaves passwordWo and its version alone", async () => {
        const harness = new Harness();
        const first = await rds(harness, "2026-01-01");
        const changed = await rds(harness, "2026-01-01", { length: 20 });
        assert.ok(changed.instance.passwordWo === first.instance.passwordWo, "the database keeps its password");
        assert.strictEqual(changed.instance.passwordWoVersion, first.instance.passwordWoVersion);
        assert.strictEqual(harness.generatedThisRun, 0);
    });
});

describe("a write-only secret changes if and only if its version changes", () => {
    type Step = { kind: "bump" } | { kind: "rollback" } | { kind: "repeat" } | { kind: "length"; length: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
        fc.constant({ kind: "bump" as const }),
        fc.constant({ kind: "rollback" as const }),
        fc.constant({ kind: "repeat" as const }),
        fc.integer({ min: 16, max: 40 }).map((length) => ({ kind: "length" as const, length })),
    );
    for (const [component, run, value, version] of [
        ["RdsPassword (instance)", rds, "passwordWo", "passwordWoVersion"],
        ["RdsPassword (Aurora cluster)", auroraCluster, "masterPasswordWo", "masterPasswordWoVersion"],
        ["ElasticacheAuthToken", redis, "authTokenWo", "authTokenWoVersion"],
    ] as const) {
        it(`${component}: ${value} and ${version} over generated sequences of bumps, rollbacks and settings changes`, async () => {
            await fc.assert(
                fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
                    const harness = new Harness();
                    const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
                    let config = { date: 0, rollback: -1, length: 32 };
                    let last = (await run(harness, day(0), { length: 32 })) as {
                        instance?: any;
                        group?: any;
                        cluster?: any;
                    };
                    for (const s of steps) {
                        if (s.kind === "bump") config = { ...config, rollback: config.date, date: config.date + 2 };
                        if (s.kind === "rollback" && config.rollback >= 0)
                            config = { ...config, date: config.rollback, rollback: -1 };
                        if (s.kind === "length") config = { ...config, length: s.length };
                        const next = (await run(harness, day(config.date), { length: config.length })) as typeof last;
                        const [before, after] = [
                            last.instance ?? last.group ?? last.cluster,
                            next.instance ?? next.group ?? next.cluster,
                        ];
                        assert.strictEqual(
                            before[value] !== after[value],
                            before[version] !== after[version],
                            `${s.kind}: the value changed ${before[value] !== after[value]}, the version ${before[version]} -> ${after[version]}`,
                        );
                        last = next;
                    }
                }),
                { numRuns: 25 },
            );
        });
    }
});

describe("an emergency rotation revokes the exposed credential at once and for good", () => {
    it("signer: the staged key signs, the exposed key leaves keys.json and the ConfigMap, and no date brings it back", async () => {
        const harness = new Harness();
        await signer(harness, "2026-01-01");
        const d2 = await signer(harness, "2026-02-01");
        const emergency = await signer(harness, "2026-02-03", { compromised: true });
        assert.strictEqual(harness.generatedThisRun, 1, "one new key, as in a routine rotation");
        assert.strictEqual(emergency.kids.primary, d2.kids.next, "the already-trusted next key signs at once");
        assert.strictEqual(emergency.kids.previous, "", "no role points at the exposed key");
        const kids = emergency.jwks.keys.map((key) => key.kid);
        assert.deepStrictEqual(kids, [emergency.kids.primary, emergency.kids.next]);
        assert.ok(!kids.includes(d2.kids.primary) && !kids.includes(d2.kids.previous));
        assert.strictEqual(emergency.trusted.length, 2);
        assert.strictEqual(Object.keys(emergency.configMap).length, 2, "the exposed key's ConfigMap entry is gone");

        // Left in config, `compromised: true` changes nothing more.
        const again = await signer(harness, "2026-02-03", { compromised: true });
        assert.deepStrictEqual([harness.generatedThisRun, harness.refusals], [0, []]);
        assert.deepStrictEqual(again.jwks, emergency.jwks);

        const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
        const rollback = () =>
            new ServiceAccountSigningKeys("sa", {
                rotatedDate: "2026-02-01",
                configPath: "keyshift:signingKeys",
                compromised: true,
                kubernetes: { provider },
            });
        assert.deepStrictEqual(await refusals(harness, rollback), [
            'keyshift:signingKeys.rotatedDate = "2026-02-01" goes back past the emergency rotation on 2026-02-03, which revoked the credential generated for 2026-01-01 (generation 2); a revoked credential never returns: use a date later than 2026-02-03',
        ]);

        const routine = await signer(harness, "2026-03-01", { compromised: true });
        assert.strictEqual(routine.jwks.keys.length, 3, "the next bump is routine and fills the ring again");
        assert.strictEqual(routine.kids.previous, emergency.kids.primary);
    });

    it("token: the exposed token's Secret is deleted in the same run and comes back only as a new Secret", async () => {
        const harness = new Harness();
        const d1 = await token(harness, "2026-01-01");
        assert.deepStrictEqual(d1.secrets, ["deployer-token-g1", "deployer-token-g2"]);
        const emergency = await token(harness, "2026-01-02", { compromised: "2026-01-02" });
        assert.deepStrictEqual(emergency.secrets, ["deployer-token-g3"], "only the new token's Secret is declared");
        assert.deepStrictEqual([emergency.previousToken, emergency.previousSecretName], ["", ""]);
        assert.ok(emergency.token !== d1.token);
        const routine = await token(harness, "2026-02-01", { compromised: "2026-01-02" });
        assert.deepStrictEqual(routine.secrets, ["deployer-token-g3", "deployer-token-g4"]);
        assert.strictEqual(routine.previousToken, emergency.token);
    });

    it("ElastiCache: SET for the first token and an emergency, ROTATE for routine bumps and rollbacks", async () => {
        const harness = new Harness();
        const strategies: string[] = [];
        strategies.push((await redis(harness, "2026-01-01")).group.authTokenUpdateStrategy);
        strategies.push((await redis(harness, "2026-02-01")).group.authTokenUpdateStrategy);
        const emergency = await redis(harness, "2026-02-02", { compromised: true });
        strategies.push(emergency.group.authTokenUpdateStrategy);
        assert.strictEqual(emergency.previous, "", "the exposed token is no rollback target");
        strategies.push((await redis(harness, "2026-02-02", { compromised: true })).group.authTokenUpdateStrategy);
        strategies.push((await redis(harness, "2026-03-01", { compromised: true })).group.authTokenUpdateStrategy);
        strategies.push((await redis(harness, "2026-02-02", { compromised: true })).group.authTokenUpdateStrategy);
        assert.deepStrictEqual(strategies, ["SET", "ROTATE", "SET", "SET", "ROTATE", "ROTATE"]);
        assert.deepStrictEqual(harness.refusals, []);
    });

    it("ElastiCache: addingFirstToken is accepted with a deprecation warning and has no effect", async () => {
        const harness = new Harness();
        await redis(harness, "2026-01-01");
        const bumped = await redis(harness, "2026-02-01", { addingFirstToken: true });
        assert.strictEqual(bumped.group.authTokenUpdateStrategy, "ROTATE");
        assert.deepStrictEqual(harness.warnings, [
            "keyshift:redis.addingFirstToken is deprecated and has no effect: the first token is always set with SET; remove it",
        ]);
    });

    it("RdsPassword: previous is empty after an emergency, and rolling back to the exposed password is refused", async () => {
        const harness = new Harness();
        await rds(harness, "2026-01-01");
        const emergency = await rds(harness, "2026-01-05", { compromised: true });
        assert.strictEqual(emergency.previous, "");
        assert.strictEqual(emergency.instance.passwordWoVersion, 3);
        const rollback = () =>
            new RdsPassword("orders", {
                rotatedDate: "2026-01-01",
                configPath: "keyshift:database",
                engine: "postgres",
                username: "orders_app",
                instance: { instanceClass: "db.t4g.micro", allocatedStorage: 20 },
            });
        const [refusal] = await refusals(harness, rollback);
        assert.match(
            refusal,
            /^keyshift:database.rotatedDate = "2026-01-01" goes back past the emergency rotation on 2026-01-05/,
        );
    });

    it("refuses compromised without a new rotatedDate, saying what to do", async () => {
        const harness = new Harness();
        await password(harness, "2026-01-01");
        await harness.newRun();
        new RotatingPassword("app", {
            rotatedDate: "2026-01-01",
            configPath: "keyshift:appPassword",
            compromised: true,
        });
        await harness.settled();
        assert.deepStrictEqual(harness.refusals, [
            'keyshift:appPassword.compromised = true asks for an emergency rotation, but keyshift:appPassword.rotatedDate = "2026-01-01" is the current rotation date: set keyshift:appPassword.rotatedDate to a later date to replace the exposed credential now',
        ]);
    });
});

describe("RdsPassword on Aurora", () => {
    it("refuses an Aurora engine with instance, naming the key, and manages the cluster's master password instead", async () => {
        const harness = new Harness();
        await harness.newRun();
        const base = { rotatedDate: "2026-01-01", username: "app", configPath: "keyshift:database" };
        assert.throws(
            () =>
                new RdsPassword("db", {
                    ...base,
                    engine: "aurora-postgresql",
                    instance: { instanceClass: "db.r6g.large" },
                }),
            (e: any) =>
                e.propertyPath === "keyshift:database.instance" &&
                e.reason ===
                    'engine "aurora-postgresql" keeps its master password on the cluster: RDS refuses a master password on an Aurora instance; give cluster instead',
        );
        assert.throws(
            () => new RdsPassword("db", { ...base, engine: "oracle-ee", cluster: {} }),
            (e: any) =>
                e.propertyPath === "keyshift:database.cluster" && /"oracle-ee" has no DB clusters/.test(e.reason),
        );
        assert.throws(
            () =>
                new RdsPassword("db", {
                    ...base,
                    engine: "aurora-mysql",
                    cluster: {},
                    connection: { address: "x", port: 1 },
                }),
            (e: any) =>
                e.propertyPath === "keyshift:database.connection" && /not cluster and connection/.test(e.reason),
        );

        const cluster = async (rotatedDate: string) => {
            await harness.newRun();
            const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
            const db = new RdsPassword("orders", {
                ...base,
                rotatedDate,
                engine: "aurora-postgresql",
                cluster: { databaseName: "orders", engineVersion: "16.4" },
                kubernetes: { provider, namespace: "shop" },
            });
            const passwordValue = await valueOf(db.password);
            await harness.settled();
            return { db, passwordValue, cluster: harness.byType("aws:rds/cluster:Cluster")[0] };
        };
        const first = await cluster("2026-01-01");
        assert.deepStrictEqual(first.cluster.inputs, {
            databaseName: "orders",
            engineVersion: "16.4",
            engine: "aurora-postgresql",
            masterUsername: "app",
            masterPasswordWo: first.passwordValue,
            masterPasswordWoVersion: 1,
            applyImmediately: true,
        });
        assert.deepStrictEqual(first.cluster.secretInputs, ["masterPasswordWo"]);
        assert.strictEqual(harness.byType("aws:rds/instance:Instance").length, 0);
        const url = harness.byName("orders-secret").inputs.stringData.url;
        assert.ok(
            url ===
                `postgres://app:${first.passwordValue}@orders-cluster.cluster-abc123.eu-west-1.rds.amazonaws.com:5432/orders`,
            "the applications' URL points at the cluster's writer endpoint",
        );
        const second = await cluster("2026-02-01");
        assert.strictEqual(second.cluster.inputs.masterPasswordWoVersion, 3);
        assert.ok(second.cluster.inputs.masterPasswordWo !== first.passwordValue);
        assert.strictEqual(await pulumi.isSecret(second.db.password), true);
    });
});

describe("upgrades, damaged ledgers and leftovers", () => {
    const provider = ledgerProvider as Required<typeof ledgerProvider>;
    const LEGACY = {
        rotatedDate: "2026-01-01",
        rollbackDate: "",
        primary: 0,
        slots: [
            { generation: 1, date: "2026-01-01" },
            { generation: 2, date: "2026-01-01" },
        ],
    };
    const news = (rotatedDate: string, extra: object = {}) => ({
        rotatedDate,
        minRotationInterval: "1d",
        slotCount: 2,
        staged: 0,
        label: "keyshift:redis.rotatedDate",
        settings: { length: 64 },
        ...extra,
    });

    it("an upgrade run with compromised: true and a new date is an emergency; on the same date it was already acted on", async () => {
        const emergency = await provider.check({ ledger: LEGACY }, news("2026-01-02", { compromised: true }));
        assert.strictEqual(emergency.inputs!.ledger.lastMove, "emergency");
        assert.strictEqual(emergency.inputs!.ledger.slots[0].revokedOn, "2026-01-02");
        const leftover = await provider.check({ ledger: LEGACY }, news("2026-01-01", { compromised: true }));
        assert.deepStrictEqual([leftover.failures, leftover.inputs!.ledger.compromisedSeen], [undefined, true]);
        assert.strictEqual(leftover.inputs!.ledger.upgradedFrom, "0.1");
    });

    it("refuses compromised on a credential's first run, and a damaged ledger, in one line each", async () => {
        const first = await provider.check({}, news("2026-01-01", { compromised: "2026-01-01" }));
        assert.deepStrictEqual(first.failures, [
            {
                property: "",
                reason: 'keyshift:redis.compromised = "2026-01-01" on the credential\'s first run: nothing has been generated yet that could be exposed; remove it',
            },
        ]);
        for (const [damaged, what] of [
            [{ ...LEGACY, rotatedDate: undefined }, "rotatedDate undefined"],
            [{ ...LEGACY, primary: 5 }, "primary 5"],
            [
                { ...LEGACY, slots: [{ generation: 1, date: "2026-01-01" }, { date: "2026-01-01" }] },
                "generations [1,null]",
            ],
            [{ ...LEGACY, slots: null }, "no slots"],
        ] as const) {
            const checked = await provider.check({ ledger: damaged }, news("2026-02-01"));
            assert.strictEqual(
                checked.failures?.[0].reason,
                `keyshift:redis.rotatedDate: the ring's ledger in the checkpoint is damaged (${what}); keyshift will not guess which keys are in use: restore the stack's checkpoint from a backup (pulumi stack import)`,
            );
        }
    });

    it("leaves the ledger unknown while its date is unknown in a preview", async () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const checked = await provider.check({ ledger: LEGACY }, news(unknown));
        assert.deepStrictEqual([checked.failures, checked.inputs!.ledger], [undefined, undefined]);
    });

    it("ElastiCache keeps 0.1's SET after an upgrade until the ring first moves", async () => {
        const harness = new Harness();
        await redis(harness, "2026-01-01");
        // Rewrite the stored ledger as 0.1 left it (no settings, moves or emergencies).
        harness.rewriteLedger("sessions-token-ledger", (state) => ({ ...state, settings: undefined, ledger: LEGACY }));
        const upgraded = await redis(harness, "2026-01-01", { addingFirstToken: true });
        assert.strictEqual(upgraded.group.authTokenUpdateStrategy, "SET", "the upgrade changes nothing on the group");
        const moved = await redis(harness, "2026-02-01", { addingFirstToken: true });
        assert.strictEqual(moved.group.authTokenUpdateStrategy, "ROTATE");
    });

    it("a slot recorded with password rules of the wrong type (before 0.2) takes the config's at the next run", async () => {
        const harness = new Harness();
        await password(harness, "2026-01-01");
        // As keyshift before 0.2 left a bump with `lower: "no"` in config: the ledger moved, the password provider
        // refused the new slot's rules, and every later run failed on them.
        harness.rewriteLedger("app-ledger", (state) => {
            const ledger = structuredClone(state.ledger);
            ledger.slots[1] = {
                generation: 3,
                date: "2026-02-01",
                settings: { ...ledger.slots[1].settings, lower: "no" },
            };
            return {
                ...state,
                ledger: { ...ledger, rotatedDate: "2026-02-01", rollbackDate: "2026-01-01", primary: 1 },
            };
        });
        const after = await password(harness, "2026-02-01");
        assert.deepStrictEqual(harness.refusals, []);
        assert.deepStrictEqual(
            [after.slots["app-slot0"].lower, after.slots["app-slot1"].lower, after.slots["app-slot1"].keepers],
            [true, true, { generation: "3" }],
            "the slot gets a password under the config's rules, for the rotation the ledger recorded",
        );
    });

    it("warns that compromised: true left in config made the last rotation routine", async () => {
        const harness = new Harness();
        await password(harness, "2026-01-01");
        await password(harness, "2026-01-02", { compromised: true });
        assert.deepStrictEqual(harness.warnings, []);
        await password(harness, "2026-02-01", { compromised: true });
        assert.deepStrictEqual(harness.warnings, [
            "keyshift:appPassword.compromised = true is left from the emergency rotation on 2026-01-02, so the last rotation was routine: remove it, and give the date of a new emergency rotation instead",
        ]);
    });

    it("refuses to hand on a password the service no longer accepts, and keyshift's own inputs in pass-through args", async () => {
        const harness = new Harness();
        await rds(harness, "2026-01-01", { engine: "postgres", length: 100 });
        await harness.newRun();
        new RdsPassword("orders", {
            rotatedDate: "2026-01-01",
            configPath: "keyshift:database",
            engine: "mysql",
            username: "orders_app",
            length: 41,
            instance: { instanceClass: "db.t4g.micro", allocatedStorage: 20 },
        });
        // Refused by the ledger: the run stops before the instance or the Secret could take the password.
        await harness.settled();
        assert.deepStrictEqual(harness.refusals, [
            "keyshift:database.length: the password in use, generated for 2026-01-01, breaks RDS (mysql)'s rules (100 is out of range: RDS (mysql) accepts 8 to 41 characters); set a later rotatedDate to generate one it accepts",
        ]);
        assert.deepStrictEqual(harness.byType("aws:rds/instance:Instance"), []);
        const bumped = await rds(harness, "2026-02-01", { engine: "mysql", length: 41 });
        assert.strictEqual(bumped.instance.passwordWo.length, 41, "a rotation makes it right");

        assert.throws(
            () =>
                new RdsPassword("x", {
                    rotatedDate: "2026-01-01",
                    configPath: "keyshift:database",
                    engine: "postgres",
                    username: "app",
                    instance: { instanceClass: "db.t4g.micro", password: "hunter2hunter2" } as never,
                }),
            (e: any) =>
                e.propertyPath === "keyshift:database.instance.password" &&
                e.reason === "keyshift sets this from the ring and the engine and username arguments; remove it",
        );
        assert.throws(
            () =>
                new ElasticacheAuthToken("y", {
                    rotatedDate: "2026-01-01",
                    configPath: "keyshift:redis",
                    replicationGroup: { ...GROUP_ARGS, authToken: "x".repeat(32) } as never,
                }),
            (e: any) => e.propertyPath === "keyshift:redis.replicationGroup.authToken",
        );
    });
});
