// How `keyshift review` and `keyshift status` print: text for a terminal, markdown for a pull-request comment, JSON
// for other tools. Only names, dates, generations, kids and verdicts: nothing here can hold a secret value.

import { CredentialReview, Review } from "./review";
import { Status } from "./status";

export type Format = "text" | "markdown" | "json";

const verdict = (safe: boolean) => (safe ? "safe" : "UNSAFE");

function reviewLines(r: CredentialReview): string[] {
    const dates =
        r.dateBefore && r.dateBefore !== r.dateAfter ? `${r.dateBefore} -> ${r.dateAfter}` : (r.dateAfter ?? "");
    const lines = [`${r.name} (${r.kind}, ${r.type}) at ${r.configPath}: ${r.move}${dates ? `, ${dates}` : ""}`];
    if (r.regenerated.length) {
        lines.push(`  regenerates: ${r.regenerated.map((s) => `slot ${s.slot}, which becomes ${s.role}`).join("; ")}`);
    }
    for (const c of r.completes) {
        lines.push(
            `  completes: slot ${c.slot}, generation ${c.generation} for ${c.date}, which an earlier run recorded but stopped before generating`,
        );
    }
    if (r.trustedBefore) lines.push(`  trusted before: ${r.trustedBefore.join(", ")}`);
    if (r.trustedAfter) lines.push(`  trusted after:  ${r.trustedAfter.join(", ")}`);
    if (r.signs) lines.push(`  signs with: ${r.signs}`);
    if (r.keysBefore) lines.push(`  keys before: ${r.keysBefore.join(", ")}`);
    if (r.keysAfter) lines.push(`  keys after:  ${r.keysAfter.join(", ")}`);
    if (r.writes) lines.push(`  writes with: ${r.writes}`);
    if (r.published.length) lines.push(`  publishes: ${r.published.join("; ")}`);
    if (r.restarted.length) lines.push(`  restarts: ${r.restarted.join("; ")}`);
    for (const finding of r.unsafe) lines.push(`  UNSAFE: ${finding}`);
    if (r.overdue) lines.push(`  OVERDUE: ${r.overdue}`);
    return lines;
}

export function formatReview(review: Review, format: Format): string {
    if (format === "json") return JSON.stringify(review, null, 2);
    const moving = review.credentials.filter((r) => r.move !== "no change").length;
    const count = review.credentials.length;
    const summary = `keyshift review: ${verdict(review.safe)}: ${count} credential${count === 1 ? "" : "s"}, ${moving} with changes`;
    if (format === "text") {
        return [
            summary,
            ...review.credentials.flatMap(reviewLines),
            ...review.unsafe.map((finding) => `UNSAFE: ${finding}`),
        ].join("\n");
    }
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    const rows = review.credentials.map((r) =>
        [
            `\`${r.configPath}\``,
            r.kind,
            r.move,
            r.dateBefore && r.dateBefore !== r.dateAfter ? `${r.dateBefore} → ${r.dateAfter}` : (r.dateAfter ?? ""),
            [
                ...r.regenerated.map((s) => `slot ${s.slot} → ${s.role}`),
                ...r.completes.map((c) => `slot ${c.slot} completed (generation ${c.generation})`),
            ].join(", ") || "—",
            [...r.published, ...r.restarted.map((w) => `restart ${w}`)].join("<br>") || "—",
            [...r.unsafe.map((f) => `⚠️ ${f}`), ...(r.overdue ? [`⏰ ${r.overdue}`] : [])].join("<br>") || "✅",
        ]
            .map(cell)
            .join(" | "),
    );
    const signers = review.credentials
        .filter((r) => r.trustedAfter)
        .map(
            (r) =>
                `- \`${r.configPath}\`: trusted ${r.trustedBefore?.join(", ")} → ${r.trustedAfter?.join(", ")}; signs with ${r.signs}`,
        );
    return [
        `### ${summary}`,
        "",
        "| credential | kind | move | date | regenerated | published / restarted | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...rows.map((row) => `| ${row} |`),
        ...(signers.length ? ["", ...signers] : []),
        ...(review.unsafe.length ? ["", ...review.unsafe.map((f) => `- ⚠️ ${f}`)] : []),
    ].join("\n");
}

export function formatStatus(status: Status, format: Format): string {
    if (format === "json") return JSON.stringify(status, null, 2);
    const header = ["credential", "kind", "config", "role", "rotated", "generation", "kid", "age"];
    const rows = status.credentials.flatMap((c) =>
        c.slots.map((s) => [
            c.name,
            c.kind,
            c.configPath,
            s.role,
            s.date,
            String(s.generation),
            s.kid ?? "",
            s.role === "primary" ? `${c.ageDays}d${c.overdue ? " OVERDUE" : ""}` : "",
        ]),
    );
    if (format === "markdown") {
        return [
            `| ${header.join(" | ")} |`,
            `| ${header.map(() => "---").join(" | ")} |`,
            ...rows.map((row) => `| ${row.join(" | ")} |`),
        ].join("\n");
    }
    const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
    return [header, ...rows]
        .map((row) =>
            row
                .map((cell, i) => cell.padEnd(widths[i]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}
