import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { parse } from "yaml";
import { Harness, valueOf } from "./harness";
import { ServiceAccountToken, tokenSecretName } from "../../components/k8s/serviceAccountToken";
import { isDns1123Subdomain } from "../../components/validation";

const CLUSTER = { server: "https://10.0.0.1:6443", certificateAuthorityData: "LS0tLS1CRUdJTi0tLS0t", name: "prod" };

async function run(harness: Harness, rotatedDate: string) {
    await harness.newRun();
    const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
    const token = new ServiceAccountToken("ci", {
        rotatedDate,
        provider,
        serviceAccount: { namespace: "ci", name: "deployer", create: true },
        cluster: CLUSTER,
        labels: { team: "platform" },
    });
    const state = {
        component: token,
        token: await valueOf(token.token),
        previousToken: await valueOf(token.previousToken),
        primarySecretName: await valueOf(token.primarySecretName),
        previousSecretName: await valueOf(token.previousSecretName),
        kubeconfig: await valueOf(token.kubeconfig!),
    };
    await harness.settled();
    return state;
}

describe("ServiceAccountToken", () => {
    it("declares two service-account-token Secrets with the annotation, namespace and slot names", async () => {
        const harness = new Harness();
        await run(harness, "2026-01-01");
        const secrets = harness.byType("kubernetes:core/v1:Secret");
        assert.deepStrictEqual(
            secrets.map((s) => [s.name, s.inputs.metadata.name, s.inputs.metadata.namespace, s.inputs.type]),
            [
                ["ci-slot0", "deployer-token-g1", "ci", "kubernetes.io/service-account-token"],
                ["ci-slot1", "deployer-token-g2", "ci", "kubernetes.io/service-account-token"],
            ],
        );
        for (const secret of secrets) {
            assert.strictEqual(secret.inputs.metadata.annotations["kubernetes.io/service-account.name"], "deployer");
            assert.strictEqual(secret.inputs.metadata.labels.team, "platform");
        }
        assert.deepStrictEqual(harness.byName("ci-account").inputs.metadata, {
            name: "deployer",
            namespace: "ci",
            labels: { team: "platform" },
        });
    });

    it("a bump creates one new token and keeps the old primary valid as previous until the following bump", async () => {
        const harness = new Harness();
        const d1 = await run(harness, "2026-01-01");
        assert.strictEqual(harness.generatedThisRun, 2);

        const d2 = await run(harness, "2026-02-01");
        assert.strictEqual(harness.generatedThisRun, 1, "exactly one new token Secret");
        assert.strictEqual(d2.previousToken, d1.token, "the old token is still valid and still an output");
        assert.strictEqual(d2.previousSecretName, d1.primarySecretName, "its Secret is kept");
        assert.notStrictEqual(d2.token, d1.token);

        const d3 = await run(harness, "2026-03-01");
        assert.strictEqual(harness.generatedThisRun, 1);
        assert.strictEqual(d3.previousToken, d2.token);
        assert.ok(
            ![d3.token, d3.previousToken].includes(d1.token),
            "the D1 token's Secret was replaced by the second bump",
        );
        assert.strictEqual(d3.primarySecretName, "deployer-token-g4", "a regenerated slot's Secret gets a new name");
        assert.strictEqual(d3.previousSecretName, d2.primarySecretName);
        const same = await run(harness, "2026-03-01");
        assert.deepStrictEqual(
            [same.primarySecretName, same.previousSecretName],
            [d3.primarySecretName, d3.previousSecretName],
            "names are stable while the date is",
        );
        assert.strictEqual(harness.generatedThisRun, 0);
    });

    it("keeps every token and the kubeconfig secret, and the kubeconfig is a valid config for the primary token", async () => {
        const harness = new Harness();
        const state = await run(harness, "2026-01-01");
        for (const output of [state.component.token, state.component.previousToken, state.component.kubeconfig!]) {
            assert.strictEqual(await pulumi.isSecret(output), true);
        }
        const config = parse(state.kubeconfig);
        assert.deepStrictEqual(config, {
            apiVersion: "v1",
            kind: "Config",
            clusters: [
                {
                    name: "prod",
                    cluster: { server: CLUSTER.server, "certificate-authority-data": CLUSTER.certificateAuthorityData },
                },
            ],
            users: [{ name: "deployer", user: { token: state.token } }],
            contexts: [{ name: "deployer@prod", context: { cluster: "prod", user: "deployer" } }],
            "current-context": "deployer@prod",
        });
    });

    it("refuses invalid ServiceAccount names and namespaces and a malformed date at preview", async () => {
        const harness = new Harness();
        await harness.newRun();
        const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
        const make =
            (serviceAccount: { namespace: string; name: string }, rotatedDate = "2026-01-01") =>
            () =>
                new ServiceAccountToken("t", { rotatedDate, provider, serviceAccount });
        assert.throws(
            make({ namespace: "CI", name: "deployer" }),
            (e: any) =>
                e.propertyPath === "t.serviceAccount.namespace" &&
                /"CI" is not a valid Kubernetes namespace/.test(e.reason),
        );
        assert.throws(
            make({ namespace: "ci", name: "deploy_bot" }),
            (e: any) =>
                e.propertyPath === "t.serviceAccount.name" &&
                /"deploy_bot" is not a valid Kubernetes name/.test(e.reason),
        );
        assert.throws(
            make(undefined as never),
            (e: any) =>
                e.propertyPath === "t.serviceAccount" &&
                e.reason === "required: { namespace, name } of the ServiceAccount whose tokens rotate",
        );
        assert.throws(
            make({ namespace: "ci", name: "deployer" }, "2026-13-01"),
            (e: any) => e.propertyPath === "t.rotatedDate" && /"2026-13-01" is not a date/.test(e.reason),
        );
    });

    it("derives valid, distinct, stable Secret names for any valid ServiceAccount name and generation (property)", () => {
        const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
        const subdomain = fc
            .array(label, { minLength: 1, maxLength: 5 })
            .map((labels) => labels.join("."))
            .filter((name) => name.length <= 253);
        fc.assert(
            fc.property(subdomain, fc.integer({ min: 1, max: 1_000_000 }), (account, generation) => {
                const names = [generation, generation + 1].map((g) => tokenSecretName(`${account}-token`, g));
                assert.ok(names.every(isDns1123Subdomain), JSON.stringify(names));
                assert.notStrictEqual(names[0], names[1]);
                assert.strictEqual(tokenSecretName(`${account}-token`, generation), names[0]);
            }),
            { numRuns: 500 },
        );
    });
});
