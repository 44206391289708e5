// Rotation dates and intervals. Pure functions, free of Pulumi, so that the ledger's dynamic provider can carry them
// when it is serialized and so that property tests can drive them directly.

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const SHORT_DURATION = /^(\d+)(s|m|h|d|w)$/;
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

const SECOND = 1000;
const UNIT_MS: Record<string, number> = {
    s: SECOND,
    m: 60 * SECOND,
    h: 3600 * SECOND,
    d: 86400 * SECOND,
    w: 604800 * SECOND,
};

function daysInMonth(year: number, month: number): number {
    return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validCalendarParts(year: number, month: number, day: number): boolean {
    // No rotation is older than 1970, and Date.UTC would read years 0 to 99 as 1900 to 1999.
    return year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Parses an ISO 8601 calendar date (`2026-11-21`, read as its midnight UTC) or an RFC 3339 timestamp
 * (`2026-11-21T09:30:00Z`, `2026-11-21T09:30:00+02:00`) to epoch milliseconds. Returns undefined for anything else,
 * including impossible dates such as `2026-02-30` and years before 1970, so callers can word the error with the config
 * path they know.
 */
export function parseRotationDate(value: unknown): number | undefined {
    if (typeof value !== "string") {
        return undefined;
    }
    const date = CALENDAR_DATE.exec(value);
    if (date) {
        const [year, month, day] = date.slice(1).map(Number);
        return validCalendarParts(year, month, day) ? Date.UTC(year, month - 1, day) : undefined;
    }
    const stamp = RFC3339.exec(value);
    if (!stamp) {
        return undefined;
    }
    const [year, month, day, hour, minute, second] = stamp.slice(1, 7).map(Number);
    if (!validCalendarParts(year, month, day) || hour > 23 || minute > 59 || second > 60) {
        return undefined;
    }
    const zone = stamp[8];
    if (zone !== "Z" && zone !== "z") {
        const [zoneHours, zoneMinutes] = zone.slice(1).split(":").map(Number);
        if (zoneHours > 23 || zoneMinutes > 59) {
            return undefined;
        }
    }
    const millis = Date.parse(value.toUpperCase());
    return Number.isNaN(millis) ? undefined : millis;
}

/** The accepted date forms, for error messages. */
export const DATE_FORMS = "an ISO 8601 date such as 2026-11-21 or an RFC 3339 timestamp such as 2026-11-21T09:30:00Z";

/** A value as an error message shows it: JSON, so that a string "40" and a number 40 read differently. */
export function shown(value: unknown): string {
    return typeof value === "number" && !Number.isFinite(value)
        ? String(value)
        : (JSON.stringify(value) ?? String(value));
}

/** How Pulumi hands a program an unquoted YAML date (`rotatedDate: 2026-12-01` in a stack file). */
const YAML_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-])(\d{2})(\d{2}) \S+$/;

/** What is wrong with a value that is not a date, worded once for every layer: `"21/11/2026" is not a date: use …`. */
export function notADate(value: unknown): string {
    if (value === undefined || value === null) {
        return `required but missing: use ${DATE_FORMS}`;
    }
    return `${shown(value)} is not a date: use ${DATE_FORMS}${whyNotADate(String(value))}`;
}

/** The reason a date-like value is refused, when it is not its form. */
function whyNotADate(value: string): string {
    const yaml = YAML_TIMESTAMP.exec(value);
    if (yaml) {
        const [, day, time, sign, hours, minutes] = yaml;
        const zone = sign + hours + minutes === "+0000" ? "Z" : `${sign}${hours}:${minutes}`;
        const written = time === "00:00:00" && zone === "Z" ? day : `${day}T${time}${zone}`;
        return ` (an unquoted date in a stack's YAML file arrives in this form: quote it, "${written}")`;
    }
    const year = /^(\d{4})-/.exec(value)?.[1];
    return year !== undefined && Number(year) < 1970 ? " (no rotation date is before 1970)" : "";
}

/** What is wrong with a `compromised` value that is neither true, false nor a date. */
export function notCompromised(value: unknown): string {
    return value === "true" || value === "false"
        ? `${shown(value)} is a string, not the boolean ${String(value)}: use true, false or ${DATE_FORMS}`
        : `${notADate(value)}, or true`;
}

/**
 * Parses a minimum rotation interval: `0` (the string or the number), `90d`, `12h`, `30m`, `45s`, `2w`, or an ISO 8601
 * duration with weeks, days, hours, minutes and seconds (`P1D`, `PT12H`). Months and years are refused because their
 * length varies, and a number other than 0 because it has no unit (7 meant as days would otherwise pass as seconds).
 * Returns milliseconds, or undefined when the value is none of those.
 */
export function parseInterval(value: unknown): number | undefined {
    const millis = parseIntervalUncapped(value);
    // A longer interval is a typo, and past the dates JavaScript can hold it would break the date arithmetic.
    return millis !== undefined && millis <= 100 * 365 * UNIT_MS.d ? millis : undefined;
}

function parseIntervalUncapped(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value === 0 ? 0 : undefined;
    }
    if (typeof value !== "string") {
        return undefined;
    }
    if (value === "0") {
        return 0;
    }
    const short = SHORT_DURATION.exec(value);
    if (short) {
        return Number(short[1]) * UNIT_MS[short[2]];
    }
    const iso = ISO_DURATION.exec(value);
    if (!iso || value === "P" || value.endsWith("T")) {
        return undefined;
    }
    const [weeks, days, hours, minutes, seconds] = iso.slice(1).map((part) => Number(part ?? 0));
    return weeks * UNIT_MS.w + days * UNIT_MS.d + hours * UNIT_MS.h + minutes * UNIT_MS.m + seconds * SECOND;
}

/** The accepted interval forms, for error messages. */
export const INTERVAL_FORMS =
    "a duration such as 0, 12h, 1d, 2w or P1D (seconds s, minutes m, hours h, days d, weeks w)";

/** What is wrong with a value that is not a duration, worded once for every layer. */
export function notAnInterval(value: unknown): string {
    const unit =
        typeof value === "number" && Number.isInteger(value) && value > 0
            ? ` (a number other than 0 has no unit: write "${value}d" for days)`
            : typeof value === "string" && parseIntervalUncapped(value) !== undefined
              ? " (at most a century)"
              : "";
    return `${shown(value)} is not a duration: use ${INTERVAL_FORMS}${unit}`;
}

/** Formats epoch milliseconds the way users write dates: a calendar date at midnight UTC, else a full timestamp. */
export function formatInstant(millis: number): string {
    const iso = new Date(millis).toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.replace(".000Z", "Z");
}
