import * as assert from "assert";
import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { EngineEvent, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { REPO, changes, createStack, digest, engineEnv } from "./engine";
import { EXAMPLE } from "./programs";
import { registerSecrets } from "../redact";

// Upgrading keyshift never rotates anything. fixtures/keyshift-0.1.0.tar.gz is keyshift as it was on main before its
// ledger knew settings and emergencies (`git archive v0.1.0 components program | gzip -9n`). Its example program brings
// a stack up and rotates it once; then this repository's program runs on the same state.

const STACK = "e2e-upgrade";
const STACK_FILE = path.join(REPO, "stacks", `Pulumi.${STACK}.yaml`);

function stackConfig(renderDir: string, date: string): string {
    return [
        "config:",
        `  keyshift:kubernetes: { renderYamlToDirectory: ${renderDir} }`,
        `  keyshift:signingKeys: { rotatedDate: "${date}", publishToKubernetes: true }`,
        `  keyshift:database: { rotatedDate: "${date}", engine: postgres, username: app, connection: { address: db.internal, port: 5432, dbName: app }, publishToKubernetes: true, namespace: shop, restartWorkloads: [Deployment/shop/api] }`,
        `  keyshift:ciToken: { rotatedDate: "${date}", namespace: ci, serviceAccount: deployer, createServiceAccount: true }`,
        `  keyshift:appPassword: { rotatedDate: "${date}", length: 24 }`,
        "",
    ].join("\n");
}

/** Every step a preview shows except "same", as "op type name". */
async function previewSteps(stack: Stack): Promise<string[]> {
    const steps: string[] = [];
    await stack.preview({
        onEvent: (event: EngineEvent) => {
            const meta = event.resourcePreEvent?.metadata;
            if (meta && meta.op !== "same" && !meta.type.startsWith("pulumi:providers:")) {
                steps.push(`${meta.op} ${meta.type.split(":").pop()} ${meta.urn.split("::").pop()}`);
            }
        },
    });
    return steps.sort();
}

/** The roles of every credential, secrets as digests: what must survive an upgrade byte for byte. */
async function roles(stack: Stack): Promise<Record<string, unknown>> {
    const outputs = await stack.outputs();
    const view: Record<string, unknown> = {};
    for (const section of ["signingKeys", "database", "ciToken", "appPassword"]) {
        const value = outputs[section].value;
        for (const role of ["primary", "previous", "next"]) {
            if (!value[role]) continue;
            registerSecrets(value[role].value);
            // 0.1.0 called a key's kid "fingerprint".
            view[`${section}.${role}`] = value[role].kid ?? value[role].fingerprint ?? digest(value[role].value);
        }
    }
    return view;
}

describe("upgrading keyshift from 0.1.0 on the real engine", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    let stack: Stack;
    let oldProgram: PulumiFn;
    const renderDir = mkdtempSync(path.join(tmpdir(), "keyshift-upgrade-render-"));
    // Inside the repository, so that the old sources resolve @pulumi/* from its node_modules.
    mkdirSync(path.join(REPO, ".keyshift"), { recursive: true });
    const oldDir = mkdtempSync(path.join(REPO, ".keyshift", "keyshift-0.1.0-"));

    before(async () => {
        execFileSync("tar", ["xzf", path.join(__dirname, "fixtures", "keyshift-0.1.0.tar.gz"), "-C", oldDir]);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runProgram } = require(path.join(oldDir, "program", "main"));
        oldProgram = async () => runProgram();
        ({ env, cleanup } = engineEnv());
    });

    after(async () => {
        try {
            await stack?.destroy();
            await stack?.workspace.removeStack(STACK, { force: true });
        } finally {
            rmSync(STACK_FILE, { force: true });
            rmSync(renderDir, { recursive: true, force: true });
            rmSync(oldDir, { recursive: true, force: true });
            cleanup?.();
        }
    });

    it("0.1.0's stack, rotated once, previews under this keyshift with no key, password, token or Secret created, replaced or deleted", async () => {
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-01-01"));
        const old = await createStack(STACK, { workDir: REPO, program: oldProgram }, env);
        await old.up();
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-02-01"));
        await old.up();
        const before = await roles(old);

        stack = await createStack(STACK, EXAMPLE, env);
        const steps = await previewSteps(stack);
        assert.deepStrictEqual(
            steps,
            [
                "update SlotLedger appPassword-ledger",
                "update SlotLedger ciToken-ledger",
                "update SlotLedger database-password-ledger",
                "update SlotLedger signingKeys-keys-ledger",
            ],
            "only the ledgers change: they are migrated in place",
        );
        const upgraded = await stack.up();
        assert.deepStrictEqual(changes(upgraded.summary.resourceChanges), { update: 4 });
        assert.deepStrictEqual(await roles(stack), before, "every role holds the same key, password and token");
        assert.deepStrictEqual(changes((await stack.up()).summary.resourceChanges), {}, "and the next up is a no-op");

        // The rollback 0.1.0 made possible survives the upgrade, and the next rotation is an ordinary one.
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-01-01"));
        const rolledBack = await stack.up();
        assert.deepStrictEqual(
            changes(rolledBack.summary.resourceChanges).replace,
            undefined,
            "a rollback regenerates nothing",
        );
        writeFileSync(STACK_FILE, stackConfig(renderDir, "2026-03-01"));
        const bumped = await stack.up();
        assert.strictEqual(changes(bumped.summary.resourceChanges).replace, 4, "one slot per credential");
    });
});
