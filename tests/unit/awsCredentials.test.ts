import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { GROUP_ARGS, Harness, valueOf } from "./harness";
import { RdsPassword, databaseUrl } from "../../components/aws/rdsPassword";
import { ElasticacheAuthToken, authTokenStrategy } from "../../components/aws/elasticacheAuthToken";
import {
    ELASTICACHE_TOKEN,
    RDS_ENGINES,
    rdsConstraints,
    rdsDefaultLength,
    supportsAuthRotation,
} from "../../components/aws/rules";
import { alphabet, ruleProblems, satisfies } from "../../components/passwords/rules";
import { restartAnnotation } from "../../components/k8s/workloadRestarts";

const INSTANCE = "aws:rds/instance:Instance";
const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const RESTARTS = [{ kind: "Deployment" as const, namespace: "shop", name: "api" }];

async function rds(harness: Harness, rotatedDate: string) {
    await harness.newRun();
    const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
    const db = new RdsPassword("orders", {
        rotatedDate,
        engine: "postgres",
        username: "orders_app",
        instance: { instanceClass: "db.t4g.micro", allocatedStorage: 20, dbName: "orders" },
        kubernetes: { provider, namespace: "shop", restartWorkloads: RESTARTS },
    });
    const password = await valueOf(db.password);
    await harness.settled();
    return { db, password, previous: await valueOf(db.previous.value) };
}

async function redis(harness: Harness, rotatedDate: string, extra: { compromised?: boolean } = {}) {
    await harness.newRun();
    const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
    const cache = new ElasticacheAuthToken("sessions", {
        rotatedDate,
        replicationGroup: GROUP_ARGS,
        kubernetes: { provider, namespace: "shop", restartWorkloads: RESTARTS },
        ...extra,
    });
    const token = await valueOf(cache.authToken);
    await harness.settled();
    return { cache, token, previous: await valueOf(cache.previous.value) };
}

