import * as assert from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { REPO, engineEnv } from "./engine";
import { runPulumi } from "../../scripts/pulumi-inline";
import { runProgram } from "../../program/main";
import { PreviewStep, Review, reviewPreview } from "../../components/review/review";
import { overdueRotation } from "../../components/policy/rules";
import { stackStatus } from "../../components/review/status";

// `keyshift review` and `keyshift status` on what the real engine prints: `pulumi preview --json` of the example
// program for a first up, a bump, a rollback, a settings-only change and an emergency rotation, and
// `pulumi stack export` after them.

const STACK = "e2e-review";
const STACK_FILE = path.join(REPO, "stacks", `Pulumi.${STACK}.yaml`);

function config(renderDir: string, date: string, extra: { length?: number; compromised?: boolean } = {}): string {
    return [
        "config:",
        `  keyshift:kubernetes: { renderYamlToDirectory: ${renderDir} }`,
        `  keyshift:signingKeys: { rotatedDate: "${date}", publishToKubernetes: true }`,
        `  keyshift:database: { rotatedDate: "${date}", engine: postgres, username: app, connection: { address: db.internal, port: 5432, dbName: app }, publishToKubernetes: true, namespace: shop, restartWorkloads: [Deployment/shop/api]${extra.compromised ? ", compromised: true" : ""} }`,
        `  keyshift:ciToken: { rotatedDate: "${date}", namespace: ci, serviceAccount: deployer }`,
        `  keyshift:appPassword: { rotatedDate: "${date}", length: ${extra.length ?? 32} }`,
        "",
    ].join("\n");
}

