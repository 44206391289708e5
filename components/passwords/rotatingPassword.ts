import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Ledger } from "../ring/ring";
import { Ring, RotationArgs, createRing } from "../ring/slots";
import { argError } from "../validation";
import { CharacterRules, ServiceConstraints, resolveRules, ruleProblems } from "./rules";

/** Arguments of a RotatingPassword. */
export interface RotatingPasswordArgs extends RotationArgs, Partial<CharacterRules> {
    /**
     * What the consuming service accepts; lengths and characters outside it are refused at preview. Defaults to
     * 8 to 256 printable characters.
     */
    constraints?: ServiceConstraints;
    /**
     * How the config names the rules' parent, for error paths (for example `keyshift:database`). Defaults to
     * `configPath` without its `.rotatedDate`, else the component's name.
     */
    rulesPath?: string;
}

/** One slot's password, or the password holding a role. */
export interface PasswordSlot {
    /** The password; always a secret. */
    value: pulumi.Output<string>;
    /** The config date the password was generated for. */
    rotatedDate: pulumi.Output<string>;
    /** A new number every time the slot's password is regenerated. */
    generation: pulumi.Output<number>;
}

const GENERIC: ServiceConstraints = { service: "a generic password", minLength: 8, maxLength: 256 };

/** Default length of a generated password. */
export const PASSWORD_DEFAULT_LENGTH = 32;
/** Default least time between two rotations of a password. */
export const PASSWORD_DEFAULT_INTERVAL = "1d";

/**
 * Two passwords in a ring: primary and previous. A later `rotatedDate` generates one new password into the new primary
 * slot; the old primary becomes previous, byte for byte, so an operator can roll back with a config change.
 */
export class RotatingPassword extends pulumi.ComponentResource {
    public readonly ledger: pulumi.Output<Ledger>;
    public readonly slots: PasswordSlot[];
    public readonly primary: PasswordSlot;
    public readonly previous: PasswordSlot;
    /** @internal the ring, for components built on this one. */
    public readonly ring: Ring;

    constructor(name: string, args: RotatingPasswordArgs, opts?: pulumi.ComponentResourceOptions) {
        super("keyshift:ring:RotatingPassword", name, {}, opts);
        const rules = resolveRules({ ...args, length: args.length ?? PASSWORD_DEFAULT_LENGTH });
        const problems = ruleProblems(rules, args.constraints ?? GENERIC);
        if (problems.length > 0) {
            const rulesPath = args.rulesPath ?? args.configPath?.replace(/\.rotatedDate$/, "") ?? name;
            argError(`${rulesPath}.${problems[0].rule}`, problems[0].reason);
        }
        this.ring = createRing(this, name, args, {
            slotCount: 2,
            staged: 0,
            defaultInterval: PASSWORD_DEFAULT_INTERVAL,
        });
        this.ledger = this.ring.ledger;

        const passwords = [0, 1].map(
            (slot) =>
                new random.RandomPassword(
                    `${name}-slot${slot}`,
                    {
                        length: rules.length,
                        lower: rules.lower,
                        upper: rules.upper,
                        numeric: rules.numeric,
                        // Always explicit: the provider's default special set includes '@', which RDS refuses.
                        special: rules.special.length > 0,
                        overrideSpecial: rules.special.length > 0 ? rules.special : undefined,
                        minLower: rules.lower ? 1 : 0,
                        minUpper: rules.upper ? 1 : 0,
                        minNumeric: rules.numeric ? 1 : 0,
                        minSpecial: rules.special.length > 0 ? 1 : 0,
                        // The generation, not the date, drives replacement: after a rollback a date can come back.
                        keepers: { generation: this.ring.generation(slot).apply(String) },
                    },
                    { parent: this, additionalSecretOutputs: ["result", "bcryptHash"] },
                ),
        );
        this.slots = passwords.map((password, slot) => ({
            value: pulumi.secret(password.result),
            rotatedDate: this.ring.slotDate(slot),
            generation: this.ring.generation(slot),
        }));
        this.primary = this.slotWithRole("primary");
        this.previous = this.slotWithRole("previous");

        this.registerOutputs({ ledger: this.ledger, primary: this.primary, previous: this.previous });
    }

    private slotWithRole(role: "primary" | "previous"): PasswordSlot {
        return {
            value: pulumi.secret(
                this.ring.pick(
                    role,
                    this.slots.map((slot) => slot.value),
                ),
            ),
            rotatedDate: this.ring.pick(
                role,
                this.slots.map((slot) => slot.rotatedDate),
            ),
            generation: this.ring.pick(
                role,
                this.slots.map((slot) => slot.generation),
            ),
        };
    }
}
