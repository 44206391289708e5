// `keyshift review` and `keyshift status`: read a Pulumi document (a file, or standard input), print the reviewer's
// view, and exit 0 when all is well, 1 when something is unsafe or overdue, 2 on bad usage or unreadable input.
// Every failure is one line.

import { readFileSync } from "fs";
import { parseArgs } from "util";
import { parseRotationDate } from "../ring/dates";
import { CredentialKind, parseMaxAge } from "../review/credentials";
import { Format, formatReview, formatStatus } from "../review/format";
import { reviewPreview } from "../review/review";
import { stackStatus } from "../review/status";

export const REVIEW_USAGE =
    "usage: keyshift review [preview.json | -] [--max-age signer=90d,password=30d,token=30d,encryption=90d] [--format text|markdown|json] [--now DATE]";
export const STATUS_USAGE =
    "usage: keyshift status [stack-export.json | -] [--max-age signer=90d,password=30d,token=30d,encryption=90d] [--format text|markdown|json] [--now DATE]";

/** Where a command reads and writes; tests pass their own. */
export interface CommandIo {
    out: (text: string) => void;
    readStdin: () => string;
}

const defaultIo: CommandIo = { out: (text) => console.log(text), readStdin: () => readFileSync(0, "utf8") };

interface Common {
    document: unknown;
    format: Format;
    maxAge: Partial<Record<CredentialKind, number>>;
    now: number;
}

/** Parses the shared arguments and reads the document; a string is the one-line failure. */
function common(argv: string[], usage: string, what: string, io: CommandIo): Common | string {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: { "max-age": { type: "string" }, format: { type: "string" }, now: { type: "string" } },
        });
    } catch (error) {
        return `${(error as Error).message.split("\n")[0]}\n${usage}`;
    }
    const { values, positionals } = parsed;
    if (positionals.length > 1) return usage;
    const format = (values.format ?? "text") as Format;
    if (!["text", "markdown", "json"].includes(format))
        return `--format: ${JSON.stringify(format)} is not text, markdown or json`;
    const now = values.now === undefined ? Date.now() : parseRotationDate(values.now);
    if (now === undefined) return `--now: ${JSON.stringify(values.now)} is not a date such as 2026-11-21`;
    let maxAge: Partial<Record<CredentialKind, number>> = {};
    try {
        maxAge = values["max-age"] ? parseMaxAge(values["max-age"]) : {};
    } catch (error) {
        return (error as Error).message;
    }
    const source = positionals[0] ?? "-";
    let text: string;
    try {
        text = source === "-" ? io.readStdin() : readFileSync(source, "utf8");
    } catch (error) {
        return `cannot read ${source === "-" ? "standard input" : source}: ${(error as Error).message}`;
    }
    try {
        return { document: JSON.parse(text), format, maxAge, now };
    } catch {
        return `${source === "-" ? "standard input" : source} is not ${what} (not JSON)`;
    }
}

/** `keyshift review`: the credential-level summary of a `pulumi preview --json`. */
export function runReview(argv: string[], io: CommandIo = defaultIo): number {
    const args = common(argv, REVIEW_USAGE, "the output of pulumi preview --json", io);
    if (typeof args === "string") {
        io.out(`error: ${args}`);
        return 2;
    }
    const preview = args.document as { steps?: unknown; diagnostics?: unknown };
    if (typeof preview !== "object" || preview === null || !Array.isArray(preview.steps)) {
        io.out("error: the input is not the output of pulumi preview --json (no steps list)");
        return 2;
    }
    const malformed = preview.steps.findIndex((step) => {
        const s = step as { op?: unknown; urn?: unknown } | null;
        return typeof s !== "object" || s === null || typeof s.op !== "string" || typeof s.urn !== "string";
    });
    if (malformed >= 0) {
        io.out(`error: the input is not the output of pulumi preview --json (step ${malformed} has no op or urn)`);
        return 2;
    }
    // A failed preview lists only the steps before the failure: what it would change is unknown, never safe.
    const errors = (Array.isArray(preview.diagnostics) ? preview.diagnostics : [])
        .filter((d) => (d as { severity?: unknown } | null)?.severity === "error")
        .map(
            (d) =>
                String((d as { message?: unknown }).message ?? "")
                    .trim()
                    .split("\n")[0],
        );
    if (errors.length > 0) {
        // With --json the engine prints its errors only into the document: the first lines of each, as it wrote them.
        io.out(
            [
                `error: the preview failed with ${errors.length} error${errors.length === 1 ? "" : "s"}: there is no plan to review`,
                ...[...new Set(errors)].slice(0, 5).map((line) => `  ${line}`),
            ].join("\n"),
        );
        return 2;
    }
    let review;
    try {
        review = reviewPreview(preview as Parameters<typeof reviewPreview>[0], args);
    } catch (error) {
        // A document shaped like a preview whose ledgers are not keyshift's (edited, or from another tool).
        io.out(`error: the preview cannot be reviewed: ${(error as Error).message}`);
        return 2;
    }
    io.out(formatReview(review, args.format));
    return review.safe ? 0 : 1;
}

/** `keyshift status`: every credential in a `pulumi stack export`. */
export function runStatus(argv: string[], io: CommandIo = defaultIo): number {
    const args = common(argv, STATUS_USAGE, "the output of pulumi stack export", io);
    if (typeof args === "string") {
        io.out(`error: ${args}`);
        return 2;
    }
    const exported = args.document as { deployment?: { resources?: unknown } };
    if (typeof exported !== "object" || exported === null || !Array.isArray(exported.deployment?.resources)) {
        io.out("error: the input is not the output of pulumi stack export (no deployment.resources)");
        return 2;
    }
    const status = stackStatus(exported as Parameters<typeof stackStatus>[0], args);
    io.out(formatStatus(status, args.format));
    return status.overdue ? 1 : 0;
}
