import * as pulumi from "@pulumi/pulumi";
import { notADate, notAnInterval, notCompromised, parseInterval, parseRotationDate } from "./ring/dates";
import { configKey } from "./ring/ring";
import type { RotationArgs } from "./ring/slots";

// Argument checks shared by the components. Each throws pulumi.InputPropertyError naming the argument path and the
// value, before any resource exists, so a bad config fails at preview. Values only known at deployment time
// (Outputs) are checked again where they resolve: the ring's dates by the ledger provider's `check`.

/**
 * Throws the InputPropertyError keyshift uses for a bad argument. Its message leads with the property path, because
 * a program that lets it escape gets the message alone printed (`reason` and `propertyPath` stay as Pulumi defines
 * them), and Pulumi prints it without a stack trace.
 */
export function argError(propertyPath: string, reason: string): never {
    const error = new pulumi.InputPropertyError({ propertyPath, reason });
    error.message = `${propertyPath}: ${reason}`;
    // Printed as a RunError is, the message alone: a stack trace through keyshift's code says nothing about a bad
    // config value. The SDK knows a RunError by this flag (RunError.isInstance), across copies of itself.
    (error as unknown as { __pulumiRunError: boolean }).__pulumiRunError = true;
    throw error;
}

/**
 * Refuses an argument `component` does not take: args spread from a config section (`{ ...config.requireObject("db") }`)
 * would otherwise drop a misspelt key (`lenght`) without a word. `known` lists every argument, so that the compiler
 * says when one is added and not listed.
 */
export function checkKnownArgs(
    args: object,
    known: Record<string, boolean>,
    component: string,
    configPath: string,
    fields: Record<string, Record<string, boolean>> = {},
): void {
    unknownKeys(args, known, (key, listed) =>
        argError(configKey(configPath, key), `not an argument of ${component} (it takes ${listed})`),
    );
    // The arguments that are keyshift's own objects (not Pulumi resources or outputs), checked the same way.
    for (const [field, inner] of Object.entries(fields)) {
        const value = (args as Record<string, unknown>)[field];
        checkKnownFields(value, inner, `${component}'s ${field}`, configKey(configPath, field));
    }
}

/** Refuses a field `what` does not have, in an object given at `propertyPath` (Outputs and resources are left alone). */
export function checkKnownFields(
    value: unknown,
    known: Record<string, boolean>,
    what: string,
    propertyPath: string,
): void {
    if (typeof value === "object" && value !== null && !isDeferred(value) && !pulumi.Resource.isInstance(value)) {
        unknownKeys(value, known, (key, listed) =>
            argError(`${propertyPath}.${key}`, `not a field of ${what} (it takes ${listed})`),
        );
    }
}

function unknownKeys(
    value: object,
    known: Record<string, boolean>,
    refuse: (key: string, listed: string) => void,
): void {
    for (const [key, given] of Object.entries(value)) {
        if (!Object.prototype.hasOwnProperty.call(known, key) && given !== undefined) {
            // Internal arguments (false) are accepted and left out of the list.
            refuse(
                key,
                Object.keys(known)
                    .filter((name) => known[name])
                    .join(", "),
            );
        }
    }
}

/** Every argument RotationArgs names, for the components' lists of what they take. */
export const ROTATION_ARGS = {
    rotatedDate: true,
    minRotationInterval: true,
    configPath: true,
    compromised: true,
} as const satisfies Record<keyof RotationArgs, true>;

/** Checks a rotation date given as a plain string; Outputs are left to the ledger's check. */
export function checkRotationDate(value: pulumi.Input<string>, propertyPath: string): void {
    if (isDeferred(value)) {
        return;
    }
    if (parseRotationDate(value) === undefined) {
        argError(propertyPath, notADate(value));
    }
}

/** Whether `value` is known only later (an Output or a Promise), so it is checked where it resolves. */
export function isDeferred(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** Checks `compromised` given as a plain value: true, false or a date. */
export function checkCompromised(value: pulumi.Input<boolean | string> | undefined, propertyPath: string): void {
    if (value === undefined || value === null || typeof value === "boolean" || isDeferred(value)) {
        return;
    }
    if (parseRotationDate(value) === undefined) {
        argError(propertyPath, notCompromised(value));
    }
}

/** Checks a minimum rotation interval given as a plain value. */
export function checkInterval(value: pulumi.Input<string | 0> | undefined, propertyPath: string): void {
    if (value === undefined || value === null || isDeferred(value)) {
        return;
    }
    if (parseInterval(value) === undefined) {
        argError(propertyPath, notAnInterval(value));
    }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` is a DNS-1123 label (namespaces, most names): lower-case alphanumerics and '-', at most 63. */
export function isDns1123Label(name: string): boolean {
    return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** Whether `name` is a DNS-1123 subdomain (Secrets, ConfigMaps, ServiceAccounts): dot-separated labels, at most 253. */
export function isDns1123Subdomain(name: string): boolean {
    return name.length > 0 && name.length <= 253 && name.split(".").every((label) => DNS1123_LABEL.test(label));
}

/** Checks a Kubernetes object name (DNS-1123 subdomain) given as a plain string. */
export function checkObjectName(value: pulumi.Input<string> | undefined, propertyPath: string): void {
    if (typeof value === "string" && !isDns1123Subdomain(value)) {
        argError(
            propertyPath,
            `${JSON.stringify(value)} is not a valid Kubernetes name: use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
        );
    }
}

/** Checks a Kubernetes namespace (DNS-1123 label) given as a plain string. */
export function checkNamespace(value: pulumi.Input<string> | undefined, propertyPath: string): void {
    if (typeof value === "string" && !isDns1123Label(value)) {
        argError(
            propertyPath,
            `${JSON.stringify(value)} is not a valid Kubernetes namespace: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
        );
    }
}
