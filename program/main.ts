import * as pulumi from "@pulumi/pulumi";
import { ConfigError, checkKnownSections, readSection } from "./schema";
import { BuildContext, SECTIONS } from "./sections";

const NAMESPACE = "keyshift";

/** Thrown for user errors; the Pulumi runtime prints a RunError's message alone, without a stack trace. */
function userError(error: unknown): Error {
    if (error instanceof ConfigError) {
        return new pulumi.RunError(error.message);
    }
    if (pulumi.InputPropertyError.isInstance(error)) {
        return new pulumi.RunError(`${error.propertyPath}: ${error.reason}`);
    }
    return error as Error;
}

/**
 * Reads every `keyshift:<section>` in the stack's config, validates it, and builds the components it names.
 * Returns the stack outputs.
 */
export function runProgram(allConfig: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
    try {
        checkKnownSections(NAMESPACE, Object.keys(allConfig), Object.keys(SECTIONS));
        const outputs: Record<string, unknown> = {};
        const context: BuildContext = {};
        for (const [key, section] of Object.entries(SECTIONS)) {
            const raw = allConfig[`${NAMESPACE}:${key}`];
            if (raw === undefined) {
                continue;
            }
            const path = `${NAMESPACE}:${key}`;
            let parsed: unknown;
            try {
                parsed = JSON.parse(raw);
            } catch {
                parsed = raw;
            }
            const settings = readSection<never>(path, parsed, section.schema);
            outputs[key] = section.build(key, settings, path, context);
        }
        return outputs;
    } catch (error) {
        throw userError(error);
    }
}
