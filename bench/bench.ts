// keyshift's benchmarks: `npm run bench` prints its tables and writes them to bench/results.md.
//  1. Evaluation overhead: a program of N credentials under pulumi.runtime.setMocks, built with keyshift components,
//     against a baseline declaring the same provider resources by hand. Median of several runs in one process.
//  2. Blast radius: the steps one date bump makes, per credential, from the real engine's preview of the example
//     program (offline sections), and from the mocks' recorded inputs for the AWS ones the offline engine cannot run.
//  3. At scale (bench/scale.ts): N credentials on the real engine, keyshift installed from its tarball vs by hand.
//  4. Anatomy (bench/scale.ts): where a credential's checkpoint bytes go, against a bare component and the floor.
// Timings are measured here, never asserted in tests.

import { execFileSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import * as ledgerProvider from "../components/ring/ledgerProvider";

const REPO = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);

// One real key pair serves every mocked tls key: the components compute kids from the public key.
const { publicKey: PUBLIC_PEM, privateKey: PRIVATE_PEM } = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

class CountingMocks implements pulumi.runtime.Mocks {
    count = 0;
    private waiters: { target: number; resolve: () => void }[] = [];
    async newResource(args: pulumi.runtime.MockResourceArgs) {
        this.count++;
        for (const waiter of this.waiters.filter((w) => this.count >= w.target)) waiter.resolve();
        this.waiters = this.waiters.filter((w) => this.count < w.target);
        let state: Record<string, unknown> = { ...args.inputs };
        if (args.type.startsWith("pulumi-nodejs:dynamic")) {
            // What the ledger's real check computes on a first run.
            state = (await ledgerProvider.check({}, args.inputs)).inputs!;
        }
        if (args.type === "tls:index/privateKey:PrivateKey")
            Object.assign(state, { privateKeyPem: PRIVATE_PEM, publicKeyPem: PUBLIC_PEM });
        if (args.type === "random:index/randomPassword:RandomPassword") state.result = "x".repeat(32);
        return { id: `${args.name}-id`, state };
    }
    call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
    }
    until(target: number): Promise<void> {
        return this.count >= target
            ? Promise.resolve()
            : new Promise((resolve) => this.waiters.push({ target, resolve }));
    }
}

interface Variant {
    name: string;
    /** Declares credential `id`; returns how many resources it registers. */
    declare(id: string): number;
    /** Resources it registers per credential. */
    perCredential: number;
}

// One mock monitor for the whole process: replacing it between runs would orphan the components whose outputs are
// still being registered. Each run uses fresh resource names instead.
const mocks = new CountingMocks();
let runNumber = 0;

