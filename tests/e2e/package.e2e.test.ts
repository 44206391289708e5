import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { REPO, engineEnv, pulumiPins } from "./engine";

// keyshift as users get it: `npm pack`, then the tarball installed into fresh Pulumi programs outside this
// repository, one TypeScript (type-checked against the package's declarations) and one plain JavaScript, each brought
// up, bumped and brought up again on the real engine. Each program runs inline from its own folder, with its own
// @pulumi/pulumi, as a user's pipeline would run it (tests/e2e/fixtures/consumer/run.js).

const PROGRAM_TS = `import * as pulumi from "@pulumi/pulumi";
import { RotatingKeyPair, RotatingKeyPairArgs, RotatingPassword, RotatingPasswordArgs, declareAll } from "keyshift";

export = function program(): Record<string, unknown> {
    const config = new pulumi.Config();
    return declareAll(() => {
        // The README's program: the password's settings are a section of config.
        const db = new RotatingPassword("db", {
            ...config.requireObject<RotatingPasswordArgs>("db"),
            configPath: "keyshift-consumer:db",
        });
        const signer = new RotatingKeyPair("signer", {
            ...config.requireObject<RotatingKeyPairArgs>("signer"),
            configPath: "keyshift-consumer:signer",
        });
        return {
            primary: db.primary.value,
            previous: db.previous.value,
            kids: { primary: signer.primary.kid, previous: signer.previous.kid, next: signer.next.kid },
        };
    });
};
`;

const PROGRAM_JS = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { RotatingKeyPair, RotatingPassword } = require("keyshift");

module.exports = function program() {
    const config = new pulumi.Config();
    const rotatedDate = config.require("rotatedDate");
    const db = new RotatingPassword("db", { rotatedDate, configPath: "consumer:rotatedDate", length: 40 });
    const signer = new RotatingKeyPair("signer", { rotatedDate, algorithm: "ECDSA-P256" });
    return {
        primary: db.primary.value,
        previous: db.previous.value,
        kids: { primary: signer.primary.kid, previous: signer.previous.kid, next: signer.next.kid },
    };
};
`;

interface Report {
    changes: Record<string, number>[];
    kids: { primary: string; previous: string; next: string }[];
    digests: { primary: string; previous: string }[];
    secret: boolean[];
}

const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

describe(`keyshift installed from its packed tarball into fresh programs (Node.js ${process.version})`, function () {
    this.timeout(900_000);
    let env: Record<string, string>;
    let cleanup: () => void;
    const work = mkdtempSync(path.join(tmpdir(), "keyshift-consumers-"));
    let tarball: string;

    before(() => {
        ({ env, cleanup } = engineEnv());
        const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
            cwd: REPO,
            encoding: "utf8",
        });
        tarball = path.join(work, packed.trim().split("\n").pop()!);
    });

    after(() => {
        rmSync(work, { recursive: true, force: true });
        cleanup?.();
    });

    it("ships compiled JavaScript, declarations and source maps, and no tests or TypeScript sources", () => {
        const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
        assert.ok(files.includes("package/dist/index.js") && files.includes("package/dist/index.d.ts"));
        assert.ok(files.includes("package/dist/index.js.map") && files.includes("package/dist/cli/keyshift.js"));
        assert.deepStrictEqual(
            files.filter((file) => /\/tests?\//.test(file) || (file.endsWith(".ts") && !file.endsWith(".d.ts"))),
            [],
        );
        const manifest = JSON.parse(
            execFileSync("tar", ["xzfO", tarball, "package/package.json"], { encoding: "utf8" }),
        );
        assert.deepStrictEqual(Object.keys(manifest.dependencies).sort(), ["jose", "yaml"], "no ts-node at run time");
        assert.ok(Object.keys(manifest.peerDependencies).every((name) => name.startsWith("@pulumi/")));
    });

    for (const flavour of ["typescript", "javascript"] as const) {
        it(`a fresh ${flavour} program installs it, comes up, rotates one password and one key, and converges`, () => {
            const dir = path.join(work, flavour);
            mkdirSync(dir);
            const dev = flavour === "typescript" ? { typescript: "5.9.3", "@types/node": "20.19.0" } : {};
            writeFileSync(
                path.join(dir, "package.json"),
                JSON.stringify({
                    name: `keyshift-consumer-${flavour}`,
                    private: true,
                    main: flavour === "typescript" ? "bin/index.js" : "index.js",
                    dependencies: { keyshift: `file:${tarball}`, ...pulumiPins() },
                    devDependencies: dev,
                }),
            );
            writeFileSync(
                path.join(dir, "Pulumi.yaml"),
                `name: keyshift-consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: ${flavour === "typescript"}\n`,
            );
            writeFileSync(
                path.join(dir, "run.js"),
                readFileSync(path.join(__dirname, "fixtures", "consumer", "run.js")),
            );
            if (flavour === "typescript") {
                writeFileSync(path.join(dir, "index.ts"), PROGRAM_TS);
                writeFileSync(
                    path.join(dir, "tsconfig.json"),
                    JSON.stringify({
                        compilerOptions: {
                            strict: true,
                            target: "es2022",
                            module: "commonjs",
                            outDir: "bin",
                            esModuleInterop: true,
                            types: ["node"],
                        },
                        files: ["index.ts"],
                    }),
                );
            } else {
                writeFileSync(path.join(dir, "index.js"), PROGRAM_JS);
            }
            const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
                cwd: dir,
                encoding: "utf8",
            });
            assert.strictEqual(install.status, 0, install.stderr);
            if (NODE_MAJOR >= 22) {
                // On the Node.js @pulumi/pulumi 3.276 and keyshift declare, a fresh install warns about no engine.
                assert.ok(!/EBADENGINE/.test(install.stderr), install.stderr);
            }
            if (flavour === "typescript") {
                // Type-checks the program against the package's declarations, strict.
                execFileSync(path.join(dir, "node_modules", ".bin", "tsc"), ["-p", dir], { encoding: "utf8" });
            }
            const report: Report = JSON.parse(
                execFileSync("node", ["run.js"], {
                    cwd: dir,
                    env,
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "pipe"],
                }),
            );
            assert.deepStrictEqual(report.changes, [{ create: 10 }, { update: 2, replace: 2 }, {}]);
            assert.strictEqual(report.digests[1].previous, report.digests[0].primary, "the old password is previous");
            assert.notStrictEqual(report.digests[1].primary, report.digests[0].primary);
            assert.deepStrictEqual(
                [report.kids[1].previous, report.kids[1].primary],
                [report.kids[0].primary, report.kids[0].next],
                "the key roles move one step, byte for byte",
            );
            assert.deepStrictEqual(report.secret, [true, true]);

            // The installed command.
            const jwks = path.join(dir, "keys.json");
            writeFileSync(jwks, '{"keys": []}');
            const token = path.join(dir, "token.jwt");
            writeFileSync(token, "not-a-jwt");
            let out = "";
            try {
                execFileSync(
                    path.join(dir, "node_modules", ".bin", "keyshift"),
                    ["verify-token", "--jwks", jwks, token],
                    {
                        encoding: "utf8",
                    },
                );
            } catch (error) {
                out = String((error as { stdout?: string }).stdout);
                assert.strictEqual((error as { status?: number }).status, 2);
            }
            assert.strictEqual(out, "error: the token is not a JWT (expected three base64url parts)\n");
        });
    }
});
