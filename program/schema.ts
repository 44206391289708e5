// A small typed reader for structured stack config. Every problem is one line naming the config path and the bad
// value, raised before any resource is declared; the program turns it into a RunError so no stack trace is printed.

/** The shape of a config value. Rotation dates, intervals and `compromised` are read as the components read them. */
export type FieldType = "string" | "number" | "boolean" | "boolean-or-string" | "duration" | "object" | "string-list";

export interface FieldSpec {
    type: FieldType;
    required?: boolean;
    /** Allowed values for a string. */
    oneOf?: readonly string[];
    /** One line for the config reference. */
    doc: string;
}

export type SectionSchema = Record<string, FieldSpec>;

export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}

function checkField(path: string, spec: FieldSpec, value: unknown): void {
    const wrongType = (expected: string) => {
        throw new ConfigError(`${path}: expected ${expected}, got ${show(value)}`);
    };
    switch (spec.type) {
        case "string":
            if (typeof value !== "string") wrongType("a string");
            if (spec.oneOf && !spec.oneOf.includes(value as string)) {
                throw new ConfigError(`${path}: ${show(value)} is not one of ${spec.oneOf.join(", ")}`);
            }
            return;
        case "number":
            if (typeof value !== "number" || !Number.isFinite(value)) wrongType("a number");
            return;
        case "boolean":
            if (typeof value !== "boolean") wrongType("true or false");
            return;
        case "duration":
            // `pulumi config set --path … 0` stores a number; the component judges the value itself.
            if (typeof value !== "string" && typeof value !== "number") wrongType("a duration such as 1d");
            return;
        case "boolean-or-string":
            if (typeof value !== "boolean" && typeof value !== "string") wrongType("true, false or a date");
            return;
        case "object":
            if (typeof value !== "object" || value === null || Array.isArray(value))
                wrongType("a map of keys to values");
            return;
        case "string-list":
            if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
                wrongType("a list of strings");
            return;
    }
}

/**
 * Checks one structured config value against `schema`: unknown keys, missing required keys and wrong types are each
 * refused with the full path (`keyshift:signingKeys.rotatedDate`) and the value given.
 */
export function readSection<T>(path: string, raw: unknown, schema: SectionSchema): T {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new ConfigError(`${path}: expected a map of settings, got ${show(raw)}`);
    }
    const section = raw as Record<string, unknown>;
    for (const key of Object.keys(section)) {
        if (!Object.prototype.hasOwnProperty.call(schema, key)) {
            throw new ConfigError(`${path}.${key}: unknown key (known keys: ${Object.keys(schema).join(", ")})`);
        }
    }
    for (const [key, spec] of Object.entries(schema)) {
        const value = section[key];
        if (value === undefined || value === null) {
            if (spec.required) {
                throw new ConfigError(`${path}.${key}: required but missing (${spec.doc})`);
            }
            continue;
        }
        checkField(`${path}.${key}`, spec, value);
    }
    // An empty key in a stack file (`rewrittenDate:`) is null: not given, here and for the component.
    return Object.fromEntries(Object.entries(section).filter(([, value]) => value !== null)) as T;
}

/** Refuses config keys in the project's namespace that no section reads, such as a misspelt section name. */
export function checkKnownSections(namespace: string, keys: string[], known: string[]): void {
    for (const key of keys) {
        const name = key.slice(namespace.length + 1);
        if (key.startsWith(`${namespace}:`) && !known.includes(name)) {
            throw new ConfigError(
                `${key}: unknown config key (known keys: ${known.map((k) => `${namespace}:${k}`).join(", ")})`,
            );
        }
    }
}
