// The inline programs the real-engine suites, the demo's cluster act and the benchmarks run, each with its project
// folder. The example program is `runProgram`, the function the repository's own index.ts runs under `pulumi up`.

import * as path from "path";
import { InlineProgram, REPO } from "./engine";
import { runProgram } from "../../program/main";
import e2eProgram from "./program";
import clusterProgram from "../cluster/program";

/** The example program (index.ts) with the repository's Pulumi.yaml and stacks/. */
export const EXAMPLE: InlineProgram = { workDir: REPO, program: async () => runProgram() };

/** The small ring program of tests/e2e/program. */
export const E2E: InlineProgram = { workDir: path.join(__dirname, "program"), program: async () => e2eProgram() };

/** The signer and token halves of tests/cluster/program. */
export const CLUSTER: InlineProgram = {
    workDir: path.join(REPO, "tests", "cluster", "program"),
    program: async () => clusterProgram(),
};
