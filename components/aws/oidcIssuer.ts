// Import only the S3 submodule: all of @pulumi/aws takes seconds to load.
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { Jwks, readJwks, signingAlgorithms } from "../jwks";
import { argError, isDeferred } from "../validation";

/** Arguments of OidcIssuer. */
export interface OidcIssuerArgs {
    /**
     * The issuer URL the API server is started with (`--service-account-issuer`), https, without a trailing slash.
     * `keys.json` and `.well-known/openid-configuration` are served under it.
     */
    issuerUrl: pulumi.Input<string>;
    /**
     * The JWKS to publish: a document, its JSON, any key source's `jwks` output, or the key source itself (anything
     * with a `jwks` output, such as ServiceAccountSigningKeys).
     */
    jwks: pulumi.Input<Jwks | string> | { jwks: pulumi.Output<string> };
    /** Publish into this existing bucket instead of creating one. Its ownership and public-access settings are not touched. */
    existingBucketName?: pulumi.Input<string>;
    /** Name of the bucket to create; default: a name Pulumi derives from the component's. */
    bucketName?: pulumi.Input<string>;
    /** Cache-Control of both documents; default `public, max-age=60`, short so a new key propagates quickly. */
    cacheControl?: pulumi.Input<string>;
}

/** The OIDC discovery document of an issuer whose keys are `jwks`. */
export function discoveryDocument(issuerUrl: string, jwks: Jwks): Record<string, unknown> {
    return {
        issuer: issuerUrl,
        jwks_uri: `${issuerUrl}/keys.json`,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: signingAlgorithms(jwks),
    };
}

/** Checks an issuer URL given as a plain string. */
export function checkIssuerUrl(value: pulumi.Input<string>, propertyPath: string): void {
    if (typeof value !== "string") {
        return;
    }
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (!url || url.protocol !== "https:" || value.endsWith("/") || url.search || url.hash) {
        argError(
            propertyPath,
            `${JSON.stringify(value)} is not an issuer URL: use https://host[/path] without a trailing slash, query or fragment`,
        );
    }
}

const JSON_OBJECT = { contentType: "application/json" };

function isKeySource(value: unknown): value is { jwks: pulumi.Output<string> } {
    return typeof value === "object" && value !== null && pulumi.Output.isInstance((value as { jwks?: unknown }).jwks);
}

/**
 * Publishes an OIDC issuer's `keys.json` and discovery document in S3, readable by anyone through a bucket policy with
 * object ownership enforced (no ACLs). A signer's bump updates both objects in place; the bucket is never replaced.
 */
export class OidcIssuer extends pulumi.ComponentResource {
    /** The bucket holding the two documents (created here, or `existingBucketName`). */
    public readonly bucketName: pulumi.Output<string>;
    /** `keys.json`, exactly as published. */
    public readonly jwks: pulumi.Output<string>;
    /** @deprecated Renamed `jwks`; kept for one release. */
    public readonly keysJson: pulumi.Output<string>;
    /** `.well-known/openid-configuration`, exactly as published. */
    public readonly discoveryJson: pulumi.Output<string>;
    /** `<issuerUrl>/keys.json`, the discovery document's `jwks_uri`. */
    public readonly jwksUri: pulumi.Output<string>;

    constructor(name: string, args: OidcIssuerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:aws:OidcIssuer", name, {}, opts);
        checkIssuerUrl(args.issuerUrl, "issuerUrl");
        if (args.existingBucketName !== undefined && args.bucketName !== undefined) {
            argError("bucketName", "give either bucketName (a bucket to create) or existingBucketName, not both");
        }
        const parent = { parent: this };
        const source: pulumi.Input<Jwks | string> = isKeySource(args.jwks) ? args.jwks.jwks : args.jwks;
        const notJwks = (error: unknown) => `not a JWKS document: ${(error as Error).message}`;
        // A JWKS given as a value is read now, before any resource exists; one that arrives as an Output (from
        // keyshift's signer, which only makes valid ones) is read when it resolves.
        let jwks: pulumi.Output<Jwks>;
        if (isDeferred(source)) {
            jwks = pulumi.output(source).apply((value) => {
                try {
                    return readJwks(value as string | Jwks);
                } catch (error) {
                    throw new pulumi.ResourceError(`jwks: ${notJwks(error)}`, this);
                }
            });
        } else {
            try {
                jwks = pulumi.output(readJwks(source as string | Jwks));
            } catch (error) {
                argError("jwks", notJwks(error));
            }
        }
        this.jwks = jwks.apply((doc) => JSON.stringify(doc));
        this.keysJson = this.jwks;
        this.discoveryJson = pulumi
            .all([args.issuerUrl, jwks])
            .apply(([issuer, doc]) => JSON.stringify(discoveryDocument(issuer, doc)));
        this.jwksUri = pulumi.interpolate`${args.issuerUrl}/keys.json`;

        const dependsOn: pulumi.Resource[] = [];
        if (args.existingBucketName !== undefined) {
            this.bucketName = pulumi.output(args.existingBucketName);
        } else {
            // forceDestroy stays off: deleting the component must never silently empty the issuer's bucket.
            const bucket = new s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: false }, parent);
            const ownership = new s3.BucketOwnershipControls(
                `${name}-ownership`,
                { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
                parent,
            );
            const publicAccess = new s3.BucketPublicAccessBlock(
                `${name}-public-access`,
                {
                    bucket: bucket.id,
                    // ACLs stay blocked; only the bucket policy below grants public read.
                    blockPublicAcls: true,
                    ignorePublicAcls: true,
                    blockPublicPolicy: false,
                    restrictPublicBuckets: false,
                },
                parent,
            );
            const policy = new s3.BucketPolicy(
                `${name}-policy`,
                {
                    bucket: bucket.id,
                    policy: bucket.arn.apply((arn) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "PublicReadOidcDocuments",
                                    Effect: "Allow",
                                    Principal: "*",
                                    Action: "s3:GetObject",
                                    Resource: [`${arn}/keys.json`, `${arn}/.well-known/openid-configuration`],
                                },
                            ],
                        }),
                    ),
                },
                { parent: this, dependsOn: [ownership, publicAccess] },
            );
            dependsOn.push(policy);
            this.bucketName = bucket.bucket;
        }
        const cacheControl = args.cacheControl ?? "public, max-age=60";
        new s3.BucketObjectv2(
            `${name}-keys`,
            { bucket: this.bucketName, key: "keys.json", content: this.jwks, cacheControl, ...JSON_OBJECT },
            { parent: this, dependsOn },
        );
        new s3.BucketObjectv2(
            `${name}-discovery`,
            {
                bucket: this.bucketName,
                key: ".well-known/openid-configuration",
                content: this.discoveryJson,
                cacheControl,
                ...JSON_OBJECT,
            },
            { parent: this, dependsOn },
        );
        this.registerOutputs({
            bucketName: this.bucketName,
            jwks: this.jwks,
            discoveryJson: this.discoveryJson,
            jwksUri: this.jwksUri,
        });
    }
}
