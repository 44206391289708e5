import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { CREDENTIAL_SECRET_FIELDS, CredentialSecretArgs, publishCredentialSecret } from "../k8s/credentialSecret";
import { notAnInterval, parseInterval, parseRotationDate } from "../ring/dates";
import { Ledger, configKey, slotRoles } from "../ring/ring";
import { Ring, RotationArgs, lazy } from "../ring/slots";
import { argError, checkKnownArgs, ROTATION_ARGS } from "../validation";

/** Arguments of IamAccessKeys. */
export interface IamAccessKeysArgs extends RotationArgs {
    /**
     * The IAM user whose keys rotate: 1 to 64 letters, digits and `+=,.@_-` (AWS's rule for user names). The user is
     * managed elsewhere; AWS allows it two access keys, which are this component's two slots.
     */
    user: string;
    /**
     * After this long past `rotatedDate` (such as `7d`), the previous key is made `Inactive` in place, AWS's "make the
     * old key inactive" step; a rollback makes it `Active` again. Judged against the clock of the run. Default never.
     */
    deactivatePreviousAfter?: string;
    /** Also publish the primary key to a Secret (`aws_access_key_id`, `aws_secret_access_key`); readers restarted. */
    kubernetes?: CredentialSecretArgs;
}

/** One slot's access key, or the key holding a role. */
export interface AccessKeySlot {
    /** The access key id; "" for a role no slot holds. */
    accessKeyId: pulumi.Output<string>;
    /** The secret access key; always a secret. */
    secretAccessKey: pulumi.Output<string>;
    /** When AWS created the key, RFC 3339. */
    createDate: pulumi.Output<string>;
    /** `Active` or `Inactive`. */
    status: pulumi.Output<string>;
    /** The config date the key was created for, `YYYY-MM-DD`; "" for a role no slot holds. */
    rotatedDate: pulumi.Output<string>;
    /** The ring's generation number of the key (1 for the first); 0 for a role no slot holds. */
    generation: pulumi.Output<number>;
}

const IAM_USER = /^[\w+=,.@-]{1,64}$/;

/**
 * Whether a slot's key is `Active`: the primary always; the previous until `deactivateAfterMs` past the rotation date;
 * a key an emergency rotation revoked never.
 */
export function accessKeyStatus(
    ledger: Ledger,
    slot: number,
    deactivateAfterMs: number | undefined,
    now: number,
): "Active" | "Inactive" {
    if (ledger.slots[slot].revokedOn) return "Inactive";
    if (slotRoles(ledger, 0).primary === slot || deactivateAfterMs === undefined) return "Active";
    return now >= (parseRotationDate(ledger.rotatedDate) ?? 0) + deactivateAfterMs ? "Inactive" : "Active";
}

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    user: true,
    deactivatePreviousAfter: true,
    kubernetes: true,
} as const satisfies Record<keyof IamAccessKeysArgs, boolean>;

/**
 * An IAM user's two access keys as a ring, as AWS's own procedure and Pulumi ESC's `aws-iam` rotator keep them:
 * current (primary) and previous. A bump deletes the key that left service one rotation ago before creating its
 * replacement (`deleteBeforeReplace`), so the user never needs a third key, which AWS would refuse.
 */
export class IamAccessKeys extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** Both keys, by slot number; ask for a role instead where you can. */
    public readonly slots: AccessKeySlot[];
    /** The key in use (ESC's `current`). */
    public readonly primary: AccessKeySlot;
    /** The key before the last rotation: `Active` until `deactivatePreviousAfter`, then `Inactive`. */
    public readonly previous: AccessKeySlot;

    constructor(name: string, args: IamAccessKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:aws:IamAccessKeys", name, {}, opts);
        const configPath = args.configPath ?? name;
        checkKnownArgs(args, KNOWN_ARGS, "IamAccessKeys", configPath, {
            kubernetes: CREDENTIAL_SECRET_FIELDS,
        });
        if (typeof args.user !== "string" || !IAM_USER.test(args.user)) {
            argError(
                configKey(configPath, "user"),
                `${JSON.stringify(args.user)} is not an IAM user name: AWS takes 1 to 64 letters, digits and +=,.@_-`,
            );
        }
        const deactivateAfter =
            args.deactivatePreviousAfter === undefined ? undefined : parseInterval(args.deactivatePreviousAfter);
        if (args.deactivatePreviousAfter !== undefined && deactivateAfter === undefined) {
            argError(configKey(configPath, "deactivatePreviousAfter"), notAnInterval(args.deactivatePreviousAfter));
        }
        const ring = new Ring(this, name, args, "accessKey", {});
        this.ledger = ring.ledger;

        // The run's clock, for deactivatePreviousAfter: a later run past that time updates the status in place.
        const now = Date.now();
        const keys = ring.slots.map(
            (slot) =>
                new iam.AccessKey(
                    `${name}-slot${slot}`,
                    {
                        user: args.user,
                        status: ring.ledgerInput((ledger) => accessKeyStatus(ledger, slot, deactivateAfter, now)),
                    },
                    {
                        parent: this,
                        dependsOn: ring.resource,
                        replacementTrigger: ring.slotInput(slot, (record) => record.generation),
                        // The key a bump replaces left service a rotation ago; deleting it first keeps the user at two.
                        deleteBeforeReplace: true,
                        additionalSecretOutputs: ["secret", "sesSmtpPasswordV4"],
                    },
                ),
        );
        this.slots = keys.map((key, slot) =>
            lazy<AccessKeySlot>({
                accessKeyId: () => key.id,
                secretAccessKey: () => pulumi.secret(key.secret),
                createDate: () => key.createDate,
                status: () => key.status.apply((status) => status ?? "Active"),
                rotatedDate: () => ring.date(slot),
                generation: () => ring.generation(slot),
            }),
        );
        const revoked = {
            accessKeyId: "",
            secretAccessKey: "",
            createDate: "",
            status: "Inactive",
            rotatedDate: "",
            generation: 0,
        };
        this.primary = ring.role("primary", this.slots, revoked, ["secretAccessKey"]);
        this.previous = ring.role("previous", this.slots, revoked, ["secretAccessKey"]);
        if (args.kubernetes) {
            publishCredentialSecret(this, name, args.kubernetes, {
                defaultName: `${name}-aws-credentials`,
                values: {
                    aws_access_key_id: this.primary.accessKeyId,
                    aws_secret_access_key: this.primary.secretAccessKey,
                },
                rotatedDate: this.primary.rotatedDate,
                dependsOn: keys,
            });
        }
        this.registerOutputs({});
    }
}
