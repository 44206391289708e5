import * as assert from "assert";
import { copyFileSync, rmSync } from "fs";
import * as path from "path";
import { REPO, engineEnv } from "./engine";
import { runPulumi } from "../../scripts/pulumi-inline";
import { runProgram } from "../../program/main";

// The demo's route without a language host: the CLI itself, given the example program inline by
// scripts/pulumi-inline.ts, on the repository's Pulumi.yaml and its `local` stack config file, copied unchanged to a
// throw-away stack (as the demo does: `pulumi stack rm` deletes a stack's config file).

const STACK = "e2e-inline";
const STACK_FILE = path.join(REPO, "stacks", `Pulumi.${STACK}.yaml`);

interface PreviewStep {
    op: string;
    urn: string;
    newState?: { type: string; inputs?: Record<string, unknown> };
}

describe("the example program through the pulumi CLI with the program served inline", function () {
    this.timeout(600_000);
    let env: Record<string, string>;
    let cleanup: () => void;

    before(() => {
        ({ env, cleanup } = engineEnv());
        copyFileSync(path.join(REPO, "stacks", "Pulumi.local.yaml"), STACK_FILE);
    });

    after(async () => {
        try {
            await runPulumi(["stack", "rm", "--yes", "--force", "-s", STACK], {
                cwd: REPO,
                env,
                capture: true,
            });
        } finally {
            rmSync(STACK_FILE, { force: true });
            cleanup?.();
        }
    });

    it("`pulumi preview --json` with the `local` config plans every credential of stacks/Pulumi.local.yaml", async () => {
        const init = await runPulumi(["stack", "init", STACK, "--non-interactive"], {
            cwd: REPO,
            env,
            capture: true,
        });
        assert.strictEqual(init.code, 0, init.stderr);
        const preview = await runPulumi(["preview", "--json", "--non-interactive", "-s", STACK], {
            cwd: REPO,
            program: async () => runProgram(),
            env,
            capture: true,
        });
        assert.strictEqual(preview.code, 0, preview.stderr);
        const plan = JSON.parse(preview.stdout) as { steps: PreviewStep[]; changeSummary: Record<string, number> };
        assert.deepStrictEqual(plan.changeSummary, { create: 61 });
        const ledgers = plan.steps
            .filter((step) => step.newState?.type === "pulumi-nodejs:dynamic/keyshift:SlotLedger")
            .map((step) => [
                step.urn.split("::").pop(),
                (step.newState?.inputs?.request as { rotatedDate?: string })?.rotatedDate,
            ]);
        assert.deepStrictEqual(ledgers.sort(), [
            ["appPassword-ledger", "2026-09-01"],
            ["ciToken-ledger", "2026-09-01"],
            ["ciliumIpsec-ledger", "2026-09-01"],
            ["clusterCa-ledger", "2026-09-01"],
            ["database-password-ledger", "2026-09-01"],
            ["encryption-ledger", "2026-09-01"],
            ["ingressTls-ledger", "2026-09-01"],
            ["registry-password-ledger", "2026-09-01"],
            ["signingKeys-keys-ledger", "2026-09-01"],
        ]);
    });
});
