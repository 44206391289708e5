// keyshift's policy pack: `pulumi preview --policy-pack policy` (after `npm install` here and `npm run build` in the
// repository, or with keyshift from the registry in package.json). The checks themselves are keyshift's
// overdueRotation and writeOnlySecrets, tested on their own with resource inputs from real previews.
import { PolicyPack } from "@pulumi/policy";
import { OverdueConfig, overdueRotation, writeOnlySecrets } from "keyshift";

new PolicyPack("keyshift", {
    policies: [
        {
            name: "keyshift-rotation-overdue",
            description:
                "A credential rotated longer ago than its kind's maxAge (config: maxAge.signer, .password, .token, .encryption, such as 90d).",
            // Advisory unless the stack's policy config sets enforcementLevel: mandatory.
            enforcementLevel: "advisory",
            configSchema: {
                properties: {
                    maxAge: {
                        type: "object",
                        properties: {
                            signer: { type: "string", default: "90d" },
                            password: { type: "string", default: "30d" },
                            token: { type: "string", default: "30d" },
                            encryption: { type: "string", default: "90d" },
                        },
                    },
                },
            },
            validateResource: (args, reportViolation) => {
                const config = args.getConfig<OverdueConfig>();
                const violation = overdueRotation(
                    { type: args.type, urn: args.urn, props: args.props },
                    {
                        maxAge: { signer: "90d", password: "30d", token: "30d", encryption: "90d", ...config.maxAge },
                    },
                );
                if (violation) reportViolation(violation);
            },
        },
        {
            name: "keyshift-write-only-secrets",
            description:
                "An RDS or ElastiCache write-only password or token set without its version, or beside a plaintext one.",
            enforcementLevel: "mandatory",
            validateResource: (args, reportViolation) => {
                const violation = writeOnlySecrets({ type: args.type, urn: args.urn, props: args.props });
                if (violation) reportViolation(violation);
            },
        },
    ],
});