describe("keyshift review and status on the real engine's documents", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    const renderDir = mkdtempSync(path.join(tmpdir(), "keyshift-review-"));
    const pulumi = (...args: string[]) =>
        runPulumi(args, { cwd: REPO, program: async () => runProgram(), env, capture: true });

    let lastPreview: { steps: PreviewStep[] } = { steps: [] };
    async function preview(): Promise<Review> {
        const run = await pulumi("preview", "--json", "--non-interactive", "-s", STACK);
        assert.strictEqual(
            run.code,
            0,
            run.stderr
                .split("\n")
                .filter((l) => /error/.test(l))
                .join("\n"),
        );
        lastPreview = JSON.parse(run.stdout);
        return reviewPreview(lastPreview, { now: Date.UTC(2026, 2, 1) });
    }
    async function up(): Promise<void> {
        const run = await pulumi("up", "--yes", "--skip-preview", "--non-interactive", "-s", STACK);
        assert.strictEqual(
            run.code,
            0,
            `${run.stderr}\n${run.stdout
                .split("\n")
                .filter((line) => /error/i.test(line))
                .join("\n")}`,
        );
    }
    const moves = (review: Review) => Object.fromEntries(review.credentials.map((c) => [c.name, c.move]));

    before(async () => {
        ({ env, cleanup } = engineEnv());
        writeFileSync(STACK_FILE, config(renderDir, "2026-01-01"));
        assert.strictEqual((await pulumi("stack", "init", STACK, "--non-interactive")).code, 0);
    });

    after(async () => {
        try {
            await pulumi("destroy", "--yes", "--non-interactive", "-s", STACK);
            await pulumi("stack", "rm", "--yes", "--force", "-s", STACK);
        } finally {
            rmSync(STACK_FILE, { force: true });
            rmSync(renderDir, { recursive: true, force: true });
            cleanup?.();
        }
    });

    it("reads a first up, a bump, a rollback, a settings-only change and an emergency rotation, and calls each safe", async () => {
        const created = await preview();
        assert.deepStrictEqual(moves(created), {
            appPassword: "first creation",
            ciToken: "first creation",
            database: "first creation",
            signingKeys: "first creation",
        });
        assert.strictEqual(
            created.safe,
            true,
            JSON.stringify(created.credentials.map((c) => [c.name, c.unsafe, c.overdue])),
        );
        await up();

        writeFileSync(STACK_FILE, config(renderDir, "2026-02-01"));
        const bump = await preview();
        assert.strictEqual(bump.safe, true, JSON.stringify(bump.credentials.map((c) => c.unsafe)));
        const byName = Object.fromEntries(bump.credentials.map((c) => [c.name, c]));
        assert.deepStrictEqual(moves(bump), {
            appPassword: "routine rotation",
            ciToken: "routine rotation",
            database: "routine rotation",
            signingKeys: "routine rotation",
        });
        assert.deepStrictEqual(byName.database.regenerated, [{ slot: 1, role: "primary" }]);
        assert.deepStrictEqual(byName.database.restarted, ["Deployment shop/api"]);
        assert.ok(
            byName.database.published.some((p) => p.endsWith("kubernetes:core/v1:Secret shop/rds-instance-output")),
        );
        const signer = byName.signingKeys;
        assert.deepStrictEqual(signer.regenerated, [{ slot: 2, role: "next" }]);
        assert.strictEqual(signer.trustedBefore!.length, 3);
        assert.ok(
            signer.trustedBefore!.every((kid) => /^[A-Za-z0-9_-]{43}$/.test(kid)),
            "every trusted key by kid, from the keys that change and the published ConfigMap",
        );
        assert.deepStrictEqual(signer.trustedAfter, [signer.trustedBefore![2], signer.trustedBefore![0], "(new key)"]);
        assert.strictEqual(signer.signs, signer.trustedBefore![2], "the old next key signs");
        assert.ok(
            signer.published.some((p) => /ConfigMap openshift-config-managed\/bound-sa-token-signing-certs$/.test(p)),
        );
        await up();

        writeFileSync(STACK_FILE, config(renderDir, "2026-01-01"));
        const rollback = await preview();
        assert.strictEqual(rollback.safe, true);
        assert.ok(rollback.credentials.every((c) => c.move === "rollback" && c.regenerated.length === 0));

        writeFileSync(STACK_FILE, config(renderDir, "2026-02-01", { length: 48 }));
        const settings = await preview();
        assert.strictEqual(settings.safe, true);
        assert.strictEqual(moves(settings).appPassword, "settings change deferred to the next rotation");
        assert.deepStrictEqual(
            Object.keys(moves(settings)),
            ["appPassword"],
            "the others are not in the preview at all",
        );

        writeFileSync(STACK_FILE, config(renderDir, "2026-02-02", { compromised: true }));
        const emergency = await preview();
        assert.strictEqual(emergency.safe, true, JSON.stringify(emergency.credentials.map((c) => c.unsafe)));
        assert.strictEqual(moves(emergency).database, "emergency rotation");
        assert.strictEqual(moves(emergency).signingKeys, "routine rotation");

        // The policy pack's overdue check, on the resources of this real preview as the pack receives them.
        const ledgers = lastPreview.steps
            .map((step) => step.newState!)
            .filter((state) => state.type === "pulumi-nodejs:dynamic/keyshift:SlotLedger")
            .map((state) => ({ type: state.type, urn: state.urn, props: state.inputs! }));
        assert.strictEqual(ledgers.length, 4);
        const violations = ledgers
            .map((resource) =>
                overdueRotation(resource, { maxAge: { password: "30d", signer: "90d" } }, Date.UTC(2026, 3, 1)),
            )
            .filter(Boolean)
            .sort();
        assert.deepStrictEqual(violations, [
            "keyshift:appPassword: the password was last rotated on 2026-02-02, more than 30d ago: set a later rotatedDate",
            "keyshift:database: the password was last rotated on 2026-02-02, more than 30d ago: set a later rotatedDate",
        ]);
    });

    it("keyshift status lists every credential of the exported stack, kids for the signer, and flags what is overdue", async () => {
        const exported = await pulumi("stack", "export", "-s", STACK);
        assert.strictEqual(exported.code, 0);
        const status = stackStatus(JSON.parse(exported.stdout), {
            maxAge: { signer: 90 * 86_400_000, password: 30 * 86_400_000 },
            now: Date.UTC(2026, 2, 15),
        });
        assert.deepStrictEqual(
            status.credentials.map((c) => [c.name, c.kind, c.rotatedDate, c.overdue]),
            [
                ["appPassword", "password", "2026-02-01", true],
                ["ciToken", "token", "2026-02-01", false],
                ["database", "password", "2026-02-01", true],
                ["signingKeys", "signer", "2026-02-01", false],
            ],
        );
        const signer = status.credentials.find((c) => c.name === "signingKeys")!;
        assert.deepStrictEqual(
            signer.slots.map((s) => s.role),
            ["primary", "previous", "next"],
        );
        assert.ok(
            signer.slots.every((s) => /^[A-Za-z0-9_-]{43}$/.test(s.kid ?? "")),
            "every signer slot has its kid",
        );
    });
});
