import * as rds from "@pulumi/aws/rds";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CredentialSecretArgs, publishCredentialSecret } from "../k8s/credentialSecret";
import { PasswordSlot, RotatingPassword } from "../passwords/rotatingPassword";
import { CharacterRules } from "../passwords/rules";
import { Ledger } from "../ring/ring";
import { RotationArgs } from "../ring/slots";
import { argError } from "../validation";
import { RDS_ENGINES, RdsEngine, rdsConstraints, rdsDefaultLength, rdsUrlScheme } from "./rules";

/** How to reach an instance defined elsewhere, for the applications' Secret. */
export interface RdsConnection {
    address: pulumi.Input<string>;
    port: pulumi.Input<number>;
    endpoint?: pulumi.Input<string>;
    dbName?: pulumi.Input<string>;
}

/** Instance arguments passed through; the password inputs are keyshift's. */
export type ManagedInstanceArgs = Omit<
    rds.InstanceArgs,
    "engine" | "password" | "passwordWo" | "passwordWoVersion" | "manageMasterUserPassword" | "username"
>;

/** Arguments of RdsPassword. */
export interface RdsPasswordArgs extends RotationArgs, Partial<Pick<CharacterRules, "length" | "special">> {
    /** The database engine; it decides the password's length limits and forbidden characters. */
    engine: RdsEngine;
    /** The master user name. */
    username: pulumi.Input<string>;
    /**
     * Create and manage the instance with these arguments; a rotation then changes its password in place through the
     * write-only `passwordWo` (not kept in state) with `applyImmediately`. Leave out to use `password` with an
     * instance defined elsewhere.
     */
    instance?: ManagedInstanceArgs;
    /** Connection details of an instance defined elsewhere, for the applications' Secret. */
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

export const RDS_DEFAULT_INTERVAL = "1d";

/**
 * An RDS master password in two slots (primary, previous). A bump generates a new password, sets it on the instance
 * in place (RDS keeps one valid password), updates the applications' Secret and restarts the workloads that read it.
 * `previous` stays an output, so an operator can roll the database back with a config change.
 */
export class RdsPassword extends pulumi.ComponentResource {
    public readonly ledger: pulumi.Output<Ledger>;
    /** The password in use; secret. */
    public readonly password: pulumi.Output<string>;
    public readonly primary: PasswordSlot;
    public readonly previous: PasswordSlot;
    public readonly instance?: rds.Instance;
    public readonly secret?: k8s.core.v1.Secret;

    constructor(name: string, args: RdsPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:aws:RdsPassword", name, {}, opts);
        if (!RDS_ENGINES.includes(args.engine)) {
            argError(
                "engine",
                `${JSON.stringify(args.engine)} is not an engine keyshift knows the password rules of: use one of ${RDS_ENGINES.join(", ")}`,
            );
        }
        if (args.instance && args.connection) {
            argError(
                "connection",
                "give either instance (managed here) or connection (an instance defined elsewhere), not both",
            );
        }
        const password = new RotatingPassword(
            `${name}-password`,
            {
                rotatedDate: args.rotatedDate,
                minRotationInterval: args.minRotationInterval ?? RDS_DEFAULT_INTERVAL,
                configPath: args.configPath ?? `${name}.rotatedDate`,
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

        let connection: RdsConnection | undefined = args.connection;
        if (args.instance) {
            this.instance = new rds.Instance(
                `${name}-instance`,
                {
                    ...args.instance,
                    engine: args.engine,
                    username: args.username,
                    passwordWo: this.password,
                    // A new version number is what makes the provider send the write-only password again.
                    passwordWoVersion: password.primary.generation,
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

        if (args.kubernetes) {
            if (!connection) {
                argError(
                    "connection",
                    "the applications' Secret needs the instance's address: give instance or connection",
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
                dependsOn: this.instance ? [this.instance] : [],
            });
        }

        this.registerOutputs({
            ledger: this.ledger,
            password: this.password,
            primary: this.primary,
            previous: this.previous,
            secretName: this.secret?.metadata.name,
        });
    }
}
