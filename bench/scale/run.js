// One real-engine measurement, run from a folder where keyshift is installed as a package (bench/bench.ts sets it up):
//   node run.js <kind> <variant> <n>
// kind: password | keypair; variant: keyshift | baseline (the same provider resources declared by hand, each slot
// replaced when the date changes) | floor (the baseline plus, per credential, the least bookkeeping resource there is:
// a dynamic resource with a provider that does nothing, holding the date the slots read, so that its cost is what any
// per-credential record in the checkpoint costs the engine, whatever it computes) | component (the baseline with each
// credential's slots inside an empty ComponentResource: what being a component costs, with no record at all).
// Brings N credentials up at one date (create), previews the same config (no-op preview), previews and applies a later
// date (bump preview, bump up), and reports milliseconds, checkpoint bytes and the checkpoint's anatomy (bytes by kind
// of entry, after the bump) as one JSON line. State lives in a fresh file backend under the folder; nothing is printed
// but the result.
"use strict";
const { mkdtempSync, readFileSync, rmSync, readdirSync, statSync } = require("fs");
const path = require("path");
const { LocalWorkspace } = require("@pulumi/pulumi/automation");

const [kind, variant, nText] = process.argv.slice(2);
const n = Number(nText);

function program(date) {
    const pulumi = require("@pulumi/pulumi");
    const random = require("@pulumi/random");
    const tls = require("@pulumi/tls");
    const keyshift = require("keyshift");
    class Record extends pulumi.dynamic.Resource {
        constructor(name, args) {
            // An installed module, as keyshift's ledger provider is, so that its state holds a require, not its code.
            super(require("bench-record"), name, { ...args }, undefined, "bench", "Record");
        }
    }
    return async () => {
        for (let i = 0; i < n; i++) {
            const name = `c${i}`;
            let keeper = date;
            let parent;
            if (variant === "floor") keeper = new Record(`${name}-record`, { date }).date;
            if (variant === "component") {
                parent = new pulumi.ComponentResource("bench:index:Credential", name);
                parent.registerOutputs({});
            }
            if (variant === "keyshift") {
                if (kind === "password") new keyshift.RotatingPassword(name, { rotatedDate: date });
                else new keyshift.RotatingKeyPair(name, { rotatedDate: date, algorithm: "ECDSA-P256" });
            } else if (kind === "password") {
                for (const slot of [0, 1])
                    new random.RandomPassword(
                        `${name}-slot${slot}`,
                        {
                            length: 32,
                            special: false,
                            keepers: { date: keeper },
                        },
                        { parent },
                    );
            } else {
                for (const slot of [0, 1, 2])
                    new tls.PrivateKey(
                        `${name}-slot${slot}`,
                        { algorithm: "ECDSA", ecdsaCurve: "P256" },
                        { replacementTrigger: keeper, parent },
                    );
            }
        }
        return {};
    };
}

function bytesUnder(dir) {
    return readdirSync(dir).reduce((sum, entry) => {
        const full = path.join(dir, entry);
        const stat = statSync(full);
        return (
            sum +
            (stat.isDirectory()
                ? bytesUnder(full)
                : entry.endsWith(".json") && !full.includes("backups") && !entry.endsWith(".bak")
                  ? stat.size
                  : 0)
        );
    }, 0);
}

/**
 * Bytes of the checkpoint by kind of entry, as the file backend writes it (compact JSON): components, dynamic records
 * (a ledger or the floor's record), slots, the engine's own (stack and providers), and how much of all that is source
 * positions and stack traces, which the SDK records for every resource.
 */
function anatomy(dir) {
    const file = readdirSync(dir, { recursive: true })
        .map((entry) => path.join(dir, String(entry)))
        .find((full) => full.endsWith(".json") && !full.includes("backups") && statSync(full).isFile());
    const bytes = (value) => Buffer.byteLength(JSON.stringify(value));
    const parts = { components: 0, records: 0, slots: 0, engine: 0, traces: 0 };
    const state = JSON.parse(readFileSync(file, "utf8"));
    for (const entry of state.checkpoint.latest.resources) {
        const part =
            entry.type === "pulumi:pulumi:Stack" || entry.type.startsWith("pulumi:providers:")
                ? "engine"
                : !entry.custom
                  ? "components"
                  : entry.type.startsWith("pulumi-nodejs:dynamic")
                    ? "records"
                    : "slots";
        parts[part] += bytes(entry) + 1;
        if (part !== "engine")
            parts.traces += bytes({ sourcePosition: entry.sourcePosition, stackTrace: entry.stackTrace });
    }
    return parts;
}

async function main() {
    const backend = mkdtempSync(path.join(__dirname, "state-"));
    const env = { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "bench" };
    const timed = async (step) => {
        const start = process.hrtime.bigint();
        await step();
        return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const stackFor = (date) =>
        LocalWorkspace.createOrSelectStack(
            { stackName: "bench", projectName: "keyshift-bench", program: program(date) },
            { workDir: __dirname, envVars: env },
        );
    try {
        const first = await stackFor("2026-01-01");
        const create = await timed(() => first.up());
        const noopPreview = await timed(() => first.preview());
        const bumped = await stackFor("2026-02-01");
        const bumpPreview = await timed(() => bumped.preview());
        const bumpUp = await timed(() => bumped.up());
        const checkpointBytes = bytesUnder(path.join(backend, ".pulumi", "stacks"));
        const parts = anatomy(path.join(backend, ".pulumi", "stacks"));
        await bumped.destroy();
        process.stdout.write(
            JSON.stringify({
                kind,
                variant,
                n,
                create,
                noopPreview,
                bumpPreview,
                bumpUp,
                checkpointBytes,
                anatomy: parts,
            }),
        );
    } finally {
        rmSync(backend, { recursive: true, force: true });
    }
}

main().catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
});
