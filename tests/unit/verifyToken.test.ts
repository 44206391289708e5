import * as assert from "assert";
import { execFileSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { SignJWT, importPKCS8 } from "jose";
import { pemKeyPair } from "./harness";
import { buildJwks, kidFromPublicKeyPem } from "../../components/jwks";

const CLI = path.resolve(__dirname, "../../components/cli/keyshift.ts");

function cli(args: string[]): { code: number; out: string } {
    try {
        return {
            code: 0,
            out: execFileSync("node", ["-r", "ts-node/register/transpile-only", CLI, ...args], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            }),
        };
    } catch (error: any) {
        return { code: error.status, out: String(error.stdout) + String(error.stderr) };
    }
}

describe("keyshift verify-token", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "keyshift-verify-"));
    const trusted = pemKeyPair("RSA");
    const stranger = pemKeyPair("RSA");
    const jwksFile = path.join(dir, "keys.json");
    writeFileSync(jwksFile, JSON.stringify(buildJwks([trusted.publicKeyPem])));

    async function tokenFile(name: string, privateKeyPem: string, kid: string): Promise<string> {
        const jwt = await new SignJWT({})
            .setProtectedHeader({ alg: "RS256", kid })
            .setSubject("system:serviceaccount:ci:deployer")
            .setIssuer("https://oidc.example.com")
            .setExpirationTime("1h")
            .sign(await importPKCS8(privateKeyPem, "RS256"));
        const file = path.join(dir, name);
        writeFileSync(file, `${jwt}\n`);
        return file;
    }

    it("says which kid verified a good token and exits 0", async () => {
        const kid = kidFromPublicKeyPem(trusted.publicKeyPem);
        const result = cli([
            "verify-token",
            "--jwks",
            jwksFile,
            await tokenFile("good.jwt", trusted.privateKeyPem, kid),
        ]);
        assert.deepStrictEqual(result, {
            code: 0,
            out: `verified: kid=${kid} alg=RS256 sub=system:serviceaccount:ci:deployer iss=https://oidc.example.com\n`,
        });
    });

    it("exits 1 with one line for a token signed by a key the JWKS does not hold", async () => {
        const kid = kidFromPublicKeyPem(stranger.publicKeyPem);
        const result = cli([
            "verify-token",
            "--jwks",
            jwksFile,
            await tokenFile("bad.jwt", stranger.privateKeyPem, kid),
        ]);
        assert.strictEqual(result.code, 1);
        assert.match(
            result.out,
            new RegExp(
                `^not verified: no key with kid=${kid} in the JWKS \\(it has ${kidFromPublicKeyPem(trusted.publicKeyPem)}\\)\\n$`,
            ),
        );
    });

    it("exits 2 with one line, no stack trace, for a malformed token, a malformed JWKS or bad usage", () => {
        const junk = path.join(dir, "junk.jwt");
        writeFileSync(junk, "not-a-token");
        assert.deepStrictEqual(cli(["verify-token", "--jwks", jwksFile, junk]), {
            code: 2,
            out: "error: the token is not a JWT (expected three base64url parts)\n",
        });
        const badJwks = path.join(dir, "bad.json");
        writeFileSync(badJwks, '{"kids": []}');
        assert.deepStrictEqual(cli(["verify-token", "--jwks", badJwks, junk]), {
            code: 2,
            out: 'error: the JWKS is not valid: it has no "keys" array\n',
        });
        assert.deepStrictEqual(cli(["verify-token", junk]), {
            code: 2,
            out: "usage: keyshift verify-token --jwks <keys.json> <token-file>\n",
        });
        const usage = cli(["verify"]);
        assert.strictEqual(usage.code, 2);
        assert.deepStrictEqual(
            usage.out.split("\n").map((line) => line.split(" ").slice(0, 3).join(" ")),
            ["usage: keyshift review", "usage: keyshift status", "usage: keyshift verify-token", ""],
        );
    });
});
