import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, importPKCS8, jwtVerify } from "jose";
import { Harness, valueOf } from "./harness";
import { ServiceAccountSigningKeys } from "../../components/k8s/serviceAccountSigningKeys";
import { OidcIssuer } from "../../components/aws/oidcIssuer";
import { kidFromPublicKeyPem } from "../../components/jwks";

const ISSUER = "https://oidc.example.com/cluster-a";

async function token(privateKeyPem: string, kid: string, alg = "RS256"): Promise<string> {
    const key = await importPKCS8(privateKeyPem, alg);
    return new SignJWT({ "kubernetes.io": { namespace: "default" } })
        .setProtectedHeader({ alg, kid })
        .setIssuer(ISSUER)
        .setSubject("system:serviceaccount:default:app")
        .setAudience("sts.amazonaws.com")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(key);
}

async function verifies(jwt: string, keysJson: string): Promise<boolean> {
    try {
        await jwtVerify(jwt, createLocalJWKSet(JSON.parse(keysJson)), {
            issuer: ISSUER,
            audience: "sts.amazonaws.com",
        });
        return true;
    } catch {
        return false;
    }
}

/** One simulated `pulumi up` of a signer published to S3 and Kubernetes. */
async function run(harness: Harness, rotatedDate: string) {
    await harness.newRun();
    const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
    const signer = new ServiceAccountSigningKeys("sa-signer", { rotatedDate, kubernetes: { provider } });
    // The signer component itself is a key source.
    const issuer = new OidcIssuer("issuer", { issuerUrl: ISSUER, jwks: signer });
    const signingKeyPem = await valueOf(signer.signingKeyPem);
    await harness.settled();
    return {
        signer,
        issuer,
        signingKeyPem,
        nextPrivateKeyPem: await valueOf(signer.nextPrivateKeyPem),
        primaryKid: await valueOf(signer.primary.kid),
        nextKid: await valueOf(signer.next.kid),
        keysJson: await valueOf(issuer.jwks),
        discovery: JSON.parse(await valueOf(issuer.discoveryJson)),
        trusted: await valueOf(signer.trustedPublicKeys),
    };
}

