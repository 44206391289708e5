import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Ledger, configKey } from "../ring/ring";
import { RingLimitsInput } from "../ring/ledger";
import { Ring, RotationArgs, lazy } from "../ring/slots";
import { ROTATION_ARGS, argError, checkKnownArgs } from "../validation";
import { CharacterRules, ResolvedRules, ServiceConstraints, resolveRules, ruleProblems } from "./rules";

/** Arguments of a RotatingPassword. */
/**
 * Arguments of a RotatingPassword. The character rules (`length`, default 32; `lower`, `upper`, `numeric`, default
 * true; `special`, default none) apply to passwords generated from now on: a change regenerates nothing, the next
 * rotation generates its one new password with them, and a warning says so until then.
 */
export interface RotatingPasswordArgs extends RotationArgs, Partial<CharacterRules> {
    /**
     * What the consuming service accepts; lengths and characters outside it are refused at preview. Defaults to
     * 8 to 256 printable characters.
     */
    constraints?: ServiceConstraints;
    /** @internal What a component built on this one rules out, checked by the ledger (see RingLimits). */
    limits?: RingLimitsInput;
}

/** One slot's password, or the password holding a role. */
export interface PasswordSlot {
    /** The password; always a secret. "" for a role whose password an emergency rotation revoked. */
    value: pulumi.Output<string>;
    /** The config date the password was generated for; "" for a slot revoked by an emergency rotation. */
    rotatedDate: pulumi.Output<string>;
    /** A new number every time the slot's password is regenerated. */
    generation: pulumi.Output<number>;
}

const KNOWN_ARGS = {
    ...ROTATION_ARGS,
    length: true,
    lower: true,
    upper: true,
    numeric: true,
    special: true,
    constraints: true,
    limits: false,
} as const satisfies Record<keyof RotatingPasswordArgs, boolean>;

const GENERIC: ServiceConstraints = { service: "a generic password", minLength: 8, maxLength: 256 };

/** Default length of a generated password. */
export const PASSWORD_DEFAULT_LENGTH = 32;

/**
 * Two passwords in a ring: primary and previous. A later `rotatedDate` generates one new password into the new primary
 * slot; the old primary becomes previous, byte for byte, so an operator can roll back with a config change. After an
 * emergency rotation (`compromised`) the exposed password is no rollback target and `previous` is empty.
 */
export class RotatingPassword extends pulumi.ComponentResource {
    /** The ring's bookkeeping (dates, generations, settings, emergencies); never key material. */
    public readonly ledger: pulumi.Output<Ledger>;
    /** The passwords by slot; slot numbers never change, roles move around them. */
    public readonly slots: PasswordSlot[];
    /** The password in use. */
    public readonly primary: PasswordSlot;
    /** The password before the last rotation, for a rollback; "" after an emergency rotation. */
    public readonly previous: PasswordSlot;
    /** @internal the ring, for components built on this one. */
    public readonly ring: Ring;

    constructor(name: string, args: RotatingPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:ring:RotatingPassword", name, {}, opts);
        checkKnownArgs(args, KNOWN_ARGS, "RotatingPassword", args.configPath ?? name);
        const rules = resolveRules({ ...args, length: args.length ?? PASSWORD_DEFAULT_LENGTH });
        const constraints = args.constraints ?? GENERIC;
        const problems = ruleProblems(rules, constraints);
        if (problems.length > 0) {
            argError(configKey(args.configPath ?? name, problems[0].rule), problems[0].reason);
        }
        const { length, lower, upper, numeric, special } = rules;
        this.ring = new Ring(
            this,
            name,
            args,
            "password",
            { length, lower, upper, numeric, special },
            undefined,
            // The ledger refuses a password in use that the service no longer accepts (a change of engine can leave
            // it outside the rules): refused there, the run stops before anything takes the password.
            { ...args.limits, primaryConstraints: constraints },
        );
        this.ledger = this.ring.ledger;

        const passwords = this.ring.slots.map((slot) => {
            // The slot's recorded rules, not config's: a settings change alone must not regenerate a password.
            const rule = <U>(pick: (rules: ResolvedRules) => U) => this.ring.settingInput(slot, pick);
            return new random.RandomPassword(
                `${name}-slot${slot}`,
                {
                    length: rule((r) => r.length),
                    lower: rule((r) => r.lower),
                    upper: rule((r) => r.upper),
                    numeric: rule((r) => r.numeric),
                    // Always explicit: the provider's default special set includes '@', which RDS refuses.
                    special: rule((r) => r.special.length > 0),
                    overrideSpecial: rule((r) => (r.special.length > 0 ? r.special : undefined)),
                    minLower: rule((r) => (r.lower ? 1 : 0)),
                    minUpper: rule((r) => (r.upper ? 1 : 0)),
                    minNumeric: rule((r) => (r.numeric ? 1 : 0)),
                    minSpecial: rule((r) => (r.special.length > 0 ? 1 : 0)),
                    // The generation, not the date, drives replacement: after a rollback a date can come back.
                    keepers: { generation: this.ring.slotInput(slot, (record) => String(record.generation)) },
                },
                { parent: this, dependsOn: this.ring.resource, additionalSecretOutputs: ["result", "bcryptHash"] },
            );
        });
        this.slots = passwords.map((password, slot) =>
            lazy<PasswordSlot>({
                value: () => pulumi.secret(password.result),
                rotatedDate: () => this.ring.date(slot),
                generation: () => this.ring.generation(slot),
            }),
        );
        const revoked = { value: "", rotatedDate: "", generation: 0 };
        this.primary = this.ring.role("primary", this.slots, revoked, ["value"]);
        this.previous = this.ring.role("previous", this.slots, revoked, ["value"]);

        // The outputs are this object's fields. The checkpoint keeps none of them again: the ledger and every key
        // are in their own resources' state, and at hundreds of credentials each byte here is rewritten at every step.
        this.registerOutputs({});
    }
}
