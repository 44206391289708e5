// The checks of keyshift's policy pack (policy/), as plain functions of one resource's type, URN and inputs, so that
// they run the same in the pack, in a test, or anywhere else. Each returns the violation's one line, or undefined.

import { parseInterval, parseRotationDate } from "../ring/dates";
import { Ledger } from "../ring/ring";
import { CredentialKind, LEDGER_TYPE, kindOfUrn } from "../review/credentials";

/** What a policy sees of a resource. */
export interface PolicyResource {
    /** The resource's type token. */
    type: string;
    /** The resource's URN. */
    urn: string;
    /** Its inputs (a dynamic resource's checked inputs). */
    props: Record<string, unknown>;
}

/** The pack's configuration of `keyshift-rotation-overdue`: the longest time a rotation may stand, per kind. */
export interface OverdueConfig {
    /** Per credential kind, an interval such as `90d` or `12h`; a kind not named is not checked (the pack fills in its defaults). */
    maxAge?: Partial<Record<CredentialKind, string>>;
}

/**
 * `keyshift-rotation-overdue`: a credential whose current rotation is older than its kind's `maxAge` (durations such
 * as `90d`). Reads the ledger a preview computes, so it judges the rotation date the update would leave.
 */
export function overdueRotation(resource: PolicyResource, config: OverdueConfig, now = Date.now()): string | undefined {
    if (resource.type !== LEDGER_TYPE) return undefined;
    const ledger = resource.props.ledger as Ledger | undefined;
    const kind = kindOfUrn(resource.urn);
    const limit = kind ? config.maxAge?.[kind] : undefined;
    const maxAge = parseInterval(limit);
    const rotated = parseRotationDate(ledger?.rotatedDate);
    if (maxAge === undefined || rotated === undefined || now - rotated <= maxAge) return undefined;
    const label = ((resource.props.request as { label?: string } | undefined)?.label ?? "rotatedDate").replace(
        /\.?rotatedDate$/,
        "",
    );
    return `${label || resource.urn}: the ${kind} was last rotated on ${ledger!.rotatedDate}, more than ${limit} ago: set a later rotatedDate`;
}

// The write-only secret inputs keyshift sets, the version that makes the provider send them, and the plaintext input
// that would store the secret in state beside them.
const WRITE_ONLY: Record<string, { secret: string; version: string; plaintext: string }> = {
    "aws:rds/instance:Instance": { secret: "passwordWo", version: "passwordWoVersion", plaintext: "password" },
    "aws:rds/cluster:Cluster": {
        secret: "masterPasswordWo",
        version: "masterPasswordWoVersion",
        plaintext: "masterPassword",
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        secret: "authTokenWo",
        version: "authTokenWoVersion",
        plaintext: "authToken",
    },
};

/**
 * `keyshift-write-only-secrets`: a write-only password or token without its version is never sent again when it
 * changes, so the service keeps the old one while the applications get the new; and a plaintext password beside it is
 * kept in state and wins over the ring.
 */
export function writeOnlySecrets(resource: PolicyResource): string | undefined {
    const fields = WRITE_ONLY[resource.type];
    if (!fields || resource.props[fields.secret] === undefined) return undefined;
    const name = resource.urn.slice(resource.urn.lastIndexOf("::") + 2);
    if (resource.props[fields.version] === undefined) {
        return `${name}: ${fields.secret} is set without ${fields.version}, so a new value would never be sent`;
    }
    if (resource.props[fields.plaintext] !== undefined) {
        return `${name}: ${fields.plaintext} is set beside ${fields.secret}: it is stored in state and bypasses the ring; remove it`;
    }
    return undefined;
}
