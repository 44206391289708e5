import * as assert from "assert";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { parse } from "yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { changes, createStack, engineEnv } from "../e2e/engine";
import { CLUSTER } from "../e2e/programs";
import { registerSecrets } from "../redact";
import { SignerFiles, TestCluster, kubeBinaries } from "./cluster";
import { discoveryDocument } from "../../components/aws/oidcIssuer";
import { Jwks } from "../../components/jwks";

// keyshift's rotations against a real kube-apiserver: the signer flags come from keyshift's outputs, tokens come from
// the TokenRequest API and the token controller, and TokenReview is the judge.

interface SignerState extends SignerFiles {
    jwks: Jwks;
    kids: { primary: string; previous: string; next: string };
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const kidsOf = (jwks: Jwks) => jwks.keys.map((key) => key.kid).sort();

describe("keyshift on a real Kubernetes API server", function () {
    this.timeout(900_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let signerStack: Stack;
    let tokenStack: Stack | undefined;
    let migrationStack: Stack | undefined;
    let cluster: TestCluster | undefined;
    const states: Record<string, SignerState> = {};
    const tokens: Record<string, string> = {};

    async function signer(date: string, stack = signerStack): Promise<SignerState> {
        await stack.setConfig("cluster:rotatedDate", { value: date });
        await stack.up();
        const outputs = await stack.outputs();
        registerSecrets(outputs.signingKeyPem.value);
        return {
            signingKeyPem: outputs.signingKeyPem.value,
            trustedPublicKeys: outputs.trustedPublicKeys.value,
            jwks: JSON.parse(outputs.jwks.value),
            kids: outputs.kids.value,
        };
    }

    before(async () => {
        // Fails here, in one line, when there are no binaries: this suite never skips.
        kubeBinaries();
        ({ env, cleanup } = engineEnv());
        signerStack = await createStack("signer", CLUSTER, env);
        await signerStack.setConfig("cluster:part", { value: "signer" });
    });

    after(async () => {
        try {
            if (tokenStack) {
                await tokenStack.destroy().catch(() => undefined);
                await tokenStack.workspace.removeStack("token", { force: true });
            }
            await signerStack?.workspace.removeStack("signer", { force: true });
            await migrationStack?.workspace.removeStack("migrate", { force: true });
        } finally {
            await cluster?.stop();
            cleanup?.();
        }
    });

    it("1. D1: a TokenRequest token carries the primary's kid and verifies against keyshift's keys.json; the API server publishes exactly the trusted set", async () => {
        states.d1 = await signer("2026-01-01");
        cluster = await TestCluster.start(states.d1, { tokenController: true });
        await cluster.createServiceAccount("default", "app");
        tokens.d1 = await cluster.tokenRequest("default", "app");
        assert.strictEqual(kidOf(tokens.d1), states.d1.kids.primary);
        const verified = await jwtVerify(tokens.d1, createLocalJWKSet(states.d1.jwks as never), {
            issuer: cluster.issuer,
        });
        assert.strictEqual(verified.payload.sub, "system:serviceaccount:default:app");
        const published = await cluster.request("GET", "/openid/v1/jwks");
        assert.strictEqual(published.status, 200);
        assert.deepStrictEqual(kidsOf(published.body), kidsOf(states.d1.jwks));
        for (const key of states.d1.jwks.keys) {
            const theirs = published.body.keys.find((k: { kid: string }) => k.kid === key.kid);
            assert.deepStrictEqual([theirs.n, theirs.e, theirs.alg, theirs.use], [key.n, key.e, key.alg, key.use]);
        }
    });

    it("6. the discovery document keyshift publishes agrees with the API server's", async () => {
        const theirs = (await cluster!.request("GET", "/.well-known/openid-configuration")).body;
        const ours = discoveryDocument(cluster!.issuer, states.d1.jwks);
        assert.strictEqual(ours.issuer, theirs.issuer);
        assert.strictEqual(ours.jwks_uri, theirs.jwks_uri);
        assert.deepStrictEqual(
            ours.id_token_signing_alg_values_supported,
            theirs.id_token_signing_alg_values_supported,
        );
        assert.deepStrictEqual(ours.response_types_supported, theirs.response_types_supported);
        assert.deepStrictEqual(ours.subject_types_supported, theirs.subject_types_supported);
    });

    it("2. D2: the D1 token still passes TokenReview; new tokens carry the old next key's kid, already in D1's keys.json", async () => {
        states.d2 = await signer("2026-04-01");
        await cluster!.restart(states.d2);
        assert.strictEqual(await cluster!.tokenReview(tokens.d1), true);
        tokens.d2 = await cluster!.tokenRequest("default", "app");
        assert.strictEqual(kidOf(tokens.d2), states.d2.kids.primary);
        assert.strictEqual(states.d2.kids.primary, states.d1.kids.next);
        assert.ok(kidsOf(states.d1.jwks).includes(kidOf(tokens.d2)!));
        assert.strictEqual(await cluster!.tokenReview(tokens.d2), true);
    });

    it("3. D3: the D1 token is refused (its key left the trusted set); the D2 token still passes", async () => {
        states.d3 = await signer("2026-07-01");
        await cluster!.restart(states.d3);
        assert.ok(!kidsOf(states.d3.jwks).includes(states.d1.kids.primary));
        assert.strictEqual(await cluster!.tokenReview(tokens.d1), false);
        assert.strictEqual(await cluster!.tokenReview(tokens.d2), true);
        tokens.d3 = await cluster!.tokenRequest("default", "app");
    });

    it("4. rollback to D2's date: tokens from both remaining keys pass and no key material changed", async () => {
        const rolledBack = await signer("2026-04-01");
        await cluster!.restart(rolledBack);
        assert.deepStrictEqual([...rolledBack.trustedPublicKeys].sort(), [...states.d3.trustedPublicKeys].sort());
        assert.strictEqual(rolledBack.kids.primary, states.d2.kids.primary);
        assert.strictEqual(await cluster!.tokenReview(tokens.d2), true);
        assert.strictEqual(await cluster!.tokenReview(tokens.d3), true);
    });

    it("5. ServiceAccountToken through the real Kubernetes provider: filled, overlapping, retired, a working kubeconfig, and an emergency that deletes the exposed token's Secret", async () => {
        await cluster!.request("POST", "/api/v1/namespaces", { metadata: { name: "ci" } });
        tokenStack = await createStack("token", CLUSTER, env);
        await tokenStack.setConfig("cluster:part", { value: "token" });
        await tokenStack.setConfig("cluster:kubeconfig", { value: cluster!.adminKubeconfig(), secret: true });
        await tokenStack.setConfig("cluster:server", { value: cluster!.server });
        await tokenStack.setConfig("cluster:caData", { value: cluster!.caData });
        const up = async (date: string) => {
            await tokenStack!.setConfig("cluster:rotatedDate", { value: date });
            const result = await tokenStack!.up();
            const outputs = await tokenStack!.outputs();
            registerSecrets(outputs.token.value, outputs.previousToken.value, outputs.kubeconfig.value);
            assert.strictEqual(outputs.token.secret, true);
            assert.strictEqual(outputs.kubeconfig.secret, true);
            return {
                result,
                token: outputs.token.value as string,
                previous: outputs.previousToken.value as string,
                kubeconfig: outputs.kubeconfig.value as string,
            };
        };

        const t1 = await up("2026-01-01");
        assert.ok(t1.token.length > 100, "the token controller filled the Secret and the provider read it back");
        assert.strictEqual(await cluster!.tokenReview(t1.token), true);
        const config = parse(t1.kubeconfig);
        const user = config.users[0].user.token;
        assert.strictEqual(config.clusters[0].cluster.server, cluster!.server);
        const whoami = await cluster!.request(
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
            user,
        );
        assert.strictEqual(whoami.status, 201);
        assert.strictEqual(whoami.body.status.userInfo.username, "system:serviceaccount:ci:deployer");

        const t2 = await up("2026-02-01");
        assert.deepStrictEqual(changes(t2.result.summary.resourceChanges), { update: 1, replace: 1 });
        assert.ok(t2.previous === t1.token, "the old token is kept as previous");
        assert.strictEqual(await cluster!.tokenReview(t1.token), true, "the previous token keeps working");
        assert.strictEqual(await cluster!.tokenReview(t2.token), true);

        const t3 = await up("2026-03-01");
        assert.ok(t3.previous === t2.token);
        assert.strictEqual(
            await cluster!.refusedWithinCacheTtl(t1.token),
            true,
            "the oldest Secret was deleted, its token refused",
        );
        assert.strictEqual(await cluster!.tokenReview(t2.token), true);
        assert.strictEqual(await cluster!.tokenReview(t3.token), true);

        // An emergency rotation: the exposed token's Secret is deleted in the same up, so the API server refuses it;
        // the previous token's Secret goes with it (an emergency keeps no previous), and the new token works.
        await tokenStack!.setConfig("cluster:compromised", { value: "true" });
        const t4 = await up("2026-03-01T02:00:00Z");
        assert.strictEqual(t4.previous, "", "no previous token after an emergency");
        const names = await cluster!.request("GET", "/api/v1/namespaces/ci/secrets");
        assert.deepStrictEqual(
            names.body.items
                .filter((item: any) => item.type === "kubernetes.io/service-account-token")
                .map((item: any) => item.metadata.name),
            ["deployer-token-g5"],
            "only the new token's Secret is left",
        );
        assert.strictEqual(await cluster!.refusedWithinCacheTtl(t3.token), true, "the exposed token is refused");
        assert.strictEqual(await cluster!.tokenReview(t4.token), true);
    });
    it("7. RSA-2048 to ECDSA-P256 over rotations: both kinds trusted meanwhile; RSA tokens pass until their key leaves, ECDSA tokens carry the new primary's kid", async () => {
        const stack = await createStack("migrate", CLUSTER, env);
        migrationStack = stack;
        await stack.setAllConfig({ "cluster:part": { value: "signer" }, "cluster:algorithm": { value: "RSA-2048" } });
        const algOf = (token: string) => decodeProtectedHeader(token).alg;
        const algs = (jwks: Jwks) => [...new Set(jwks.keys.map((key) => key.alg))].sort();

        const m1 = await signer("2026-01-01", stack);
        await cluster!.restart(m1);
        const rsa1 = await cluster!.tokenRequest("default", "app");
        assert.deepStrictEqual([algOf(rsa1), kidOf(rsa1)], ["RS256", m1.kids.primary]);

        // The algorithm alone changes nothing but the ledger's settings: no key is generated.
        await stack.setConfig("cluster:algorithm", { value: "ECDSA-P256" });
        const settingsOnly = await stack.up();
        assert.deepStrictEqual(changes(settingsOnly.summary.resourceChanges), { update: 1 });
        assert.deepStrictEqual(kidsOf(JSON.parse((await stack.outputs()).jwks.value)), kidsOf(m1.jwks));

        const m2 = await signer("2026-02-01", stack);
        assert.deepStrictEqual(algs(m2.jwks), ["ES256", "RS256"], "keys.json holds both kinds");
        await cluster!.restart(m2);
        const theirs = (await cluster!.request("GET", "/.well-known/openid-configuration")).body;
        assert.deepStrictEqual(theirs.id_token_signing_alg_values_supported, ["ES256", "RS256"]);
        assert.deepStrictEqual(
            discoveryDocument(cluster!.issuer, m2.jwks).id_token_signing_alg_values_supported,
            theirs.id_token_signing_alg_values_supported,
        );
        assert.strictEqual(await cluster!.tokenReview(rsa1), true);
        const rsa2 = await cluster!.tokenRequest("default", "app");
        assert.deepStrictEqual([algOf(rsa2), kidOf(rsa2)], ["RS256", m2.kids.primary]);

        const m3 = await signer("2026-03-01", stack);
        await cluster!.restart(m3);
        const ec3 = await cluster!.tokenRequest("default", "app");
        assert.deepStrictEqual([algOf(ec3), kidOf(ec3)], ["ES256", m3.kids.primary]);
        const verified = await jwtVerify(ec3, createLocalJWKSet(m3.jwks as never), { issuer: cluster!.issuer });
        assert.strictEqual(verified.protectedHeader.alg, "ES256");
        assert.strictEqual(await cluster!.tokenReview(rsa2), true, "the RSA key is still trusted as previous");
        await jwtVerify(rsa2, createLocalJWKSet(m3.jwks as never), { issuer: cluster!.issuer });
        assert.strictEqual(await cluster!.tokenReview(rsa1), false, "rsa1's key left the trusted set");

        const m4 = await signer("2026-04-01", stack);
        assert.deepStrictEqual(algs(m4.jwks), ["ES256"], "the migration is complete");
        await cluster!.restart(m4);
        assert.strictEqual(await cluster!.tokenReview(rsa2), false);
        assert.strictEqual(await cluster!.tokenReview(ec3), true);
    });
    it("8. an emergency rotation: a token signed by the exposed key is refused at once, and the staged key signs", async () => {
        const stack = migrationStack!;
        const exposed = await cluster!.tokenRequest("default", "app");
        const before = await signer("2026-04-01", stack);
        assert.strictEqual(kidOf(exposed), before.kids.primary);
        await stack.setConfig("cluster:compromised", { value: "true" });
        const after = await signer("2026-04-01T06:00:00Z", stack);
        assert.strictEqual(after.kids.primary, before.kids.next, "the staged key signs at once");
        assert.deepStrictEqual(kidsOf(after.jwks), [after.kids.primary, after.kids.next].sort());
        await cluster!.restart(after);
        assert.strictEqual(await cluster!.tokenReview(exposed), false, "the exposed key's token is refused");
        const fresh = await cluster!.tokenRequest("default", "app");
        assert.strictEqual(kidOf(fresh), after.kids.primary);
        assert.strictEqual(await cluster!.tokenReview(fresh), true);
    });
});
