// Shared set-up for suites that drive the real Pulumi engine through the Automation API: the engine from
// scripts/engine.sh (a `pulumi` on PATH, else ../shared/engine), a throw-away file backend, and helpers to read
// stack outputs without printing secrets.

import * as assert from "assert";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { LocalWorkspace, OpMap, Stack } from "@pulumi/pulumi/automation";

export const REPO = path.resolve(__dirname, "../..");

/** The environment scripts/engine.sh sets up, with a fresh file backend. Fails with one line when there is no engine. */
export function engineEnv(): { env: Record<string, string>; cleanup: () => void } {
    const backend = mkdtempSync(path.join(tmpdir(), "keyshift-e2e-"));
    let printed: string;
    try {
        printed = execFileSync(
            "bash",
            ["-c", `export PULUMI_BACKEND_URL=file://${backend}; source scripts/engine.sh >&2 && env -0`],
            { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        );
    } catch (error) {
        throw new Error(`no Pulumi engine: ${String((error as { stderr?: string }).stderr ?? error).trim()}`);
    }
    const env: Record<string, string> = {};
    for (const entry of printed.split("\0")) {
        const at = entry.indexOf("=");
        if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return { env, cleanup: () => rmSync(backend, { recursive: true, force: true }) };
}

/** Creates a stack of the program in `programDir` with the given environment. */
export async function createStack(programDir: string, stackName: string, env: Record<string, string>): Promise<Stack> {
    // The Automation API reads PATH and PULUMI_HOME from the process to find the CLI and plugins.
    Object.assign(process.env, { PATH: env.PATH, PULUMI_HOME: env.PULUMI_HOME });
    return LocalWorkspace.createOrSelectStack({ stackName, workDir: programDir }, { envVars: env });
}

/** A digest for comparing secret values in assertions without ever printing them. */
export function digest(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** The changes an operation made or would make, with "same" left out. */
export function changes(summary: OpMap | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(summary ?? {}).filter(([op, count]) => op !== "same" && count));
}

/** Asserts that `promise` rejects with output matching `pattern`; the error's text is searched, never printed whole. */
export async function assertFails(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
    try {
        await promise;
    } catch (error) {
        const text = String((error as Error).message ?? error);
        assert.ok(
            pattern.test(text),
            `expected ${pattern} in the engine's error; it said: ${text
                .split("\n")
                .filter((l) => /error/i.test(l))
                .slice(0, 5)
                .join(" | ")}`,
        );
        return;
    }
    assert.fail(`expected the operation to fail with ${pattern}`);
}
