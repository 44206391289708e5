import * as pulumi from "@pulumi/pulumi";
import { RotationArgs, checkRotationArgs } from "../components";
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
    if (pulumi.RunError.isInstance(error)) {
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
        const outputs: Record<string, unknown> = {};
        const context: BuildContext = {};
        const gate = registrationGate();
        for (const { key, section, path, settings } of present) {
            try {
                outputs[key] = section.build(key, settings as never, path, context);
            } catch (error) {
                throw gate.close(userError(error, path, section.argKeys));
            }
        }
        gate.open();
        return outputs;
    } catch (error) {
        throw userError(error);
    }
}

/**
 * Holds back the registration of every resource the sections declare until all of them are built. A component checks
 * its arguments as it is built, after the sections before it have declared theirs: without the gate those would reach
 * the engine, and an `up --skip-preview` would apply them before the bad value stops the run. Closed, the gate fails
 * every held registration with the error the program throws, before any of them reads another's outputs, so nothing
 * is registered and the runtime reports that one error, not one per resource.
 */
function registrationGate(): { open: () => void; close: (error: Error) => Error } {
    let release: (value: pulumi.Resource[]) => void = () => undefined;
    let refuse: (error: Error) => void = () => undefined;
    const gate = new Promise<pulumi.Resource[]>((resolve, reject) => ([release, refuse] = [resolve, reject]));
    gate.catch(() => undefined);
    // Outside a stack (unit tests under mocks) there is nothing to hold. A resource's explicit dependencies are awaited
    // first when it registers, before its inputs.
    if (pulumi.runtime.getStackResource()) {
        pulumi.runtime.registerStackTransformation(({ props, opts }) => ({
            props,
            opts: pulumi.mergeOptions(opts, { dependsOn: gate }),
        }));
    }
    return {
        open: () => release([]),
        close: (error) => {
            refuse(error);
            return error;
        },
    };
}
