// The demo's last act, when Kubernetes test binaries are at hand: a real kube-apiserver signs service-account tokens
// with keyshift's keys while the signer rotates twice. Prints kids and verdicts, never a token or a key.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { createStack, engineEnv } from "../tests/e2e/engine";
import { CLUSTER } from "../tests/e2e/programs";
import { TestCluster } from "../tests/cluster/cluster";

async function main(): Promise<void> {
    const { env, cleanup } = engineEnv();
    const stack = await createStack("demo-signer", CLUSTER, env);
    let cluster: TestCluster | undefined;
    const signer = async (date: string) => {
        await stack.setConfig("cluster:rotatedDate", { value: date });
        await stack.up();
        const outputs = await stack.outputs();
        return {
            signingKeyPem: outputs.signingKeyPem.value as string,
            trustedPublicKeys: outputs.trustedPublicKeys.value as string[],
            jwks: JSON.parse(outputs.jwks.value),
            kids: outputs.kids.value as { primary: string; previous: string; next: string },
        };
    };
    const show = (label: string, kids: { previous: string; primary: string; next: string }) =>
        console.log(`${label}: previous ${kids.previous}  primary ${kids.primary}  next ${kids.next}`);
    try {
        await stack.setConfig("cluster:part", { value: "signer" });
        const d1 = await signer("2026-01-01");
        show("signer at 2026-01-01", d1.kids);
        cluster = await TestCluster.start(d1);
        await cluster.createServiceAccount("default", "app");
        const t1 = await cluster.tokenRequest("default", "app");
        await jwtVerify(t1, createLocalJWKSet(d1.jwks), { issuer: cluster.issuer });
        console.log(
            `1. token T1 from the API server: kid ${decodeProtectedHeader(t1).kid}, verifies against keyshift's keys.json`,
        );

        const d2 = await signer("2026-04-01");
        show("signer at 2026-04-01", d2.kids);
        await cluster.restart(d2);
        const t2 = await cluster.tokenRequest("default", "app");
        console.log(
            `2. API server restarted with the bumped ring: T1 TokenReview ${(await cluster.tokenReview(t1)) ? "accepted" : "REFUSED"}; new token T2 signed by kid ${decodeProtectedHeader(t2).kid} (the old next key)`,
        );

        const d3 = await signer("2026-07-01");
        show("signer at 2026-07-01", d3.kids);
        await cluster.restart(d3);
        console.log(
            `3. after a second bump: T1 ${(await cluster.tokenReview(t1)) ? "accepted" : "refused (its key left the trusted set)"}; T2 ${(await cluster.tokenReview(t2)) ? "accepted" : "REFUSED"}`,
        );
    } finally {
        await cluster?.stop();
        await stack.workspace.removeStack("demo-signer", { force: true }).catch(() => undefined);
        cleanup();
    }
}

main().catch((error) => {
    console.error(`cluster demo failed: ${(error as Error).message.split("\n")[0]}`);
    process.exit(1);
});
