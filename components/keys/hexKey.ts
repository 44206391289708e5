import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * A random key of `bytes` bytes, as hex digits drawn uniformly by the random provider: a RandomPassword over the 16 hex
 * digits with no minimum per character class, so every digit comes from the same 16. A RandomPassword, not a
 * RandomBytes or RandomId, whose resource id would be the key in clear in the checkpoint. Replaced when `generation`
 * changes.
 */
export function randomHexKey(
    name: string,
    bytes: pulumi.Input<number>,
    generation: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): random.RandomPassword {
    return new random.RandomPassword(
        name,
        {
            length: pulumi.output(bytes).apply((count) => count * 2),
            upper: false,
            lower: false,
            numeric: true,
            special: true,
            overrideSpecial: "abcdef",
            minNumeric: 0,
            minSpecial: 0,
            keepers: { generation },
        },
        opts,
    );
}
