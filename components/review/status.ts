// `keyshift status`: every credential in a stack, from `pulumi stack export`: each slot's role, date and generation,
// key ids for key pairs, the age of the current rotation and whether it is overdue. Reads ledgers and public keys
// only; the export's secrets stay encrypted and are never touched.

import { parseRotationDate } from "../ring/dates";
import { slotRoles } from "../ring/ring";
import { CredentialKind, ResourceState, findCredentials, kidOf, ledgerOf, slotIndex, stagedOf } from "./credentials";

export interface SlotStatus {
    slot: number;
    role: "primary" | "previous" | "next" | "revoked";
    date: string;
    generation: number;
    kid?: string;
}

export interface CredentialStatus {
    name: string;
    type: string;
    kind: CredentialKind;
    configPath: string;
    rotatedDate: string;
    ageDays: number;
    overdue: boolean;
    slots: SlotStatus[];
}

export interface Status {
    credentials: CredentialStatus[];
    overdue: boolean;
}

const DAY = 86_400_000;

/** The status of every credential in a `pulumi stack export` document. */
export function stackStatus(
    exported: { deployment?: { resources?: ResourceState[] } },
    options: { maxAge?: Partial<Record<CredentialKind, number>>; now?: number } = {},
): Status {
    const resources = exported.deployment?.resources ?? [];
    const states = new Map(resources.map((state) => [state.urn, state]));
    const now = options.now ?? Date.now();
    const credentials = findCredentials(states).flatMap((credential): CredentialStatus[] => {
        const ledger = ledgerOf(states.get(credential.ledgerUrn));
        if (!ledger) return [];
        const roles = slotRoles(ledger, stagedOf(credential.kind));
        const keys = new Map(
            resources
                .map((state) => [slotIndex(state, credential), state] as const)
                .filter(([slot]) => slot !== undefined) as [number, ResourceState][],
        );
        const slots = ledger.slots.map((record, slot): SlotStatus => {
            const role = record.revokedOn
                ? "revoked"
                : slot === roles.primary
                  ? "primary"
                  : slot === roles.next
                    ? "next"
                    : "previous";
            return { slot, role, date: record.date, generation: record.generation, kid: kidOf(keys.get(slot)) };
        });
        const order = { primary: 0, previous: 1, next: 2, revoked: 3 };
        const age = now - (parseRotationDate(ledger.rotatedDate) ?? now);
        const limit = options.maxAge?.[credential.kind];
        return [
            {
                name: credential.name,
                type: credential.type,
                kind: credential.kind,
                configPath: credential.configPath,
                rotatedDate: ledger.rotatedDate,
                ageDays: Math.floor(age / DAY),
                overdue: limit !== undefined && age > limit,
                slots: slots.sort((a, b) => order[a.role] - order[b.role]),
            },
        ];
    });
    return { credentials, overdue: credentials.some((c) => c.overdue) };
}
