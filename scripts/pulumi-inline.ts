// `pulumi` for the example program without a Node.js language host: `node -r ts-node/register/transpile-only
// scripts/pulumi-inline.ts up -s local …` runs the CLI on PATH with the same arguments, and serves the program
// (`runProgram`, the function index.ts runs) from this process through the Automation API's language server, as the
// Automation API does for inline programs. The CLI's own output is passed through untouched, so `preview`, `up` and
// `preview --json` print exactly what they print under a normal install. Commands that do not run the program go
// straight to the CLI.
//
// The Automation API's Stack methods do not take every CLI flag (`preview --json`, `--suppress-outputs`); this does.

import { spawn } from "child_process";
import * as path from "path";
import { PulumiFn } from "@pulumi/pulumi/automation";

/** The subcommands that run the program. */
const RUNS_PROGRAM = new Set(["up", "update", "preview", "pre"]);

// The language server and the gRPC library are the SDK's own (an internal module and a dependency of it), loaded from
// where @pulumi/pulumi is, so both sides of the service definition are the same copy.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LanguageServer } = require(path.join(sdkDir, "automation", "server"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const langrpc = require(path.join(sdkDir, "proto", "language_grpc_pb"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { grpcChannelOptions } = require(path.join(sdkDir, "runtime", "settings"));

export interface InlineRun {
    /** The CLI's exit code. */
    code: number;
    /** What the CLI printed on standard output and standard error, when asked to capture them. */
    stdout: string;
    stderr: string;
}

export interface InlineOptions {
    /** The project folder (its Pulumi.yaml and stack config files). */
    cwd: string;
    /** The program, for subcommands that run one (`up`, `preview`). */
    program?: PulumiFn;
    env?: NodeJS.ProcessEnv;
    /** Capture the CLI's output instead of passing it through. */
    capture?: boolean;
}

/**
 * Runs `pulumi <args>` in `cwd`, serving `program` to the CLI when the subcommand runs one. The CLI is started
 * asynchronously: a blocking exec would starve the in-process language server it calls back.
 */
export async function runPulumi(args: string[], options: InlineOptions): Promise<InlineRun> {
    const extra: string[] = [];
    let finish: (hasError: boolean) => void = () => undefined;
    if (RUNS_PROGRAM.has(args[0])) {
        const program = options.program;
        if (!program) {
            throw new Error(`pulumi ${args[0]} runs the program: pass one`);
        }
        const server = new grpc.Server({ ...grpcChannelOptions });
        const languageServer = new LanguageServer(program);
        server.addService(langrpc.LanguageRuntimeService, languageServer);
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync(
                "127.0.0.1:0",
                grpc.ServerCredentials.createInsecure(),
                (error: Error | null, p: number) => (error ? reject(error) : resolve(p)),
            ),
        );
        extra.push(`--client=127.0.0.1:${port}`, "--exec-kind", "auto.inline");
        finish = (hasError) => {
            languageServer.onPulumiExit(hasError);
            server.forceShutdown();
        };
    }
    const child = spawn("pulumi", [...args, ...extra], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: options.capture ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let [stdout, stderr] = ["", ""];
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (exitCode) => resolve(exitCode ?? 1));
    });
    finish(code !== 0);
    return { code, stdout, stderr };
}

if (require.main === module) {
    // Loaded here, not at the top, so that importing runPulumi does not load the example program.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runProgram } = require("../program/main");
    runPulumi(process.argv.slice(2), { cwd: path.resolve(__dirname, ".."), program: async () => runProgram() })
        .then(({ code }) => process.exit(code))
        .catch((error: Error) => {
            console.error(`pulumi-inline: ${error.message}`);
            process.exit(1);
        });
}
