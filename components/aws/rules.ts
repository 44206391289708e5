// What RDS and ElastiCache accept as a master password or AUTH token. Pure, so property tests can cover every engine.

import { ServiceConstraints } from "../passwords/rules";

/** Database engines RdsPassword knows the password rules of. */
export const RDS_ENGINES = [
    "postgres",
    "aurora-postgresql",
    "mysql",
    "mariadb",
    "aurora-mysql",
    "sqlserver-ee",
    "sqlserver-se",
    "sqlserver-ex",
    "sqlserver-web",
    "oracle-ee",
    "oracle-se2",
] as const;
/** An RDS engine name, as the `engine` argument of `aws.rds.Instance` spells it. */
export type RdsEngine = (typeof RDS_ENGINES)[number];

/**
 * Engines whose master password lives on a DB cluster: Aurora always; MySQL and PostgreSQL as Multi-AZ DB clusters
 * (AWS RDS User Guide, "Multi-AZ DB cluster deployments").
 */
export const RDS_CLUSTER_ENGINES: readonly RdsEngine[] = ["aurora-postgresql", "aurora-mysql", "mysql", "postgres"];

const RDS_FORBIDDEN = '/@" ';

/** RDS's master password rules for `engine`. */
export function rdsConstraints(engine: RdsEngine): ServiceConstraints {
    const service = `RDS (${engine})`;
    if (engine.startsWith("oracle")) {
        return { service, minLength: 8, maxLength: 30, forbidden: `${RDS_FORBIDDEN}&'` };
    }
    if (engine === "postgres" || engine.startsWith("sqlserver")) {
        return { service, minLength: 8, maxLength: 128, forbidden: RDS_FORBIDDEN };
    }
    // MySQL, MariaDB and both Aurora engines.
    return { service, minLength: 8, maxLength: 41, forbidden: RDS_FORBIDDEN };
}

/** The default password length for `engine`: the longest it allows, up to 32. */
export function rdsDefaultLength(engine: RdsEngine): number {
    return Math.min(32, rdsConstraints(engine).maxLength);
}

/** The URL scheme applications use for `engine`. */
export function rdsUrlScheme(engine: RdsEngine): string {
    if (engine.includes("postgres")) return "postgres";
    if (engine.startsWith("sqlserver")) return "sqlserver";
    if (engine.startsWith("oracle")) return "oracle";
    return "mysql";
}

/** ElastiCache's AUTH token rules. */
export const ELASTICACHE_TOKEN: ServiceConstraints = {
    service: "ElastiCache AUTH",
    minLength: 16,
    maxLength: 128,
    forbidden: '/"@%',
    allowedSpecial: "!&#$^<>-",
};

/** Parses a Redis engine version such as `7.1`, `6.x` or `5.0.6`; undefined when it is not one. */
export function parseRedisVersion(version: string): [number, number, number] | undefined {
    const match = /^(\d+)(?:\.(\d+|x))?(?:\.(\d+))?$/.exec(version);
    if (!match) return undefined;
    const minor =
        match[2] === undefined || match[2] === "x"
            ? match[2] === "x"
                ? Number.MAX_SAFE_INTEGER
                : 0
            : Number(match[2]);
    return [
        Number(match[1]),
        minor,
        match[3] === undefined ? (match[2] === "x" ? Number.MAX_SAFE_INTEGER : 0) : Number(match[3]),
    ];
}

/** Whether a Redis engine version supports AUTH tokens with rotation (5.0.5 or newer). */
export function supportsAuthRotation(version: string): boolean {
    const parsed = parseRedisVersion(version);
    if (!parsed) return false;
    const [major, minor, patch] = parsed;
    return major > 5 || (major === 5 && (minor > 0 || patch >= 5));
}
