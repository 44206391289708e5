import * as elasticache from "@pulumi/aws/elasticache";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CredentialSecretArgs, publishCredentialSecret } from "../k8s/credentialSecret";
import { PasswordSlot, RotatingPassword } from "../passwords/rotatingPassword";
import { Ledger } from "../ring/ring";
import { RotationArgs } from "../ring/slots";
import { argError } from "../validation";
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
     * The current token was exposed: rotate with SET, so only the new token is valid. Routine rotations use ROTATE,
     * which keeps the previous token valid so pods can be recycled one by one.
     */
    compromised?: boolean;
    /**
     * The group had no token before this one: set it with SET, because ROTATE would keep password-free access open.
     */
    addingFirstToken?: boolean;
    /** Publish `auth_token`, `primary_endpoint_address`, `member_clusters`, `replication_group_id` in a Secret. */
    kubernetes?: CredentialSecretArgs;
}

/** The update strategy for a token change: SET when the old token must stop working at once, else ROTATE. */
export function authTokenStrategy(args: { compromised?: boolean; addingFirstToken?: boolean }): "SET" | "ROTATE" {
    return args.compromised || args.addingFirstToken ? "SET" : "ROTATE";
}

export const ELASTICACHE_DEFAULT_INTERVAL = "1d";

/**
 * An ElastiCache (Redis) AUTH token in two slots. A bump generates a new token and sets it on the replication group in
 * place with ROTATE (old and new both valid; the ring's `previous` is the token still accepted), or with SET when
 * `compromised`. The applications' Secret is updated and the workloads that read it restarted.
 */
export class ElasticacheAuthToken extends pulumi.ComponentResource {
    public readonly ledger: pulumi.Output<Ledger>;
    /** The token in use; secret. */
    public readonly authToken: pulumi.Output<string>;
    public readonly primary: PasswordSlot;
    public readonly previous: PasswordSlot;
    public readonly replicationGroup: elasticache.ReplicationGroup;
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: ElasticacheAuthTokenArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:aws:ElasticacheAuthToken", name, {}, opts);
        const group = args.replicationGroup;
        if (group.transitEncryptionEnabled !== true && !pulumi.Output.isInstance(group.transitEncryptionEnabled)) {
            argError(
                "replicationGroup.transitEncryptionEnabled",
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
                "replicationGroup.engineVersion",
                `${JSON.stringify(group.engineVersion)} is too old: AUTH token rotation needs Redis 5.0.5 or newer`,
            );
        }
        const token = new RotatingPassword(
            `${name}-token`,
            {
                rotatedDate: args.rotatedDate,
                minRotationInterval: args.minRotationInterval ?? ELASTICACHE_DEFAULT_INTERVAL,
                configPath: args.configPath ?? `${name}.rotatedDate`,
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
                authTokenUpdateStrategy: authTokenStrategy(args),
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

        this.registerOutputs({
            ledger: this.ledger,
            authToken: this.authToken,
            primary: this.primary,
            previous: this.previous,
            replicationGroupId: this.replicationGroup.id,
            secretName: this.secret?.metadata.name,
        });
    }
}
