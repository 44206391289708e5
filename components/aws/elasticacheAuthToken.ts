import * as elasticache from "@pulumi/aws/elasticache";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CREDENTIAL_SECRET_FIELDS, CredentialSecretArgs, publishCredentialSecret } from "../k8s/credentialSecret";
import { PasswordSlot, RotatingPassword } from "../passwords/rotatingPassword";
import { Ledger, Move, configKey } from "../ring/ring";
import { RotationArgs } from "../ring/slots";
import { argError, checkKnownArgs, ROTATION_ARGS } from "../validation";
import { ELASTICACHE_TOKEN, supportsAuthRotation } from "./rules";

/** Replication group arguments passed through; the AUTH inputs are keyshift's. */
export type ManagedReplicationGroupArgs = Omit<
    elasticache.ReplicationGroupArgs,
    "authToken" | "authTokenWo" | "authTokenWoVersion" | "authTokenUpdateStrategy"
>;

/** Arguments of ElasticacheAuthToken. */
export interface ElasticacheAuthTokenArgs extends RotationArgs {
    /** The replication group to manage. `transitEncryptionEnabled` must be true and the engine Redis 5.0.5 or newer. */
    replicationGroup: ManagedReplicationGroupArgs;
    /** Token length, 16 to 128; default 64. */
    length?: number;
    /** Special characters allowed, a subset of `!&#$^<>-`; default none. */
    special?: string;
    /**
     * @deprecated The strategy now comes from the ledger: the first token is always set with SET. Accepted and
     * ignored, with a warning, for one release.
     */
    addingFirstToken?: boolean;
    /** Publish `auth_token`, `primary_endpoint_address`, `member_clusters`, `replication_group_id` in a Secret. */
    kubernetes?: CredentialSecretArgs;
}

/**
 * The update strategy for the token the ledger makes primary: SET after the ring's creation (ROTATE on a group with no
 * token would leave password-free access open) and after an emergency rotation (only the new token may be valid);
 * ROTATE after a routine rotation or a rollback, which keeps the previous token valid while pods are recycled.
 * ElastiCache accepts SET only after a ROTATE (AWS: "Modifying the AUTH token on an existing ElastiCache cluster").
 */
export function authTokenStrategy(lastMove: Move): "SET" | "ROTATE" {
    return lastMove === "create" || lastMove === "emergency" ? "SET" : "ROTATE";
}

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    replicationGroup: true,
    length: true,
    special: true,
    addingFirstToken: true,
    kubernetes: true,
} as const satisfies Record<keyof ElasticacheAuthTokenArgs, boolean>;

/**
 * An ElastiCache (Redis) AUTH token in two slots. A bump generates a new token and sets it on the replication group in
 * place with ROTATE (old and new both valid; the ring's `previous` is the token still accepted); the first token and
 * an emergency rotation's (`compromised`) use SET, so the exposed token stops working at once and never returns. The
 * applications' Secret is updated and the workloads that read it restarted.
 */
export class ElasticacheAuthToken extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings, emergencies); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The token in use; secret. */
    public readonly authToken: pulumi.Output<string>;
    /** The token in use and its date and generation; the value is secret. */
    public readonly primary: PasswordSlot;
    /** The token before the last rotation, still accepted by ElastiCache under ROTATE; "" after an emergency rotation. */
    public readonly previous: PasswordSlot;
    /** The replication group, updated in place on a rotation; never replaced by one. */
    public readonly replicationGroup: elasticache.ReplicationGroup;
    /** The applications' Secret, when `kubernetes` is given. */
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: ElasticacheAuthTokenArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:aws:ElasticacheAuthToken", name, {}, opts);
        const configPath = args.configPath ?? name;
        checkKnownArgs(args, KNOWN_ARGS, "ElasticacheAuthToken", configPath, {
            kubernetes: CREDENTIAL_SECRET_FIELDS,
        });
        const group = args.replicationGroup;
        const key = (field: string) => configKey(configPath, field);
        if (group.transitEncryptionEnabled !== true && !pulumi.Output.isInstance(group.transitEncryptionEnabled)) {
            argError(
                key("replicationGroup.transitEncryptionEnabled"),
                `${JSON.stringify(group.transitEncryptionEnabled ?? null)}: ElastiCache accepts an AUTH token only with in-transit encryption; set it to true`,
            );
        }
        const engine = typeof group.engine === "string" ? group.engine : "redis";
        if (
            engine === "redis" &&
            typeof group.engineVersion === "string" &&
            !supportsAuthRotation(group.engineVersion)
        ) {
            argError(
                key("replicationGroup.engineVersion"),
                `${JSON.stringify(group.engineVersion)} is too old: AUTH token rotation needs Redis 5.0.5 or newer`,
            );
        }
        const owned = ["authToken", "authTokenWo", "authTokenWoVersion", "authTokenUpdateStrategy"];
        const clash = owned.find((field) => (group as Record<string, unknown>)[field] !== undefined);
        if (clash) {
            argError(key(`replicationGroup.${clash}`), "keyshift sets the AUTH token from the ring; remove it");
        }
        if (args.addingFirstToken !== undefined) {
            void pulumi.log.warn(
                `${key("addingFirstToken")} is deprecated and has no effect: the first token is always set with SET; remove it`,
                this,
            );
        }
        const token = new RotatingPassword(
            `${name}-token`,
            {
                rotatedDate: args.rotatedDate,
                minRotationInterval: args.minRotationInterval,
                configPath,
                compromised: args.compromised,
                length: args.length ?? 64,
                special: args.special ?? "",
                constraints: ELASTICACHE_TOKEN,
            },
            { parent: this },
        );
        this.ledger = token.ledger;
        this.primary = token.primary;
        this.previous = token.previous;
        this.authToken = pulumi.secret(token.primary.value);

        this.replicationGroup = new elasticache.ReplicationGroup(
            `${name}-group`,
            {
                ...group,
                authTokenWo: this.authToken,
                // A new version number is what makes the provider send the write-only token again.
                authTokenWoVersion: token.primary.generation,
                // Until its first move after an upgrade from 0.1, a ring keeps the strategy 0.1 set (SET when
                // compromised or addingFirstToken was given), so the upgrade itself changes nothing on the group.
                authTokenUpdateStrategy: token.ring.ledger.apply((ledger) =>
                    ledger.upgradedFrom && (args.compromised === true || args.addingFirstToken)
                        ? "SET"
                        : authTokenStrategy(ledger.lastMove),
                ),
                applyImmediately: true,
            },
            { parent: this },
        );

        if (args.kubernetes) {
            const rg = this.replicationGroup;
            this.secret = publishCredentialSecret(this, name, args.kubernetes, {
                defaultName: "elasticache-redis-output",
                values: pulumi
                    .all([this.authToken, rg.primaryEndpointAddress, rg.memberClusters, rg.id])
                    .apply(([auth, endpoint, members, id]) => ({
                        auth_token: auth,
                        primary_endpoint_address: endpoint,
                        member_clusters: (members ?? []).join(","),
                        replication_group_id: id,
                    })),
                rotatedDate: this.ledger.apply((ledger) => ledger.rotatedDate),
                dependsOn: [rg],
            });
        }

        // The outputs are this object's fields. The checkpoint keeps none of them again: the ledger and every key
        // are in their own resources' state, and at hundreds of credentials each byte here is rewritten at every step.
        this.registerOutputs({});
    }
}
