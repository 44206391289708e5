// Shared set-up for everything that drives the real Pulumi engine (the e2e and cluster suites, the demo's cluster act,
// the benchmarks): the engine from scripts/engine.sh (a `pulumi` on PATH, else ../shared/engine), a throw-away file
// backend, inline programs through the Automation API, and helpers to read stack outputs without printing secrets.
//
// Programs run inline: the CLI connects back to the Automation API's in-process language server, so no Node.js
// language host (`pulumi-language-nodejs`) is needed, and the program function is the very one a project's `index.ts`
// exports.

import * as assert from "assert";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, OpMap, PreviewResult, PulumiFn, Stack } from "@pulumi/pulumi/automation";

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
        rmSync(backend, { recursive: true, force: true });
        throw new Error(`no Pulumi engine: ${String((error as { stderr?: string }).stderr ?? error).trim()}`);
    }
    const env: Record<string, string> = {};
    for (const entry of printed.split("\0")) {
        const at = entry.indexOf("=");
        if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return { env, cleanup: () => rmSync(backend, { recursive: true, force: true }) };
}

/** An inline program and the project folder whose `Pulumi.yaml` (and stack config files) it runs with. */
export interface InlineProgram {
    /**
     * The project folder: its `Pulumi.yaml` names the project and, with `stackConfigDir`, where the stack config files
     * are. `node` must resolve `@pulumi/pulumi` from it, because the dynamic-provider launcher runs there.
     */
    workDir: string;
    /** The program, the same function the project's `index.ts` runs. */
    program: PulumiFn;
}

/** Creates (or selects) a stack of an inline program, with the given engine environment. */
export async function createStack(
    stackName: string,
    { workDir, program }: InlineProgram,
    env: Record<string, string>,
): Promise<Stack> {
    // The Automation API reads PATH and PULUMI_HOME from the process to find the CLI and plugins.
    Object.assign(process.env, { PATH: env.PATH, PULUMI_HOME: env.PULUMI_HOME });
    // The project name is read from workDir's Pulumi.yaml; the one given here is used only when there is none.
    return LocalWorkspace.createOrSelectStack(
        { stackName, projectName: path.basename(workDir), program },
        { workDir, envVars: env },
    );
}

/**
 * The Pulumi packages a consumer of the packed keyshift installs beside it, pinned as this repository pins them (the
 * plugin versions the engine serves).
 */
export function pulumiPins(): Record<string, string> {
    const { devDependencies } = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8"));
    return Object.fromEntries(
        ["@pulumi/pulumi", "@pulumi/random", "@pulumi/tls", "@pulumi/kubernetes", "@pulumi/aws"].map((name) => [
            name,
            devDependencies[name],
        ]),
    );
}

/** A preview's steps other than "same", providers and the two halves of a replacement, with the preview's result. */
export async function previewSteps(
    stack: Stack,
): Promise<{ steps: { op: string; type: string; name: string }[]; result: PreviewResult }> {
    const steps: { op: string; type: string; name: string }[] = [];
    const result = await stack.preview({
        onEvent: (event: EngineEvent) => {
            const meta = event.resourcePreEvent?.metadata;
            if (
                meta &&
                meta.op !== "same" &&
                !meta.type.startsWith("pulumi:providers:") &&
                !["create-replacement", "delete-replaced"].includes(meta.op)
            ) {
                steps.push({ op: meta.op, type: meta.type, name: meta.urn.split("::").pop()! });
            }
        },
    });
    return { steps, result };
}

/** Every file under `dir`, for searching a file backend's state. */
export function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const full = path.join(dir, entry);
        return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
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
