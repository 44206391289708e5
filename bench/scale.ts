// The real-engine benchmark at scale: N credentials of each kind with no cloud dependency, keyshift (installed from
// its packed tarball, as users consume it) against the same provider resources declared by hand and against the floor
// (by hand plus a do-nothing record per credential), on the engine from scripts/engine.sh with a file backend. Each
// figure is the median of BENCH_SCALE_RUNS runs (default 3; a list gives a count per size), the variants interleaved
// in one process so that they share the machine's state. bench/scale/run.js makes one run.

import { execFileSync, spawnSync } from "child_process";
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { engineEnv, pulumiPins } from "../tests/e2e/engine";

const REPO = path.resolve(__dirname, "..");
const CONSUMER = path.join(REPO, ".keyshift", "bench-consumer");

const VARIANTS = ["keyshift", "baseline", "floor"] as const;

export interface Measurement {
    kind: string;
    variant: (typeof VARIANTS)[number] | "component";
    n: number;
    create: number;
    noopPreview: number;
    bumpPreview: number;
    bumpUp: number;
    checkpointBytes: number;
    /** Checkpoint bytes by kind of entry after the bump (see run.js). */
    anatomy: { components: number; records: number; slots: number; engine: number; traces: number };
}

let installed = false;

/** Packs this repository and installs the tarball into a consumer program under .keyshift/bench-consumer, once. */
function installConsumer(): void {
    if (installed) return;
    installed = true;
    rmSync(CONSUMER, { recursive: true, force: true });
    mkdirSync(CONSUMER, { recursive: true });
    const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", CONSUMER], {
        cwd: REPO,
        encoding: "utf8",
    });
    const tarball = packed.trim().split("\n").pop()!;
    writeFileSync(
        path.join(CONSUMER, "package.json"),
        JSON.stringify({
            name: "keyshift-bench",
            private: true,
            dependencies: { keyshift: `file:./${tarball}`, ...pulumiPins() },
        }),
    );
    writeFileSync(path.join(CONSUMER, "Pulumi.yaml"), "name: keyshift-bench\nruntime: nodejs\n");
    copyFileSync(path.join(__dirname, "scale", "run.js"), path.join(CONSUMER, "run.js"));
    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
        cwd: CONSUMER,
        encoding: "utf8",
    });
    if (install.status !== 0) throw new Error(`npm install in ${CONSUMER} failed: ${install.stderr}`);
    // The floor variant's provider, copied in as an installed package (a link would be serialized by value).
    cpSync(path.join(__dirname, "scale", "bench-record"), path.join(CONSUMER, "node_modules", "bench-record"), {
        recursive: true,
    });
}

type Measure = (kind: string, variant: Measurement["variant"], n: number) => Measurement;

/** Runs `body` with the consumer installed and the engine on hand; `measure` makes one run of bench/scale/run.js. */
function onTheEngine<T>(body: (measure: Measure) => T): T {
    installConsumer();
    const { env, cleanup } = engineEnv();
    delete env.PULUMI_BACKEND_URL; // run.js uses a fresh backend per run
    try {
        return body((kind, variant, n) => {
            const run = spawnSync("node", ["run.js", kind, variant, String(n)], {
                cwd: CONSUMER,
                env,
                encoding: "utf8",
            });
            if (run.status !== 0) throw new Error(`${kind} ${variant} N=${n}: ${run.stderr.trim().split("\n").pop()}`);
            return JSON.parse(run.stdout);
        });
    } finally {
        cleanup();
    }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** What to measure, from BENCH_SCALE_SIZES, BENCH_SCALE_RUNS (one count, or one per size) and BENCH_SCALE_KINDS. */
export function scaleOptions(): { sizes: number[]; runsPerSize: number[]; kinds: string[] } {
    const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",");
    return {
        sizes: list("BENCH_SCALE_SIZES", "10,100,300").map(Number),
        runsPerSize: list("BENCH_SCALE_RUNS", "3").map(Number),
        kinds: list("BENCH_SCALE_KINDS", "password,keypair"),
    };
}

/** `runs` runs of each variant at size `n`, interleaved so that the variants share the machine's state. */
function measureRuns<V extends Measurement["variant"]>(
    measure: Measure,
    kind: string,
    variants: readonly V[],
    n: number,
    runs: number,
): Record<V, Measurement[]> {
    const measured = Object.fromEntries(variants.map((variant) => [variant, [] as Measurement[]])) as Record<
        V,
        Measurement[]
    >;
    for (let i = 0; i < runs; i++) {
        for (const variant of variants) measured[variant].push(measure(kind, variant, n));
    }
    return measured;
}

