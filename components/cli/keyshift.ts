#!/usr/bin/env node
// keyshift's command line, as the package installs it: `keyshift review`, `keyshift status`, `keyshift verify-token`.
import { REVIEW_USAGE, STATUS_USAGE, runReview, runStatus } from "./reviewCommands";
import { USAGE as VERIFY_USAGE, main as verifyToken } from "./verifyToken";

async function run(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === "review") return runReview(rest);
    if (command === "status") return runStatus(rest);
    if (command === "verify-token") return verifyToken(argv);
    console.log([REVIEW_USAGE, STATUS_USAGE, VERIFY_USAGE].join("\n"));
    return 2;
}

run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
        console.error(`keyshift: ${error.message}`);
        process.exit(2);
    },
);
