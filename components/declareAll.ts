import * as pulumi from "@pulumi/pulumi";

/**
 * Runs `build`, which declares resources (keyshift components and any others), and lets the engine see them only once
 * `build` has returned (or its promise has resolved). If it throws (or its promise rejects), no resource declared in
 * the stack from then on is registered: each fails with that same error, and `declareAll` throws it.
 *
 * Why: every keyshift component checks its arguments as it is constructed, after the components before it have been
 * declared. Under `pulumi up` the preview stops the run at the bad value, but `pulumi up --skip-preview` (and the
 * Automation API's `up`) apply each resource as soon as it is registered, so the credentials declared before a bad
 * value would be rotated by a run that then fails. Wrap the declarations of the whole program in `declareAll`, and a
 * bad value anywhere changes nothing.
 *
 * It holds every resource the stack declares from the call on, through a stack transformation that adds a dependency
 * on a promise settled when `build` ends; that dependency adds nothing to the state. Outside a Pulumi stack (unit
 * tests under `pulumi.runtime.setMocks` that construct components directly) there is nothing to hold and it simply
 * calls `build`.
 *
 * @example
 * const config = new pulumi.Config();
 * export = keyshift.declareAll(() => {
 *     const db = new keyshift.RotatingPassword("database", { rotatedDate: config.require("databaseRotatedDate") });
 *     const signer = new keyshift.RotatingKeyPair("signer", { rotatedDate: config.require("signerRotatedDate") });
 *     return { password: db.primary.value, kid: signer.primary.kid };
 * });
 */
export function declareAll<T>(build: () => T): T {
    if (!pulumi.runtime.getStackResource()) {
        return build();
    }
    let release: (value: pulumi.Resource[]) => void = () => undefined;
    let refuse: (error: unknown) => void = () => undefined;
    const gate = new Promise<pulumi.Resource[]>((resolve, reject) => ([release, refuse] = [resolve, reject]));
    // A refused gate is reported by `declareAll` itself; the held registrations fail quietly with it.
    gate.catch(() => undefined);
    // A resource's explicit dependencies are awaited before its inputs when it registers: a refused gate stops each
    // one before it reads another's outputs.
    pulumi.runtime.registerStackTransformation(({ props, opts }) => ({
        props,
        opts: pulumi.mergeOptions(opts, { dependsOn: gate }),
    }));
    const fail = (error: unknown): never => {
        refuse(error);
        throw error;
    };
    let built: T;
    try {
        built = build();
    } catch (error) {
        return fail(error);
    }
    if (built instanceof Promise) {
        return built.then(
            (value) => (release([]), value),
            (error) => fail(error),
        ) as T;
    }
    release([]);
    return built;
}
