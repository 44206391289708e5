import * as pulumi from "@pulumi/pulumi";
import { RotationArgs, checkRotationArgs, declareAll } from "../components";
import { ConfigError, checkKnownSections, readSection } from "./schema";
import { SECTIONS } from "./sections";
import { BuildContext } from "./sectionKit";

const NAMESPACE = "keyshift";

/**
 * Thrown for user errors; the Pulumi runtime prints a RunError's message alone, without a stack trace. A component's
 * error names its argument; within a section that becomes the config key (`serviceAccount.namespace` of ciToken is
 * `keyshift:ciToken.namespace`), and any other error from building a section is reported against the section.
 */
function userError(error: unknown, path?: string, argKeys: Record<string, string> = {}): Error {
    // Before the RunError check: keyshift's InputPropertyErrors are also RunErrors, for programs that let them escape.
    if (pulumi.RunError.isInstance(error) && !pulumi.InputPropertyError.isInstance(error)) {
        return error;
    }
    if (error instanceof ConfigError) {
        return new pulumi.RunError(error.message);
    }
    if (pulumi.InputPropertyError.isInstance(error)) {
        let at = error.propertyPath;
        // A component names its argument, relative or under its configPath (the section's path): either way the
        // config key may have another name (`secretName` for the `name` argument).
        const relative = path && at.startsWith(`${path}.`) ? at.slice(path.length + 1) : at;
        if (path && !relative.startsWith(`${NAMESPACE}:`)) {
            const arg = Object.keys(argKeys)
                .filter((name) => relative === name || relative.startsWith(`${name}.`))
                .sort((a, b) => b.length - a.length)[0];
            at = `${path}.${arg ? argKeys[arg] + relative.slice(arg.length) : relative}`;
        }
        return new pulumi.RunError(`${at}: ${error.reason}`);
    }
    return path ? new pulumi.RunError(`${path}: ${(error as Error).message}`) : (error as Error);
}

/**
 * Reads every `keyshift:<section>` in the stack's config, validates all of it, and only then builds the components it
 * names, so a bad value anywhere stops the program before any resource is declared. Returns the stack outputs.
 */
export function runProgram(allConfig: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
    try {
        checkKnownSections(NAMESPACE, Object.keys(allConfig), Object.keys(SECTIONS));
        const present = Object.entries(SECTIONS).flatMap(([key, section]) => {
            const path = `${NAMESPACE}:${key}`;
            const raw = allConfig[path];
            if (raw === undefined) {
                return [];
            }
            let parsed: unknown;
            try {
                parsed = JSON.parse(raw);
            } catch {
                parsed = raw;
            }
            const settings = readSection<Record<string, unknown>>(path, parsed, section.schema);
            if ("rotatedDate" in section.schema) {
                checkRotationArgs(settings as unknown as RotationArgs, path);
            }
            return [{ key, section, path, settings }];
        });
        // A component checks its arguments as it is built, after the sections before it have declared theirs:
        // declareAll keeps those from the engine until every section is built, so a bad value changes nothing.
        return declareAll(() => {
            const outputs: Record<string, unknown> = {};
            const context: BuildContext = {};
            for (const { key, section, path, settings } of present) {
                try {
                    outputs[key] = section.build(key, settings as never, path, context);
                } catch (error) {
                    throw userError(error, path, section.argKeys);
                }
            }
            return outputs;
        });
    } catch (error) {
        throw userError(error);
    }
}
