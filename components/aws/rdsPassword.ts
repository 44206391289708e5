import * as rds from "@pulumi/aws/rds";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CREDENTIAL_SECRET_FIELDS, CredentialSecretArgs, publishCredentialSecret } from "../k8s/credentialSecret";
import { PasswordSlot, RotatingPassword } from "../passwords/rotatingPassword";
import { CharacterRules } from "../passwords/rules";
import { Ledger, configKey } from "../ring/ring";
import { RotationArgs } from "../ring/slots";
import { argError, checkKnownArgs, ROTATION_ARGS } from "../validation";
import { RDS_CLUSTER_ENGINES, RDS_ENGINES, RdsEngine, rdsConstraints, rdsDefaultLength, rdsUrlScheme } from "./rules";

/** How to reach an instance defined elsewhere, for the applications' Secret. */
export interface RdsConnection {
    /** Host name the applications connect to. */
    address: pulumi.Input<string>;
    /** TCP port, such as 5432. */
    port: pulumi.Input<number>;
    /** `host:port` as RDS reports it; default `<address>:<port>`. */
    endpoint?: pulumi.Input<string>;
    /** Database name for the URL; default none. */
    dbName?: pulumi.Input<string>;
}

/** Instance arguments passed through; the password inputs are keyshift's. */
export type ManagedInstanceArgs = Omit<
    rds.InstanceArgs,
    "engine" | "password" | "passwordWo" | "passwordWoVersion" | "manageMasterUserPassword" | "username"
>;

/** Cluster arguments passed through; the master password inputs are keyshift's. */
export type ManagedClusterArgs = Omit<
    rds.ClusterArgs,
    | "engine"
    | "masterPassword"
    | "masterPasswordWo"
    | "masterPasswordWoVersion"
    | "manageMasterUserPassword"
    | "masterUsername"
>;

/** Arguments of RdsPassword. Give one of `instance`, `cluster` or `connection`. */
export interface RdsPasswordArgs extends RotationArgs, Partial<Pick<CharacterRules, "length" | "special">> {
    /**
     * The database engine; it decides the password's length limits and forbidden characters, and whether the master
     * password lives on an instance or on a cluster (Aurora: always the cluster).
     */
    engine: RdsEngine;
    /** The master user name. */
    username: pulumi.Input<string>;
    /**
     * Create and manage the instance with these arguments; a rotation then changes its password in place through the
     * write-only `passwordWo` (not kept in state) and `passwordWoVersion`, with `applyImmediately`. Refused for the
     * Aurora engines, whose instances take no master password (RDS: "The master user password is managed by the DB
     * cluster"): give `cluster`.
     */
    instance?: ManagedInstanceArgs;
    /**
     * Create and manage the DB cluster (Aurora, or a Multi-AZ DB cluster of `mysql` or `postgres`) with these
     * arguments; a rotation changes its master password in place through `masterPasswordWo` and
     * `masterPasswordWoVersion`, with `applyImmediately`. Its instances (`rds.ClusterInstance`) are yours.
     */
    cluster?: ManagedClusterArgs;
    /** Connection details of an instance or cluster defined elsewhere, for the applications' Secret. */
    connection?: RdsConnection;
    /** Publish `database_username`, `database_password`, … and `url` in a Kubernetes Secret. */
    kubernetes?: CredentialSecretArgs;
}

/** `scheme://user:password@host:port/db`, user and password URL-encoded. */
export function databaseUrl(
    scheme: string,
    user: string,
    password: string,
    host: string,
    port: number,
    db: string,
): string {
    return `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(db)}`;
}

const CONNECTION_FIELDS = {
    address: true,
    port: true,
    endpoint: true,
    dbName: true,
} as const satisfies Record<keyof RdsConnection, boolean>;

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    engine: true,
    username: true,
    instance: true,
    cluster: true,
    connection: true,
    kubernetes: true,
    length: true,
    special: true,
} as const satisfies Record<keyof RdsPasswordArgs, boolean>;

/**
 * An RDS master password in two slots (primary, previous). A bump generates a new password, sets it on the instance
 * or cluster in place (RDS keeps one valid password), updates the applications' Secret and restarts the workloads that
 * read it. `previous` stays an output, so an operator can roll the database back with a config change; after an
 * emergency rotation (`compromised`) it is empty, and no rollback can bring the exposed password back. The write-only
 * password is sent exactly when its version, the primary slot's generation, changes.
 */
