// A root hook for every suite: a failed assertion's message and diff never show a secret value. Tests register the
// values they generate or read (mock passwords, tokens, private keys, and real ones from the engine); on failure each
// is replaced by `[secret <sha256 prefix>]`, which still tells two values apart.

import { createHash } from "crypto";

const secrets = new Set<string>();

/** Marks values that must never appear in test output. Short values are ignored: they would redact ordinary text. */
export function registerSecrets(...values: unknown[]): void {
    for (const value of values.flat(Infinity)) {
        if (typeof value === "string" && value.length >= 12) {
            secrets.add(value);
            // PEM bodies also appear with their line breaks escaped or removed.
            secrets.add(JSON.stringify(value).slice(1, -1));
        }
    }
}

function redactText(text: string): string {
    let out = text;
    for (const secret of secrets) {
        if (out.includes(secret)) {
            out = out.split(secret).join(`[secret ${createHash("sha256").update(secret).digest("hex").slice(0, 8)}]`);
        }
    }
    return out;
}

/** Strings inside arrays and plain objects, redacted; anything else (errors, resources, cycles) left as it is. */
function redact(value: unknown, seen = new WeakSet<object>()): unknown {
    if (typeof value === "string") return redactText(value);
    if (!value || typeof value !== "object" || seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => redact(item, seen));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, seen)]));
}

export const mochaHooks = {
    afterEach(this: Mocha.Context) {
        const err = this.currentTest?.err as (Error & { actual?: unknown; expected?: unknown }) | undefined;
        if (!err || secrets.size === 0) return;
        err.message = redactText(err.message);
        if (err.stack) err.stack = redactText(err.stack);
        if ("actual" in err) err.actual = redact(err.actual);
        if ("expected" in err) err.expected = redact(err.expected);
    },
};
