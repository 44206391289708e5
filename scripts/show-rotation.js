// Prints the stack's rotation state from `pulumi stack output --json` on stdin: each credential's roles with their
// dates, public-key kids and encryption key names. Secrets arrive as "[secret]" and are never asked for.
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
    const outputs = JSON.parse(Buffer.concat(chunks).toString() || "{}");
    const rows = [["credential", "role", "rotated", "kid / key name"]];
    for (const [section, value] of Object.entries(outputs)) {
        for (const role of ["previous", "primary", "next"]) {
            const slot = value && value[role];
            if (slot && typeof slot === "object") {
                // An emergency rotation leaves the previous role empty until the next rotation.
                const revoked = slot.rotatedDate === "";
                rows.push([
                    section,
                    role,
                    revoked ? "-" : slot.rotatedDate,
                    revoked ? "(revoked by an emergency rotation)" : (slot.kid ?? slot.name ?? "(secret value)"),
                ]);
            }
        }
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
    for (const row of rows) {
        console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join("  "));
    }
});
