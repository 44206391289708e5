import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Harness, valueOf } from "./harness";
import { runProgram } from "../../program/main";

function config(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, JSON.stringify(value)]));
}

function refuses(values: Record<string, unknown>, message: string) {
    assert.throws(
        () => runProgram(config(values)),
        (error: any) => pulumi.RunError.isInstance(error) && error.message === message,
    );
}

describe("example program config", () => {
    beforeEach(async () => new Harness().newRun());

    it("builds the components the config names and exports no private material in clear", async () => {
        const outputs = runProgram(
            config({
                "keyshift:signingKeys": { rotatedDate: "2026-11-21", algorithm: "ECDSA-P256" },
                "keyshift:appPassword": { rotatedDate: "2026-11-21" },
                "aws:region": "eu-west-1",
            }),
        ) as any;
        assert.deepStrictEqual(Object.keys(outputs).sort(), ["appPassword", "signingKeys"]);
        assert.strictEqual(await pulumi.isSecret(outputs.signingKeys.signingKeyPem), true);
        assert.strictEqual(await pulumi.isSecret(outputs.appPassword.primary.value), true);
        assert.strictEqual(await valueOf(outputs.signingKeys.primary.rotatedDate), "2026-11-21");
    });

    it("refuses a malformed date, an unknown key, a wrong type and a misspelt section, naming the path and value", () => {
        refuses(
            { "keyshift:signingKeys": { rotatedDate: "2026-11-31" } },
            'keyshift:signingKeys.rotatedDate: "2026-11-31" is not a date: use an ISO 8601 date such as 2026-11-21 or an RFC 3339 timestamp such as 2026-11-21T09:30:00Z',
        );
        refuses(
            { "keyshift:signingKeys": { rotatedDate: "2026-11-21", algoritm: "RSA-2048" } },
            "keyshift:signingKeys.algoritm: unknown key (known keys: rotatedDate, minRotationInterval, compromised, algorithm, publishToKubernetes, nextKeySecretNamespace, trustedKeysConfigMapNamespace)",
        );
        refuses(
            { "keyshift:appPassword": { rotatedDate: "2026-11-21", length: "32" } },
            'keyshift:appPassword.length: expected a number, got "32"',
        );
        refuses(
            { "keyshift:signingkeys": { rotatedDate: "2026-11-21" } },
            "keyshift:signingkeys: unknown config key (known keys: keyshift:kubernetes, keyshift:signingKeys, keyshift:oidc, keyshift:database, keyshift:redis, keyshift:ciToken, keyshift:appPassword, keyshift:encryption, keyshift:clusterCa, keyshift:ingressTls, keyshift:ciliumIpsec, keyshift:registry, keyshift:iamKeys)",
        );
        refuses(
            { "keyshift:signingKeys": { rotatedDate: "2026-11-21", algorithm: "RSA-1024" } },
            'keyshift:signingKeys.algorithm: "RSA-1024" is not one of RSA-2048, RSA-4096, ECDSA-P256',
        );
        refuses(
            { "keyshift:appPassword": {} },
            "keyshift:appPassword.rotatedDate: required but missing (the rotation date; a later date rotates once, the date before the last rotation rolls back)",
        );
        refuses(
            { "keyshift:appPassword": { rotatedDate: "2026-11-21", length: 4 } },
            "keyshift:appPassword.length: 4 is out of range: a generic password accepts 8 to 256 characters",
        );
        refuses(
            { "keyshift:appPassword": { rotatedDate: "2026-11-21", compromised: "yes" } },
            'keyshift:appPassword.compromised: "yes" is not a date: use an ISO 8601 date such as 2026-11-21 or an RFC 3339 timestamp such as 2026-11-21T09:30:00Z, or true',
        );
        // What Pulumi hands the program for `rotatedDate: 2026-12-01` unquoted in a stack file.
        refuses(
            { "keyshift:appPassword": { rotatedDate: "2026-12-01 00:00:00 +0000 UTC" } },
            'keyshift:appPassword.rotatedDate: "2026-12-01 00:00:00 +0000 UTC" is not a date: use an ISO 8601 date such as 2026-11-21 or an RFC 3339 timestamp such as 2026-11-21T09:30:00Z (an unquoted date in a stack\'s YAML file arrives in this form: quote it, "2026-12-01")',
        );
        refuses(
            {
                "keyshift:database": {
                    rotatedDate: "2026-11-21",
                    engine: "postgres",
                    username: "app",
                    connection: { adress: "db.internal", port: 5432 },
                },
            },
            "keyshift:database.connection.adress: not a field of RdsPassword's connection (it takes address, port, endpoint, dbName)",
        );
        refuses(
            { "keyshift:appPassword": { rotatedDate: "2026-11-21", constructor: 1 } },
            "keyshift:appPassword.constructor: unknown key (known keys: rotatedDate, minRotationInterval, compromised, length, special)",
        );
        // `pulumi config set --path … minRotationInterval 7` stores a number: 0 means none, any other has no unit.
        refuses(
            { "keyshift:appPassword": { rotatedDate: "2026-11-21", minRotationInterval: 7 } },
            'keyshift:appPassword.minRotationInterval: 7 is not a duration: use a duration such as 0, 12h, 1d, 2w or P1D (seconds s, minutes m, hours h, days d, weeks w) (a number other than 0 has no unit: write "7d" for days)',
        );
        refuses(
            {
                "keyshift:database": {
                    rotatedDate: "2026-11-21",
                    engine: "aurora-mysql",
                    username: "app",
                    instance: { instanceClass: "db.r6g.large" },
                },
            },
            'keyshift:database.instance: engine "aurora-mysql" keeps its master password on the cluster: RDS refuses a master password on an Aurora instance; give cluster instead',
        );
    });

    it("names the config key, not the component argument, for errors the components raise", () => {
        const render = { "keyshift:kubernetes": { renderYamlToDirectory: "/tmp/unused" } };
        const db = { rotatedDate: "2026-11-21", engine: "postgres", username: "app" };
        refuses(
            { ...render, "keyshift:ciToken": { rotatedDate: "2026-11-21", namespace: "Bad_NS", serviceAccount: "d" } },
            "keyshift:ciToken.namespace: \"Bad_NS\" is not a valid Kubernetes namespace: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit",
        );
        refuses(
            {
                ...render,
                "keyshift:database": {
                    ...db,
                    connection: { address: "db", port: 5432 },
                    publishToKubernetes: true,
                    secretName: "Bad_Name",
                },
            },
            "keyshift:database.secretName: \"Bad_Name\" is not a valid Kubernetes name: use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        );
        refuses(
            { "keyshift:database": { ...db, instance: { instanceClass: "db.t4g.micro", password: "hunter2hunter2" } } },
            "keyshift:database.instance.password: keyshift sets this from the ring and the engine and username arguments; remove it",
        );
        refuses(
            {
                "keyshift:redis": {
                    rotatedDate: "2026-11-21",
                    replicationGroup: { engine: "redis", transitEncryptionEnabled: true, nodeType: "cache.t4g.small" },
                },
            },
            "keyshift:redis: Missing required property 'description'",
        );
    });

    it("takes an empty key (null) as not given", async () => {
        const harness = new Harness();
        await harness.newRun();
        runProgram(
            config({
                "keyshift:appPassword": { rotatedDate: "2026-11-21", minRotationInterval: null, compromised: null },
            }),
        );
        await harness.settled();
        assert.deepStrictEqual(harness.refusals, []);
    });

    it("takes minRotationInterval 0 as a number, as `pulumi config set --path` stores it", async () => {
        const harness = new Harness();
        await harness.newRun();
        runProgram(config({ "keyshift:appPassword": { rotatedDate: "2026-11-21", minRotationInterval: 0 } }));
        await harness.settled();
        assert.deepStrictEqual(harness.refusals, []);
        assert.strictEqual(harness.byName("appPassword-ledger").inputs.request.minRotationInterval, 0);
    });

    it("passes compromised (true or a date) to every credential section", async () => {
        const harness = new Harness();
        await harness.newRun();
        runProgram(
            config({
                "keyshift:signingKeys": { rotatedDate: "2026-11-21", compromised: "2026-11-21" },
                "keyshift:appPassword": { rotatedDate: "2026-11-21", compromised: true },
            }),
        );
        await harness.settled();
        const ledgers = harness.byType("pulumi-nodejs:dynamic/keyshift:SlotLedger");
        assert.deepStrictEqual(ledgers.map((ledger) => [ledger.name, ledger.inputs.request.compromised]).sort(), [
            ["appPassword-ledger", true],
            ["signingKeys-keys-ledger", "2026-11-21"],
        ]);
    });
});

describe("the dev stack file", () => {
    beforeEach(async () => new Harness().newRun());

    it("passes config validation and builds every component it names", async () => {
        const { parse } = await import("yaml");
        const { readFileSync } = await import("fs");
        const file = parse(readFileSync(`${__dirname}/../../stacks/Pulumi.dev.yaml`, "utf8"));
        const raw = Object.fromEntries(
            Object.entries<unknown>(file.config).map(([key, value]) => [
                key,
                typeof value === "string" ? value : JSON.stringify(value),
            ]),
        );
        const outputs = runProgram(raw);
        assert.deepStrictEqual(Object.keys(outputs).sort(), [
            "appPassword",
            "ciToken",
            "ciliumIpsec",
            "clusterCa",
            "database",
            "encryption",
            "iamKeys",
            "ingressTls",
            "kubernetes",
            "oidc",
            "redis",
            "registry",
            "signingKeys",
        ]);
    });
});