export class RdsPassword extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings, emergencies); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The password in use; secret. */
    public readonly password: pulumi.Output<string>;
    /** The password in use and its date and generation; the value is secret. */
    public readonly primary: PasswordSlot;
    /** The password before the last rotation, for a rollback; "" after an emergency rotation. */
    public readonly previous: PasswordSlot;
    /** The instance, when `instance` is given; its password changes in place, it is never replaced. */
    public readonly instance?: rds.Instance;
    /** The DB cluster, when `cluster` is given; its master password changes in place, it is never replaced. */
    public readonly cluster?: rds.Cluster;
    /** The applications' Secret, when `kubernetes` is given. */
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: RdsPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:aws:RdsPassword", name, {}, opts);
        const configPath = args.configPath ?? name;
        checkKnownArgs(args, KNOWN_ARGS, "RdsPassword", configPath, {
            connection: CONNECTION_FIELDS,
            kubernetes: CREDENTIAL_SECRET_FIELDS,
        });
        const key = (field: string) => configKey(configPath, field);
        checkTarget(args, key);
        const password = new RotatingPassword(
            `${name}-password`,
            {
                rotatedDate: args.rotatedDate,
                minRotationInterval: args.minRotationInterval,
                configPath,
                compromised: args.compromised,
                length: args.length ?? rdsDefaultLength(args.engine),
                special: args.special ?? "",
                constraints: rdsConstraints(args.engine),
            },
            { parent: this },
        );
        this.ledger = password.ledger;
        this.primary = password.primary;
        this.previous = password.previous;
        this.password = pulumi.secret(password.primary.value);
        // A new version number is what makes the provider send the write-only password again.
        const version = password.primary.generation;

        let connection: RdsConnection | undefined = args.connection;
        if (args.instance) {
            this.instance = new rds.Instance(
                `${name}-instance`,
                {
                    ...args.instance,
                    engine: args.engine,
                    username: args.username,
                    passwordWo: this.password,
                    passwordWoVersion: version,
                    applyImmediately: true,
                },
                { parent: this },
            );
            connection = {
                address: this.instance.address,
                port: this.instance.port,
                endpoint: this.instance.endpoint,
                dbName: this.instance.dbName,
            };
        }
        if (args.cluster) {
            this.cluster = new rds.Cluster(
                `${name}-cluster`,
                {
                    ...args.cluster,
                    engine: args.engine,
                    masterUsername: args.username,
                    masterPasswordWo: this.password,
                    masterPasswordWoVersion: version,
                    applyImmediately: true,
                },
                { parent: this },
            );
            connection = {
                address: this.cluster.endpoint,
                port: this.cluster.port,
                dbName: this.cluster.databaseName,
            };
        }

        if (args.kubernetes) {
            if (!connection) {
                argError(
                    key("connection"),
                    "the applications' Secret needs the database's address: give instance, cluster or connection",
                );
            }
            const scheme = rdsUrlScheme(args.engine);
            this.secret = publishCredentialSecret(this, name, args.kubernetes, {
                defaultName: "rds-instance-output",
                values: pulumi
                    .all([
                        args.username,
                        this.password,
                        connection.address,
                        connection.port,
                        connection.endpoint ?? "",
                        connection.dbName ?? "",
                    ])
                    .apply(([user, pass, address, port, endpoint, db]) => ({
                        database_username: user,
                        database_password: pass,
                        database_name: db,
                        rds_instance_endpoint: endpoint || `${address}:${port}`,
                        rds_instance_address: address,
                        url: databaseUrl(scheme, user, pass, address, port, db),
                    })),
                rotatedDate: this.ledger.apply((ledger) => ledger.rotatedDate),
                dependsOn: [this.instance, this.cluster].filter((r): r is rds.Instance | rds.Cluster => !!r),
            });
        }

        // The outputs are this object's fields. The checkpoint keeps none of them again: the ledger and every key
        // are in their own resources' state, and at hundreds of credentials each byte here is rewritten at every step.
        this.registerOutputs({});
    }
}

/** Refuses an engine keyshift has no rules for and a target that cannot hold a master password, naming the key. */
function checkTarget(args: RdsPasswordArgs, key: (field: string) => string): void {
    if (!RDS_ENGINES.includes(args.engine)) {
        argError(
            key("engine"),
            `${JSON.stringify(args.engine)} is not an engine keyshift knows the password rules of: use one of ${RDS_ENGINES.join(", ")}`,
        );
    }
    const given = (["instance", "cluster", "connection"] as const).filter((field) => args[field] !== undefined);
    if (given.length > 1) {
        argError(key(given[1]), `give one of instance, cluster or connection, not ${given.join(" and ")}`);
    }
    // Config is JSON, past the types: refuse the password inputs keyshift owns rather than send two passwords.
    const owned: Record<string, string[]> = {
        instance: ["engine", "username", "password", "passwordWo", "passwordWoVersion", "manageMasterUserPassword"],
        cluster: [
            "engine",
            "masterUsername",
            "masterPassword",
            "masterPasswordWo",
            "masterPasswordWoVersion",
            "manageMasterUserPassword",
        ],
    };
    for (const field of ["instance", "cluster"] as const) {
        const given = args[field] as Record<string, unknown> | undefined;
        const clash = owned[field].find((name) => given?.[name] !== undefined);
        if (clash) {
            argError(
                key(`${field}.${clash}`),
                "keyshift sets this from the ring and the engine and username arguments; remove it",
            );
        }
    }
    if (args.instance && args.engine.startsWith("aurora-")) {
        argError(
            key("instance"),
            `engine ${JSON.stringify(args.engine)} keeps its master password on the cluster: RDS refuses a master password on an Aurora instance; give cluster instead`,
        );
    }
    if (args.cluster && !RDS_CLUSTER_ENGINES.includes(args.engine)) {
        argError(
            key("cluster"),
            `engine ${JSON.stringify(args.engine)} has no DB clusters: RDS clusters run ${RDS_CLUSTER_ENGINES.join(", ")}; give instance instead`,
        );
    }
}
