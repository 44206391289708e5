import * as assert from "assert";
import * as path from "path";
import * as ts from "typescript";
import * as k8s from "@pulumi/kubernetes";
import * as keyshift from "../../components";
import { Harness } from "./harness";

// The public API is what components/index.ts exports. Every export, and every public field of an exported class or
// interface, carries a doc comment (a deprecated alias may carry only its @deprecated line): a user reads them in
// the editor, not in this repository.

const INDEX = path.resolve(__dirname, "../../components/index.ts");

function undocumented(): string[] {
    const program = ts.createProgram([INDEX], {
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        strict: true,
        noEmit: true,
    });
    const checker = program.getTypeChecker();
    const index = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
    const documented = (symbol: ts.Symbol) =>
        ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "" ||
        symbol.getJsDocTags().some((tag) => tag.name === "deprecated" || tag.name === "internal");
    const missing: string[] = [];
    for (const exported of checker.getExportsOfModule(index)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        if (!documented(symbol)) missing.push(exported.name);
        const declaration = symbol.declarations?.[0];
        if (
            !declaration ||
            !(
                ts.isInterfaceDeclaration(declaration) ||
                ts.isClassDeclaration(declaration) ||
                ts.isTypeAliasDeclaration(declaration)
            )
        ) {
            continue;
        }
        for (const member of checker.getDeclaredTypeOfSymbol(symbol).getProperties()) {
            const memberDeclaration = member.declarations?.[0];
            // Inherited from Pulumi (urn, getProvider, ...) or not public: not keyshift's to document.
            if (!memberDeclaration || memberDeclaration.getSourceFile().fileName.includes("node_modules")) continue;
            if (
                ts.getCombinedModifierFlags(memberDeclaration) &
                (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)
            ) {
                continue;
            }
            if (!documented(member)) missing.push(`${exported.name}.${member.getName()}`);
        }
    }
    return missing;
}

describe("the public API", function () {
    // Building the program type-checks components/ and the Pulumi SDKs' declarations.
    this.timeout(120_000);

    it("documents every export and every public field of the exported classes and interfaces", () => {
        assert.deepStrictEqual(undocumented(), []);
    });

    it("every rotating component refuses an argument it does not take, naming the config key", async () => {
        await new Harness().newRun();
        const components = [
            keyshift.RotatingPassword,
            keyshift.RotatingKeyPair,
            keyshift.ServiceAccountSigningKeys,
            keyshift.ServiceAccountToken,
            keyshift.CiliumIpsecKeys,
            keyshift.RegistryCredentialSecret,
            keyshift.EncryptionConfigKeys,
            keyshift.CertificateAuthorityKeyset,
            keyshift.TlsCertificateSecret,
            keyshift.RdsPassword,
            keyshift.ElasticacheAuthToken,
            keyshift.IamAccessKeys,
        ];
        for (const Component of components) {
            const build = Component as unknown as new (name: string, args: object) => unknown;
            assert.throws(
                () => new build("c", { rotatedDate: "2026-01-01", configPath: "app:c", rotatedDat: "2026-02-01" }),
                (error: any) =>
                    error.propertyPath === "app:c.rotatedDat" &&
                    error.reason.startsWith(`not an argument of ${Component.name} (it takes `),
                Component.name,
            );
        }
        // Deeper objects too: where the signer publishes its keys.
        assert.throws(
            () =>
                new keyshift.ServiceAccountSigningKeys("s", {
                    rotatedDate: "2026-01-01",
                    kubernetes: {
                        provider: new k8s.Provider("k8s", {}),
                        nextKeySecret: { namepsace: "mine" } as never,
                    },
                }),
            (error: any) =>
                error.propertyPath === "kubernetes.nextKeySecret.namepsace" &&
                error.reason === "not a field of an object reference (it takes name, namespace)",
        );
        // keyshift's own objects among the arguments are checked the same way.
        assert.throws(
            () =>
                new keyshift.RdsPassword("c", {
                    rotatedDate: "2026-01-01",
                    configPath: "app:c",
                    engine: "postgres",
                    username: "app",
                    connection: { adress: "db.internal" } as never,
                }),
            (error: any) =>
                error.propertyPath === "app:c.connection.adress" &&
                error.reason === "not a field of RdsPassword's connection (it takes address, port, endpoint, dbName)",
        );
    });
});