/** Runs the benchmark and returns the rows of its markdown table. */
export function scale({ sizes, runsPerSize, kinds } = scaleOptions()): string[] {
    // Each cell: keyshift / by hand in seconds (or KB per credential), the ratio in bold, and in brackets the ratio of
    // the floor: by hand plus one do-nothing dynamic resource per credential (see run.js).
    const rows = [
        "| kind | N | runs | create s (keyshift / by hand, **ratio**, [floor ratio]) | no-op preview s | bump preview s | bump up s | checkpoint KB per credential | bump up ms per credential (keyshift) |",
        "| --- | ---: | ---: | --- | --- | --- | --- | --- | ---: |",
    ];
    onTheEngine((measure) => {
        for (const kind of kinds) {
            for (const [index, n] of sizes.entries()) {
                // One figure for every size when BENCH_SCALE_RUNS gives one, else one per size.
                const runs = runsPerSize[Math.min(index, runsPerSize.length - 1)];
                const measured = measureRuns(measure, kind, VARIANTS, n, runs);
                const cell = (field: keyof Measurement, scaleBy: number, digits: number) => {
                    const [a, b, f] = VARIANTS.map(
                        (variant) => median(measured[variant].map((m) => m[field] as number)) / scaleBy,
                    );
                    return `${a.toFixed(digits)} / ${b.toFixed(digits)}, **${(a / b).toFixed(2)}** [${(f / b).toFixed(2)}]`;
                };
                rows.push(
                    `| ${kind} | ${n} | ${runs} | ${cell("create", 1000, 1)} | ${cell("noopPreview", 1000, 1)} | ${cell("bumpPreview", 1000, 1)} | ${cell("bumpUp", 1000, 1)} | ${cell("checkpointBytes", 1024 * n, 1)} | ${(median(measured.keyshift.map((m) => m.bumpUp)) / n).toFixed(0)} |`,
                );
                console.log(rows[rows.length - 1]);
            }
        }
    });
    return rows;
}

/**
 * Where a credential's checkpoint bytes go, at one size: by hand, by hand inside an empty component per credential
 * (what any ComponentResource costs), the floor (by hand plus a do-nothing record), and keyshift, with the no-op
 * preview beside it. BENCH_ANATOMY_N (default 100) and BENCH_ANATOMY_RUNS (default 3) set the size and the runs.
 */
export function anatomy(kinds = scaleOptions().kinds): string[] {
    const n = Number(process.env.BENCH_ANATOMY_N ?? 100);
    const runs = Number(process.env.BENCH_ANATOMY_RUNS ?? 3);
    const variants = ["baseline", "component", "floor", "keyshift"] as const;
    const names = { baseline: "by hand", component: "by hand in a component", floor: "floor", keyshift: "keyshift" };
    const rows = [
        `| kind | variant (N = ${n}, ${runs} runs) | checkpoint bytes per credential (ratio to by hand) | component entries | dynamic records | slots | of all these: source positions and stack traces | no-op preview s (ratio to by hand) |`,
        "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ];
    onTheEngine((measure) => {
        for (const kind of kinds) {
            const measured = measureRuns(measure, kind, variants, n, runs);
            // Bytes are the same in every run; times are medians.
            const preview = (variant: (typeof variants)[number]) => median(measured[variant].map((m) => m.noopPreview));
            const total = (variant: (typeof variants)[number]) => measured[variant][0].checkpointBytes / n;
            for (const variant of variants) {
                const parts = measured[variant][0].anatomy;
                const per = (bytes: number) => (bytes / n).toFixed(0);
                rows.push(
                    `| ${kind} | ${names[variant]} | ${total(variant).toFixed(0)} (**${(total(variant) / total("baseline")).toFixed(2)}**) | ${per(parts.components)} | ${per(parts.records)} | ${per(parts.slots)} | ${per(parts.traces)} | ${(preview(variant) / 1000).toFixed(1)} (**${(preview(variant) / preview("baseline")).toFixed(2)}**) |`,
                );
                console.log(rows[rows.length - 1]);
            }
        }
    });
    return rows;
}

if (require.main === module) {
    scale();
}