describe("RdsPassword", () => {
    it("sets the write-only password in place with applyImmediately; a bump changes only the password inputs", async () => {
        const harness = new Harness();
        const first = await rds(harness, "2026-01-01");
        const instance = harness.byType(INSTANCE)[0];
        assert.deepStrictEqual(instance.inputs, {
            instanceClass: "db.t4g.micro",
            allocatedStorage: 20,
            dbName: "orders",
            engine: "postgres",
            username: "orders_app",
            passwordWo: first.password,
            passwordWoVersion: 1,
            applyImmediately: true,
        });
        assert.deepStrictEqual(instance.secretInputs, ["passwordWo"]);
        assert.match(first.password, /^[A-Za-z0-9]{32}$/);

        const second = await rds(harness, "2026-02-01");
        const bumped = harness.byType(INSTANCE)[0];
        assert.strictEqual(second.previous, first.password, "previous is the old password, for a rollback");
        assert.notStrictEqual(second.password, first.password);
        const withoutPassword = (inputs: Record<string, unknown>) => ({
            ...inputs,
            passwordWo: undefined,
            passwordWoVersion: undefined,
        });
        assert.deepStrictEqual(
            withoutPassword(bumped.inputs),
            withoutPassword(instance.inputs),
            "nothing but the password inputs changes, so nothing is replaced",
        );
        const { passwordWo, passwordWoVersion } = bumped.inputs;
        assert.strictEqual(passwordWo, second.password);
        assert.strictEqual(passwordWoVersion, 3);
    });

    it("publishes the applications' Secret with a URL-encoded URL and restarts the readers on a bump only", async () => {
        const harness = new Harness();
        const first = await rds(harness, "2026-01-01");
        const secret = harness.byName("orders-secret");
        assert.deepStrictEqual(secret.inputs.metadata, {
            name: "rds-instance-output",
            namespace: "shop",
            labels: { "app.kubernetes.io/managed-by": "keyshift" },
        });
        assert.deepStrictEqual(secret.secretInputs, ["stringData"]);
        const address = "orders-instance.abc123.eu-west-1.rds.amazonaws.com";
        assert.deepStrictEqual(secret.inputs.stringData, {
            database_username: "orders_app",
            database_password: first.password,
            database_name: "orders",
            rds_instance_endpoint: `${address}:5432`,
            rds_instance_address: address,
            url: `postgres://orders_app:${first.password}@${address}:5432/orders`,
        });
        assert.strictEqual(await pulumi.isSecret(first.db.password), true);
        assert.strictEqual(await pulumi.isSecret(first.db.previous.value), true);
        const patch = harness.byName("orders-restarts-deployment-shop-api");
        assert.strictEqual(patch.type, "kubernetes:apps/v1:DeploymentPatch");
        assert.deepStrictEqual(patch.inputs.spec, {
            template: { metadata: { annotations: { "rotated.keyshift.dev/orders": "2026-01-01" } } },
        });

        await rds(harness, "2026-01-01");
        assert.deepStrictEqual(
            harness.byName("orders-restarts-deployment-shop-api").inputs.spec,
            patch.inputs.spec,
            "same date, no restart",
        );
        await rds(harness, "2026-03-01");
        assert.deepStrictEqual(
            harness.byName("orders-restarts-deployment-shop-api").inputs.spec.template.metadata.annotations,
            {
                "rotated.keyshift.dev/orders": "2026-03-01",
            },
        );
    });

    it("URL-encodes every character a password may hold", () => {
        fc.assert(
            fc.property(
                fc.string({ unit: fc.constantFrom(...alphabet({ length: 1, special: "!#$%^&*()-_=+[]{}<>:?~|;,." })) }),
                (password) => {
                    const url = new URL(databaseUrl("postgres", "app", password, "db.example.com", 5432, "orders"));
                    assert.strictEqual(decodeURIComponent(url.password), password);
                    assert.strictEqual(url.hostname, "db.example.com");
                },
            ),
        );
    });

    it("refuses what the engine would refuse, naming its limit", async () => {
        const harness = new Harness();
        await harness.newRun();
        const base = { rotatedDate: "2026-01-01", username: "app", configPath: "keyshift:database.rotatedDate" };
        assert.throws(
            () => new RdsPassword("db", { ...base, engine: "mysql", length: 64 }),
            (e: any) =>
                e.propertyPath === "keyshift:database.length" &&
                e.reason === "64 is out of range: RDS (mysql) accepts 8 to 41 characters",
        );
        assert.throws(
            () => new RdsPassword("db", { ...base, engine: "oracle-ee", special: "&" }),
            (e: any) =>
                e.propertyPath === "keyshift:database.special" &&
                /"&" cannot be used with RDS \(oracle-ee\)/.test(e.reason),
        );
        assert.throws(
            () => new RdsPassword("db", { ...base, engine: "db2" as never }),
            (e: any) => e.propertyPath === "keyshift:database.engine" && /"db2" is not an engine/.test(e.reason),
        );
        const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
        assert.throws(
            () =>
                new RdsPassword("db", {
                    ...base,
                    engine: "postgres",
                    connection: { address: "h", port: 5432 },
                    kubernetes: { provider, name: "RDS Output" },
                }),
            (e: any) =>
                e.propertyPath === "kubernetes.name" && /"RDS Output" is not a valid Kubernetes name/.test(e.reason),
        );
    });

    it("defaults to the longest alphanumeric length each engine allows up to 32, always accepted (property)", () => {
        for (const engine of RDS_ENGINES) {
            const constraints = rdsConstraints(engine);
            assert.deepStrictEqual(ruleProblems({ length: rdsDefaultLength(engine) }, constraints), [], engine);
            assert.strictEqual(rdsDefaultLength(engine), engine.startsWith("oracle") ? 30 : 32);
        }
        fc.assert(
            fc.property(
                fc.constantFrom(...RDS_ENGINES),
                fc.integer({ min: 0, max: 200 }),
                fc.subarray([..."!#$%&'()*+,-./:;<=>?@[]^_`{|}~\" "]),
                (engine, length, special) => {
                    const constraints = rdsConstraints(engine);
                    const rules = { length, special: special.join("") };
                    const ok = ruleProblems(rules, constraints).length === 0;
                    const expectedOk =
                        length >= 8 &&
                        length <= constraints.maxLength &&
                        !special.some((c) => '/@" '.includes(c) || (engine.startsWith("oracle") && "&'".includes(c)));
                    assert.strictEqual(ok, expectedOk, `${engine} ${length} ${JSON.stringify(rules.special)}`);
                    if (ok) {
                        assert.ok(satisfies(alphabet(rules).slice(0, 1).repeat(length), constraints));
                        assert.ok([...alphabet(rules)].every((c) => satisfies(c.repeat(8), constraints)));
                    }
                },
            ),
            { numRuns: 2000 },
        );
    });
});

