// Password and token character rules. Pure: the components check their args with these before any resource exists,
// and property tests drive them over every length and option combination.

import { shown } from "../ring/dates";

/** What a generated password may contain. */
export interface CharacterRules {
    /** Length in characters. */
    length: number;
    /** Include a-z. Default true. */
    lower?: boolean;
    /** Include A-Z. Default true. */
    upper?: boolean;
    /** Include 0-9. Default true. */
    numeric?: boolean;
    /** The special characters allowed, for example `"!&#$^<>-"`; empty (the default) for none. */
    special?: string;
}

/** What a service accepts. */
export interface ServiceConstraints {
    /** Who refuses the value, for messages, for example `RDS for PostgreSQL`. */
    service: string;
    /** Shortest value accepted, in characters. */
    minLength: number;
    /** Longest value accepted, in characters. */
    maxLength: number;
    /** Printable characters the service refuses. */
    forbidden?: string;
    /** When set, the only special characters the service accepts. */
    allowedSpecial?: string;
}

/** Whether a character is printable ASCII other than a letter or digit or space. */
function isPrintableSpecial(char: string): boolean {
    const code = char.charCodeAt(0);
    return char.length === 1 && code > 0x20 && code < 0x7f && !/[A-Za-z0-9]/.test(char);
}

/** Fully resolved rules, with defaults applied. */
export type ResolvedRules = Required<CharacterRules>;

export function resolveRules(rules: CharacterRules): ResolvedRules {
    return {
        length: rules.length,
        lower: rules.lower ?? true,
        upper: rules.upper ?? true,
        numeric: rules.numeric ?? true,
        special: rules.special ?? "",
    };
}

/**
 * The problems with `rules` for `constraints`, each a sentence naming the bad value and the accepted range, keyed by
 * the rule at fault. Empty when the rules are acceptable.
 */
export function ruleProblems(
    rules: CharacterRules,
    constraints: ServiceConstraints,
): { rule: keyof CharacterRules; reason: string }[] {
    const r = resolveRules(rules);
    // Config read as objects reaches here untyped: a wrong type is named as such, before any rule reads it.
    const wrongTypes = ruleTypeProblems(r);
    if (wrongTypes.length > 0) {
        return wrongTypes;
    }
    const problems: { rule: keyof CharacterRules; reason: string }[] = [];
    if (r.length < constraints.minLength || r.length > constraints.maxLength) {
        problems.push({
            rule: "length",
            reason: `${String(r.length)} is out of range: ${constraints.service} accepts ${constraints.minLength} to ${constraints.maxLength} characters`,
        });
    }
    const classes = [r.lower, r.upper, r.numeric, r.special.length > 0].filter(Boolean).length;
    if (classes === 0) {
        problems.push({ rule: "lower", reason: "no characters are allowed: enable lower, upper, numeric or special" });
    } else if (r.length < classes) {
        problems.push({
            rule: "length",
            reason: `${r.length} is shorter than the ${classes} character classes it must contain`,
        });
    }
    const chars = [...r.special];
    const bad = chars.filter(
        (char) =>
            !isPrintableSpecial(char) ||
            (constraints.forbidden ?? "").includes(char) ||
            (constraints.allowedSpecial !== undefined && !constraints.allowedSpecial.includes(char)),
    );
    if (bad.length > 0) {
        const allowed =
            constraints.allowedSpecial !== undefined
                ? `the only special characters it accepts are ${JSON.stringify(constraints.allowedSpecial)}`
                : `it takes printable ASCII other than letters, digits and space${constraints.forbidden ? `, and not ${JSON.stringify(constraints.forbidden)}` : ""}`;
        problems.push({
            rule: "special",
            reason: `${JSON.stringify([...new Set(bad)].join(""))} cannot be used with ${constraints.service}: ${allowed}`,
        });
    } else if (new Set(chars).size !== chars.length) {
        problems.push({ rule: "special", reason: `${JSON.stringify(r.special)} lists a character twice` });
    }
    return problems;
}

/**
 * The rules whose value has the wrong type (a string for a boolean, say). Such rules were refused by the password
 * provider, so a password never existed with them.
 */
export function ruleTypeProblems(r: ResolvedRules): { rule: keyof CharacterRules; reason: string }[] {
    const problems: { rule: keyof CharacterRules; reason: string }[] = [];
    if (typeof r.length !== "number" || !Number.isInteger(r.length)) {
        problems.push({ rule: "length", reason: `expected a whole number of characters, got ${shown(r.length)}` });
    }
    for (const rule of ["lower", "upper", "numeric"] as const) {
        if (typeof r[rule] !== "boolean") {
            problems.push({ rule, reason: `expected true or false, got ${shown(r[rule])}` });
        }
    }
    if (typeof r.special !== "string") {
        problems.push({
            rule: "special",
            reason: `expected the special characters allowed as one string, such as "!#%", got ${shown(r.special)}`,
        });
    }
    return problems;
}

/** Every character a password generated under `rules` can contain. */
export function alphabet(rules: CharacterRules): string {
    const r = resolveRules(rules);
    return (
        (r.lower ? "abcdefghijklmnopqrstuvwxyz" : "") +
        (r.upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "") +
        (r.numeric ? "0123456789" : "") +
        r.special
    );
}

/** Whether `value` satisfies the service's constraints: the check a real generated value must pass. */
export function satisfies(value: string, constraints: ServiceConstraints): boolean {
    if (value.length < constraints.minLength || value.length > constraints.maxLength) {
        return false;
    }
    return [...value].every(
        (char) =>
            /[A-Za-z0-9]/.test(char) ||
            (isPrintableSpecial(char) &&
                !(constraints.forbidden ?? "").includes(char) &&
                (constraints.allowedSpecial === undefined || constraints.allowedSpecial.includes(char))),
    );
}
