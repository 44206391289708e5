import * as pulumi from "@pulumi/pulumi";
import * as ledgerProvider from "./ring/ledgerProvider";

/**
 * Runs `build`, which declares resources (keyshift components and any others), and lets the engine see what it
 * declares only once `build` has returned (or the promise or thenable it returns has resolved). If it throws or
 * rejects, nothing it declared is registered, `declareAll` throws that same error, and the run fails.
 *
 * Why: every keyshift component checks its arguments as it is constructed, after the components before it have been
 * declared. Under `pulumi up` the preview stops the run at the bad value, but `pulumi up --skip-preview` (and the
 * Automation API's `up`) apply each resource as soon as it is registered, so the credentials declared before a bad
 * value would be rotated by a run that then fails. Wrap the declarations of the whole program in one `declareAll`, and
 * a bad value that a component refuses as it is constructed changes nothing.
 *
 * All or nothing, also when the program goes on: if the error is caught, or an async build is left floating, the run
 * waits for the build and still fails at the engine, before it deletes anything the program did not get to declare
 * (the engine reports a `keyshift:DeclareAllRefusal` resource whose `declareAll` property "has a problem": the
 * error's message); and a `declareAll` whose build caught the error of a nested one fails with that error too.
 *
 * Limits:
 * - It holds resources declared while `build` runs (for an async build, until its promise settles), except children
 *   of a resource created before the call: Pulumi hands a resource its transformations when it is created, so put
 *   such a parent inside `build` as well. Two calls release separately: make one call around everything.
 * - `build` must not wait for an output of a resource it declared (the resource is held until `build` ends): return
 *   the output instead. Such a build, like any that never settles, keeps the run waiting, with no message, until it
 *   is cancelled.
 * - Values checked later are not covered: a `rotatedDate` given as an Output (a secret from config, say), and a date
 *   only the credential's history can judge (earlier than its last rotation, too soon after it), are checked by the
 *   credential's ledger at the engine, which stops the run at the first refused ledger; an earlier credential's
 *   ledger may have moved by then, and its slots follow at the next run, as after an interruption. An error thrown in
 *   an `apply` after `build` returned is Pulumi's usual failed run.
 *
 * Outside a Pulumi stack (unit tests under `pulumi.runtime.setMocks` that construct components directly) there is
 * nothing to hold and it simply calls `build`.
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
    const stack = pulumi.runtime.getStackResource();
    if (!stack) {
        return build();
    }
    const open = openGates(stack);
    const gate = new Gate(open, stack);
    const fail = (error: unknown): never => {
        const reason = error instanceof Error ? error : new Error(String(error));
        for (const other of open) {
            other.poison ??= reason;
        }
        gate.refuse(reason);
        throw error;
    };
    const succeed = <V>(value: V): V => (gate.poison ? fail(gate.poison) : (gate.release(), value));
    let built: T;
    let then: unknown;
    try {
        built = build();
        then = (built as { then?: unknown } | undefined)?.then;
    } catch (error) {
        return fail(error);
    }
    if (typeof then === "function") {
        return Promise.resolve(built).then(succeed, fail) as T;
    }
    return succeed(built);
}

/**
 * The gates of one stack's declareAll calls whose build is running: every resource the stack declares meanwhile waits
 * for all of them. One set per root stack resource, so that each run of an Automation API program, and each of
 * several programs running at once in one process, holds only its own resources. (A failure cannot be kept to one of
 * several programs running at once: the Automation API's inline runs count any unhandled error in the process as an
 * error of every program running at that moment, a program that simply throws included.)
 */
const gatesByStack = new WeakMap<pulumi.Resource, Set<Gate>>();

function openGates(stack: pulumi.Resource): Set<Gate> {
    let open = gatesByStack.get(stack);
    if (!open) {
        const gates = (open = new Set<Gate>());
        gatesByStack.set(stack, gates);
        // A resource's explicit dependencies are awaited before its inputs when it registers: a refused gate stops
        // each one before it reads another's outputs. The dependency adds nothing to the state.
        pulumi.runtime.registerStackTransformation(({ type, props, opts }) => {
            if (gates.size === 0 || type === REFUSAL_TYPE) {
                return undefined;
            }
            const held = Promise.all([...gates].map((gate) => gate.held)).then(() => []);
            held.catch(() => undefined);
            return { props, opts: pulumi.mergeOptions(opts, { dependsOn: held }) };
        });
    }
    return open;
}

class Gate {
    /** Settled when the build ends: resolved, the held resources register; refused, they never do. */
    readonly held: Promise<pulumi.Resource[]>;
    /** The error of a nested declareAll whose failure this build caught: the build fails with it when it ends. */
    poison?: Error;
    private settle!: (error?: Error) => void;
    /** Keeps the program running until the build ends, even if nothing it declared is held yet (see refuse). */
    private readonly keepAlive = pulumi.runtime.rpcKeepAlive();

    constructor(
        private readonly open: Set<Gate>,
        private readonly stack: pulumi.Resource,
    ) {
        this.held = new Promise<pulumi.Resource[]>((resolve, reject) => {
            this.settle = (error) => (error ? reject(error) : resolve([]));
        });
        // A refused gate is reported by declareAll; the held registrations fail quietly with it.
        this.held.catch(() => undefined);
        open.add(this);
    }

    release(): void {
        this.open.delete(this);
        this.settle();
        this.keepAlive();
    }

    /**
     * Refuses the held registrations. If the program fails, the engine stops on its own; if it goes on (the error was
     * caught, or an async build was left floating), it would end normally, and the engine would delete every resource
     * of the stack the build had declared: a refusal record, which the engine always refuses, fails the run first.
     * It is registered while the runtime still waits for the build (the keep-alive) and the held registrations.
     */
    refuse(reason: Error): void {
        this.open.delete(this);
        // The root stack's data settles when the program function has returned (or failed).
        const data = (this.stack as unknown as { getData?(): Promise<unknown> }).getData;
        const program = typeof data === "function" ? data.call(this.stack) : Promise.resolve();
        program
            .then(
                () => {
                    new DeclarationRefusal(reason.message);
                },
                () => undefined,
            )
            .finally(() => {
                this.settle(reason);
                this.keepAlive();
            });
    }
}

const REFUSAL_TYPE = "pulumi-nodejs:dynamic/keyshift:DeclareAllRefusal";
let refusals = 0;

/** Never created: the ledger's provider refuses it at `check`, which stops the engine before any step. */
class DeclarationRefusal extends pulumi.dynamic.Resource {
    constructor(reason: string) {
        super(
            ledgerProvider,
            `declareAll-refused-${++refusals}`,
            { declareAll: "failed", reason },
            {},
            "keyshift",
            "DeclareAllRefusal",
        );
    }
}
