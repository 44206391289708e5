// `keyshift verify-token --jwks <file> <token-file>`: tells an operator whether a token (for example one taken from a
// running pod) verifies against a JWKS, and with which kid: the proof that a rotation completed.

import { readFileSync } from "fs";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, JSONWebKeySet } from "jose";
import { readJwks } from "../jwks";

/** What `keyshift verify-token` found. */
export interface VerifyOutcome {
    /** Whether the token verified against the JWKS. */
    ok: boolean;
    /** One line for the operator; never contains the token. */
    line: string;
    /** 0 verified, 1 did not verify, 2 bad usage or input. */
    exitCode: 0 | 1 | 2;
}

export const USAGE = "usage: keyshift verify-token --jwks <keys.json> <token-file>";

/** Verifies `token` against `jwks` (text of a keys.json). Signature and expiry are checked; audience is not. */
export async function verifyToken(jwksText: string, token: string): Promise<VerifyOutcome> {
    let jwks: JSONWebKeySet;
    try {
        jwks = readJwks(jwksText) as JSONWebKeySet;
    } catch (error) {
        return { ok: false, exitCode: 2, line: `error: the JWKS is not valid: ${(error as Error).message}` };
    }
    let kid: string | undefined;
    try {
        kid = decodeProtectedHeader(token).kid;
    } catch {
        return { ok: false, exitCode: 2, line: "error: the token is not a JWT (expected three base64url parts)" };
    }
    try {
        const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks));
        return {
            ok: true,
            exitCode: 0,
            line: `verified: kid=${protectedHeader.kid ?? "(none)"} alg=${protectedHeader.alg} sub=${payload.sub ?? "(none)"} iss=${payload.iss ?? "(none)"}`,
        };
    } catch (error) {
        const known = jwks.keys.some((key) => key.kid === kid);
        const why = known
            ? (error as Error).message
            : `no key with kid=${kid ?? "(none)"} in the JWKS (it has ${jwks.keys.map((key) => key.kid).join(", ") || "no keys"})`;
        return { ok: false, exitCode: 1, line: `not verified: ${why}` };
    }
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
    const [command, ...rest] = argv;
    const jwksAt = rest.indexOf("--jwks");
    const jwksFile = jwksAt >= 0 ? rest[jwksAt + 1] : undefined;
    const positional = rest.filter((_, i) => i !== jwksAt && i !== jwksAt + 1);
    if (command !== "verify-token" || !jwksFile || positional.length !== 1) {
        out(USAGE);
        return 2;
    }
    let jwksText: string;
    let token: string;
    try {
        jwksText = readFileSync(jwksFile, "utf8");
        token = readFileSync(positional[0], "utf8").trim();
    } catch (error) {
        out(`error: ${(error as Error).message}`);
        return 2;
    }
    const outcome = await verifyToken(jwksText, token);
    out(outcome.line);
    return outcome.exitCode;
}
