#!/usr/bin/env node
// keyshift's command line, as the package installs it (`keyshift verify-token …`).
import { main } from "./verifyToken";

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
        console.error(`keyshift: ${error.message}`);
        process.exit(2);
    },
);