describe("ServiceAccountSigningKeys and OidcIssuer", () => {
    it("outputs the signing key as a secret and a JWKS of the trusted keys, primary first, with Kubernetes kids", async () => {
        const harness = new Harness();
        const state = await run(harness, "2026-01-01");
        assert.strictEqual(await pulumi.isSecret(state.signer.signingKeyPem), true);
        assert.strictEqual(await pulumi.isSecret(state.signer.nextPrivateKeyPem), true);
        const jwks = JSON.parse(state.keysJson);
        assert.deepStrictEqual(
            jwks.keys.map((k: any) => k.kid),
            state.trusted.map(kidFromPublicKeyPem),
        );
        assert.strictEqual(jwks.keys[0].kid, state.primaryKid);
        assert.ok(
            jwks.keys.every((k: any) => k.use === "sig" && k.kty === "RSA" && k.alg === "RS256" && k.e === "AQAB"),
        );
        assert.ok(
            jwks.keys.every((k: any) => k.d === undefined && k.p === undefined),
            "no private parameters",
        );
    });

    it("publishes the staged pair and the trusted keys as OpenShift names them, the Secret data secret", async () => {
        const harness = new Harness();
        const state = await run(harness, "2026-01-01");
        await valueOf(state.signer.trustedKeysConfigMap!.data);
        const secret = harness.byName("sa-signer-next");
        assert.deepStrictEqual(secret.inputs.metadata, {
            name: "next-bound-service-account-signing-key",
            namespace: "openshift-kube-apiserver-operator",
            labels: { "app.kubernetes.io/managed-by": "keyshift" },
        });
        assert.deepStrictEqual(Object.keys(secret.inputs.data).sort(), ["service-account.key", "service-account.pub"]);
        const decoded = Buffer.from(secret.inputs.data["service-account.key"], "base64").toString();
        assert.strictEqual(decoded, state.nextPrivateKeyPem);
        // The data reaches the provider marked secret; the engine also applies additionalSecretOutputs to the state.
        assert.deepStrictEqual(secret.secretInputs, ["data"]);
        const configMap = harness.byName("sa-signer-trusted");
        assert.deepStrictEqual(configMap.inputs.metadata.name, "bound-sa-token-signing-certs");
        assert.deepStrictEqual(Object.keys(configMap.inputs.data), [
            "service-account-001.pub",
            "service-account-002.pub",
            "service-account-003.pub",
        ]);
        assert.deepStrictEqual(new Set(Object.values(configMap.inputs.data)), new Set(state.trusted));
    });

    it("refuses a signer algorithm Kubernetes does not take and a bad Kubernetes name", async () => {
        const harness = new Harness();
        await harness.newRun();
        const provider = new k8s.Provider("k8s", { renderYamlToDirectory: "/tmp/unused" });
        assert.throws(
            () => new ServiceAccountSigningKeys("s", { rotatedDate: "2026-01-01", algorithm: "ECDSA-P384" as never }),
            (e: any) => e.propertyPath === "s.algorithm" && /use one of RSA-2048, RSA-4096, ECDSA-P256/.test(e.reason),
        );
        assert.throws(
            () =>
                new ServiceAccountSigningKeys("s", {
                    rotatedDate: "2026-01-01",
                    kubernetes: { provider, nextKeySecret: { name: "Next_Key" } },
                }),
            (e: any) =>
                e.propertyPath === "kubernetes.nextKeySecret.name" &&
                /"Next_Key" is not a valid Kubernetes name/.test(e.reason),
        );
        assert.throws(
            () => new OidcIssuer("i", { issuerUrl: "http://oidc.example.com/", jwks: "{}" }),
            (e: any) =>
                e.propertyPath === "issuerUrl" && /"http:\/\/oidc.example.com\/" is not an issuer URL/.test(e.reason),
        );
    });

    it("refuses a jwks that is not a JWKS with an error naming the argument and the component", async () => {
        const harness = new Harness();
        await harness.newRun();
        const issuer = new OidcIssuer("issuer", { issuerUrl: ISSUER, jwks: pulumi.output('{"kes": []}') });
        // The document is only known inside an apply: the error is a ResourceError, reported against the issuer.
        const keysJson = issuer.jwks as unknown as { promise(): Promise<string> };
        await assert.rejects(
            keysJson.promise(),
            (e: any) =>
                pulumi.ResourceError.isInstance(e) &&
                e.message === 'jwks: not a JWKS document: it has no "keys" array' &&
                (e as pulumi.ResourceError).resource === issuer,
        );
        // Given as a value, it is refused at once, before any resource exists.
        assert.throws(
            () => new OidcIssuer("plain", { issuerUrl: ISSUER, jwks: '{"kes": []}' }),
            (e: any) => e.propertyPath === "jwks" && e.reason === 'not a JWKS document: it has no "keys" array',
        );
    });

    it("S3: JSON objects with a short Cache-Control, public read by bucket policy, ownership enforced, no ACL", async () => {
        const harness = new Harness();
        const state = await run(harness, "2026-01-01");
        await valueOf(state.issuer.bucketName);
        const keys = harness.byName("issuer-keys").inputs;
        assert.deepStrictEqual(
            { key: keys.key, contentType: keys.contentType, cacheControl: keys.cacheControl, acl: keys.acl },
            { key: "keys.json", contentType: "application/json", cacheControl: "public, max-age=60", acl: undefined },
        );
        assert.strictEqual(keys.content, state.keysJson);
        const discovery = harness.byName("issuer-discovery").inputs;
        assert.strictEqual(discovery.key, ".well-known/openid-configuration");
        assert.deepStrictEqual(state.discovery, {
            issuer: ISSUER,
            jwks_uri: `${ISSUER}/keys.json`,
            response_types_supported: ["id_token"],
            subject_types_supported: ["public"],
            id_token_signing_alg_values_supported: ["RS256"],
        });
        assert.deepStrictEqual(harness.byName("issuer-ownership").inputs.rule, {
            objectOwnership: "BucketOwnerEnforced",
        });
        const block = harness.byName("issuer-public-access").inputs;
        assert.deepStrictEqual(
            [block.blockPublicAcls, block.ignorePublicAcls, block.blockPublicPolicy],
            [true, true, false],
        );
        const policy = JSON.parse(harness.byName("issuer-policy").inputs.policy);
        assert.deepStrictEqual(policy.Statement[0].Action, "s3:GetObject");
        assert.deepStrictEqual(policy.Statement[0].Resource, [
            "arn:aws:s3:::issuer-bucket-abc123/keys.json",
            "arn:aws:s3:::issuer-bucket-abc123/.well-known/openid-configuration",
        ]);
    });

    it("real tokens: primary verifies, next verifies before promotion, previous survives one bump and not two", async () => {
        const harness = new Harness();
        const d1 = await run(harness, "2026-01-01");
        const d1Token = await token(d1.signingKeyPem, d1.primaryKid);
        const stagedToken = await token(d1.nextPrivateKeyPem, d1.nextKid);
        assert.ok(await verifies(d1Token, d1.keysJson));
        assert.ok(await verifies(stagedToken, d1.keysJson), "next is trusted before it signs");

        const again = await run(harness, "2026-01-01");
        assert.strictEqual(again.keysJson, d1.keysJson, "keys.json is byte-identical while the ring is unchanged");
        assert.deepStrictEqual(again.discovery, d1.discovery);

        const d2 = await run(harness, "2026-04-01");
        assert.strictEqual(d2.primaryKid, d1.nextKid, "the staged key is promoted");
        assert.strictEqual(d2.signingKeyPem, d1.nextPrivateKeyPem);
        const d2Token = await token(d2.signingKeyPem, d2.primaryKid);
        assert.strictEqual(decodeProtectedHeader(d2Token).kid, d2.primaryKid);
        assert.ok(await verifies(d1Token, d2.keysJson), "a token from the previous key still verifies");
        assert.ok(await verifies(d2Token, d2.keysJson));

        const d3 = await run(harness, "2026-07-01");
        assert.ok(!(await verifies(d1Token, d3.keysJson)), "the D1 key left the trusted set");
        assert.ok(await verifies(d2Token, d3.keysJson));

        // A bump changes only the documents' content: the bucket's and objects' identifying inputs stay the same.
        const bucket = harness.byName("issuer-bucket").inputs;
        assert.deepStrictEqual(bucket, { forceDestroy: false });
        assert.strictEqual(harness.byName("issuer-keys").inputs.key, "keys.json");
    });

    it("every key is in keys.json for a full rotation before it is primary and a full rotation after", async () => {
        const harness = new Harness();
        const dates = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"];
        const runs = [];
        for (const date of dates) {
            const state = await run(harness, date);
            runs.push({
                primary: state.primaryKid,
                published: new Set(JSON.parse(state.keysJson).keys.map((k: any) => k.kid)),
            });
        }
        for (let i = 1; i < runs.length; i++) {
            assert.ok(runs[i - 1].published.has(runs[i].primary), `run ${i}'s primary was published in run ${i - 1}`);
            assert.ok(
                runs[i].published.has(runs[i - 1].primary),
                `run ${i - 1}'s primary is still published in run ${i}`,
            );
        }
    });
});