async function timeProgram(variant: Variant, n: number): Promise<number> {
    const run = runNumber++;
    const start = process.hrtime.bigint();
    let expected = mocks.count;
    for (let i = 0; i < n; i++) expected += variant.declare(`r${run}c${i}`);
    await mocks.until(expected);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function overhead(): Promise<string[]> {
    await pulumi.runtime.setMocks(mocks, "bench", "bench", false);
    // Loaded here so their import cost is not inside the timed programs.
    const { RotatingPassword } = await import("../components/passwords/rotatingPassword");
    const { RotatingKeyPair } = await import("../components/keys/rotatingKeyPair");
    const pairs: [Variant, Variant][] = [
        [
            {
                name: "RotatingPassword",
                perCredential: 4,
                declare: (id) => (new RotatingPassword(id, { rotatedDate: "2026-01-01" }), 4),
            },
            {
                name: "2 × RandomPassword by hand",
                perCredential: 2,
                declare: (id) => {
                    for (const slot of [0, 1])
                        new random.RandomPassword(`${id}-slot${slot}`, {
                            length: 32,
                            special: false,
                            keepers: { generation: String(slot + 1) },
                        });
                    return 2;
                },
            },
        ],
        [
            {
                name: "RotatingKeyPair",
                perCredential: 5,
                declare: (id) => (new RotatingKeyPair(id, { rotatedDate: "2026-01-01", algorithm: "ECDSA-P256" }), 5),
            },
            {
                name: "3 × tls.PrivateKey by hand",
                perCredential: 3,
                declare: (id) => {
                    for (const slot of [0, 1, 2])
                        new tls.PrivateKey(`${id}-slot${slot}`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
                    return 3;
                },
            },
        ],
    ];
    const rows = [
        "| component vs baseline | N | keyshift ms | baseline ms | keyshift ms / credential | ratio | keyshift ms / resource | baseline ms / resource |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ];
    for (const [subject, baseline] of pairs) {
        await timeProgram(subject, 10); // warm the JIT and the provider serialization cache
        await timeProgram(baseline, 10);
        for (const n of SIZES) {
            const ours: number[] = [];
            const theirs: number[] = [];
            for (let run = 0; run < RUNS; run++) {
                ours.push(await timeProgram(subject, n));
                theirs.push(await timeProgram(baseline, n));
            }
            const [a, b] = [median(ours), median(theirs)];
            rows.push(
                `| ${subject.name} vs ${baseline.name} | ${n} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(a / n).toFixed(2)} | ${(a / b).toFixed(2)} | ${(a / n / subject.perCredential).toFixed(2)} | ${(b / n / baseline.perCredential).toFixed(2)} |`,
            );
            console.log(rows[rows.length - 1]);
        }
    }
    return rows;
}

function importCost(): string[] {
    const rows = ["| module | import ms (fresh process, median of 3) |", "| --- | ---: |"];
    for (const mod of [
        "@pulumi/pulumi",
        "@pulumi/random",
        "@pulumi/tls",
        "@pulumi/kubernetes",
        "@pulumi/aws/s3",
        "@pulumi/aws/rds",
        "@pulumi/aws/elasticache",
        "@pulumi/aws",
    ]) {
        const times = [0, 1, 2].map(() =>
            Number(
                execFileSync(
                    "node",
                    [
                        "-e",
                        `const t=process.hrtime.bigint();require(${JSON.stringify(mod)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
                    ],
                    {
                        cwd: REPO,
                        encoding: "utf8",
                    },
                ).trim(),
            ),
        );
        rows.push(`| \`${mod}\` | ${median(times).toFixed(0)} |`);
        console.log(rows[rows.length - 1]);
    }
    return rows;
}

async function blastRadius(): Promise<string[]> {
    const { createStack, engineEnv, previewSteps } = await import("../tests/e2e/engine");
    const { EXAMPLE } = await import("../tests/e2e/programs");
    const { env, cleanup } = engineEnv();
    const stackName = "bench-blast";
    const stackFile = path.join(REPO, "stacks", `Pulumi.${stackName}.yaml`);
    const renderDir = mkdtempSync(path.join(os.tmpdir(), "keyshift-bench-"));
    const sections = ["signingKeys", "database", "ciToken", "appPassword"];
    const config = (bumped?: string) =>
        [
            "config:",
            `  keyshift:kubernetes: { renderYamlToDirectory: ${renderDir} }`,
            `  keyshift:signingKeys: { rotatedDate: "${bumped === "signingKeys" ? "2026-02-01" : "2026-01-01"}", publishToKubernetes: true }`,
            `  keyshift:database: { rotatedDate: "${bumped === "database" ? "2026-02-01" : "2026-01-01"}", engine: postgres, username: app, connection: { address: db.internal, port: 5432, dbName: app }, publishToKubernetes: true, namespace: shop, restartWorkloads: [Deployment/shop/api] }`,
            `  keyshift:ciToken: { rotatedDate: "${bumped === "ciToken" ? "2026-02-01" : "2026-01-01"}", namespace: ci, serviceAccount: deployer }`,
            `  keyshift:appPassword: { rotatedDate: "${bumped === "appPassword" ? "2026-02-01" : "2026-01-01"}" }`,
            "",
        ].join("\n");
    const minimum: Record<string, string> = {
        signingKeys: "1 key replaced + ledger; Secret (staged key) and ConfigMap (trusted keys) must publish it",
        database: "1 password replaced + ledger; the app Secret and the restart annotation must follow",
        ciToken: "1 token Secret replaced + ledger",
        appPassword: "1 password replaced + ledger",
    };
    const rows = [
        "| credential (bumped alone) | created | updated | replaced | deleted | steps | minimum |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ];
    writeFileSync(stackFile, config());
    const stack = await createStack(stackName, EXAMPLE, env);
    try {
        await stack.up();
        for (const section of sections) {
            writeFileSync(stackFile, config(section));
            const { steps: planned, result: preview } = await previewSteps(stack);
            const steps = planned.map((step) => `${step.op} ${step.type.split(":").pop()}`);
            const s = preview.changeSummary;
            rows.push(
                `| ${section} | ${s.create ?? 0} | ${s.update ?? 0} | ${s.replace ?? 0} | ${s.delete ?? 0} | ${steps.sort().join(", ")} | ${minimum[section]} |`,
            );
            console.log(rows[rows.length - 1]);
        }
        await stack.destroy();
    } finally {
        await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        rmSync(stackFile, { force: true });
        rmSync(renderDir, { recursive: true, force: true });
        cleanup();
    }
    return rows;
}

/** The file's sections, each from its "## " heading to the next, by heading. */
function sectionsOf(text: string): Map<string, string> {
    const sections = new Map<string, string>();
    for (const block of text.split(/^(?=## )/m).filter((part) => part.startsWith("## "))) {
        sections.set(block.slice(0, block.indexOf("\n")), block.trimEnd());
    }
    return sections;
}

async function main() {
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
    console.log(`machine: ${machine}`);
    // BENCH_PARTS=overhead,import,blast,scale,anatomy picks parts (default all). Each part run replaces its own section of
    // results.md, which says when and where it was measured; the sections of parts not run are kept as they were.
    const parts = new Set((process.env.BENCH_PARTS ?? "overhead,import,blast,scale,anatomy").split(","));
    // With PULUMI_SKIP_CHECKPOINTS=true the engine writes the checkpoint once, at the end, instead of at every step:
    // a table of its own.
    const skipping = process.env.PULUMI_SKIP_CHECKPOINTS === "true";
    const fresh: { part: string; heading: string; run: () => Promise<string[]> | string[]; preface?: string[] }[] = [
        {
            part: "overhead",
            heading: `## Evaluation overhead under \`setMocks\` (median of ${RUNS} runs in one process)`,
            run: overhead,
        },
        { part: "import", heading: "## Import cost", run: importCost },
        {
            part: "blast",
            heading: "## Blast radius of one date bump (real engine preview of the example program)",
            run: blastRadius,
        },
        {
            part: "scale",
            heading: `## At scale on the real engine${skipping ? ", PULUMI_SKIP_CHECKPOINTS=true" : ""} (median of the runs, keyshift installed from its tarball vs the same provider resources by hand, ratio keyshift / by hand)`,
            run: async () => (await import("./scale")).scale(),
            preface: [
                "Each credential by hand is the slots alone, every slot replaced when the date changes (2 `RandomPassword`s, or 3",
                "ECDSA `tls.PrivateKey`s); keyshift adds its component and `SlotLedger` and replaces one slot per bump. The",
                "floor ratio in brackets is by hand plus one do-nothing dynamic resource per credential holding the date the",
                "slots read: what any per-credential record in the checkpoint costs, whatever it computes.",
                "",
            ],
        },
        {
            part: "anatomy",
            heading: "## Where a credential's checkpoint bytes go (real engine, after a bump)",
            run: async () => (await import("./scale")).anatomy(),
            preface: [
                "Each entry of the checkpoint the file backend writes, by kind, per credential. By hand in a component is by",
                "hand with each credential's slots inside an empty `ComponentResource`: what any component costs, with no",
                "record at all. The floor adds a do-nothing dynamic resource per credential instead. The Pulumi SDK records",
                "every resource's source position and stack trace in the state.",
                "",
            ],
        },
    ];
    // A heading names its parameters after " ("; the section a run replaces may have had others.
    const titleOf = (heading: string) => heading.split(" (")[0];
    const out = path.join(__dirname, "results.md");
    const sections = sectionsOf(existsSync(out) ? readFileSync(out, "utf8") : "");
    for (const { heading, run, preface = [] } of fresh.filter(({ part }) => parts.has(part))) {
        console.log(`\n${heading}`);
        const rows = await run();
        for (const old of [...sections.keys()]) {
            if (titleOf(old) === titleOf(heading)) sections.delete(old);
        }
        sections.set(heading, [heading, "", `Measured on ${machine}.`, "", ...preface, ...rows].join("\n"));
    }
    // The parts in their order; a section of another mode (PULUMI_SKIP_CHECKPOINTS) after them.
    const order = (heading: string) => {
        const index = fresh.findIndex((entry) => titleOf(entry.heading) === titleOf(heading));
        return index < 0 ? fresh.length : index;
    };
    const report = [
        "# keyshift benchmarks",
        "",
        "Written by `npm run bench`; each section says where and when it was measured.",
        "",
        ...[...sections.entries()].sort(([a], [b]) => order(a) - order(b)).map(([, text]) => `${text}\n`),
    ].join("\n");
    writeFileSync(out, report);
    execFileSync("npx", ["prettier", "--write", out], { cwd: REPO, stdio: "ignore" });
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