describe("ElasticacheAuthToken", () => {
    it("drives the group with a write-only token, the first with SET; a routine bump uses ROTATE, bumps the version and keeps the old token as previous", async () => {
        const harness = new Harness();
        const first = await redis(harness, "2026-01-01");
        const group = harness.byType(GROUP)[0];
        assert.deepStrictEqual(group.inputs, {
            ...GROUP_ARGS,
            authTokenWo: first.token,
            authTokenWoVersion: 1,
            authTokenUpdateStrategy: "SET",
            applyImmediately: true,
        });
        assert.deepStrictEqual(group.secretInputs, ["authTokenWo"]);
        assert.match(first.token, /^[A-Za-z0-9]{64}$/);

        const second = await redis(harness, "2026-02-01");
        const bumped = harness.byType(GROUP)[0];
        assert.strictEqual(second.previous, first.token, "ROTATE keeps the old token valid; it is the ring's previous");
        assert.deepStrictEqual(
            { ...bumped.inputs, authTokenWo: undefined, authTokenWoVersion: undefined },
            {
                ...group.inputs,
                authTokenWo: undefined,
                authTokenWoVersion: undefined,
                authTokenUpdateStrategy: "ROTATE",
            },
        );
        assert.strictEqual(bumped.inputs.authTokenWoVersion, 3);

        const secret = harness.byName("sessions-secret");
        assert.deepStrictEqual(secret.inputs.metadata.name, "elasticache-redis-output");
        assert.deepStrictEqual(secret.secretInputs, ["stringData"]);
        assert.deepStrictEqual(secret.inputs.stringData, {
            auth_token: second.token,
            primary_endpoint_address: "master.sessions-group.abc123.euw1.cache.amazonaws.com",
            member_clusters: "sessions-group-001,sessions-group-002",
            replication_group_id: "sessions-group",
        });
        assert.deepStrictEqual(
            harness.byName("sessions-restarts-deployment-shop-api").inputs.spec.template.metadata.annotations,
            {
                [restartAnnotation("sessions")]: "2026-02-01",
            },
        );
    });

    it("uses SET for an exposed token and for a group's first token", async () => {
        const harness = new Harness();
        await redis(harness, "2026-01-01");
        await redis(harness, "2026-02-01", { compromised: true });
        assert.strictEqual(harness.byType(GROUP)[0].inputs.authTokenUpdateStrategy, "SET");
        assert.deepStrictEqual((["create", "forward", "emergency", "rollback"] as const).map(authTokenStrategy), [
            "SET",
            "ROTATE",
            "SET",
            "ROTATE",
        ]);
    });

    it("refuses Redis older than 5.0.5, transit encryption off, a bad length or special character", async () => {
        const harness = new Harness();
        await harness.newRun();
        const make =
            (group: object, extra: object = {}) =>
            () =>
                new ElasticacheAuthToken("c", {
                    rotatedDate: "2026-01-01",
                    replicationGroup: { ...GROUP_ARGS, ...group },
                    ...extra,
                });
        assert.throws(
            make({ engineVersion: "5.0.4" }),
            (e: any) =>
                e.propertyPath === "c.replicationGroup.engineVersion" &&
                /"5.0.4" is too old: AUTH token rotation needs Redis 5.0.5 or newer/.test(e.reason),
        );
        assert.throws(
            make({ transitEncryptionEnabled: false }),
            (e: any) =>
                e.propertyPath === "c.replicationGroup.transitEncryptionEnabled" &&
                /in-transit encryption/.test(e.reason),
        );
        assert.throws(
            make({}, { length: 12 }),
            (e: any) =>
                e.propertyPath === "c.length" &&
                e.reason === "12 is out of range: ElastiCache AUTH accepts 16 to 128 characters",
        );
        assert.throws(
            make({}, { special: "@" }),
            (e: any) =>
                e.propertyPath === "c.special" &&
                /the only special characters it accepts are "!&#\$\^<>-"/.test(e.reason),
        );
        for (const [version, ok] of [
            ["5.0.5", true],
            ["5.0.6", true],
            ["6.x", true],
            ["7.1", true],
            ["5.0.0", false],
            ["4.0.10", false],
            ["five", false],
        ] as const) {
            assert.strictEqual(supportsAuthRotation(version), ok, version);
        }
    });

    it("accepted token rules only produce tokens AWS accepts (property)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 200 }), fc.subarray([...'!&#$^<>-/"@%*']), (length, special) => {
                const rules = { length, special: special.join("") };
                if (ruleProblems(rules, ELASTICACHE_TOKEN).length > 0) {
                    return;
                }
                assert.ok(length >= 16 && length <= 128);
                assert.ok([...alphabet(rules)].every((c) => satisfies(c.repeat(16), ELASTICACHE_TOKEN)));
            }),
            { numRuns: 1000 },
        );
    });
});
