#!/usr/bin/env node
// keyshift's command line. The package ships TypeScript sources, so they are loaded through ts-node.
require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
require("../components/cli/verifyToken")
    .main(process.argv.slice(2))
    .then((code) => process.exit(code));
