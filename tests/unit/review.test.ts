import * as assert from "assert";
import { Ledger, planRotation } from "../../components/ring/ring";
import { PreviewStep, reviewPreview } from "../../components/review/review";
import { formatReview } from "../../components/review/format";
import { stackStatus } from "../../components/review/status";
import { runReview, runStatus } from "../../components/cli/reviewCommands";
import { kidFromPublicKeyPem } from "../../components/jwks";
import { Harness, pemKeyPair, valueOf } from "./harness";
import { overdueRotation, writeOnlySecrets } from "../../components/policy/rules";
import { RdsPassword } from "../../components/aws/rdsPassword";
import { ElasticacheAuthToken } from "../../components/aws/elasticacheAuthToken";

// `keyshift review` and `keyshift status` on crafted documents: one for each unsafe case, built the way the engine
// writes them (tests/e2e/review.e2e.test.ts runs them on real previews).

const STACK = "urn:pulumi:prod::app::";
const LEDGER = "pulumi-nodejs:dynamic/keyshift:SlotLedger";

function urn(chain: string[], name: string): string {
    return `${STACK}${chain.join("$")}::${name}`;
}

const publicPem = () => pemKeyPair("P-256").publicKeyPem;

interface Fixture {
    component: string;
    ring: string;
    ledger: string;
    slot: (i: number) => string;
}

function password(name: string): Fixture {
    const component = urn(["keyshift:aws:RdsPassword"], name);
    const ring = urn(["keyshift:aws:RdsPassword", "keyshift:ring:RotatingPassword"], `${name}-password`);
    return {
        component,
        ring,
        ledger: urn(["keyshift:aws:RdsPassword", "keyshift:ring:RotatingPassword", LEDGER], `${name}-password-ledger`),
        slot: (i) =>
            urn(
                [
                    "keyshift:aws:RdsPassword",
                    "keyshift:ring:RotatingPassword",
                    "random:index/randomPassword:RandomPassword",
                ],
                `${name}-password-slot${i}`,
            ),
    };
}

const request = (label: string, rotatedDate: string, settings = { length: 32 }) => ({
    request: { rotatedDate, label, slotCount: 2, staged: 0, minRotationInterval: "1d", settings },
});

/** A preview of one RdsPassword moving from `before` to `after`, with the steps the engine would show. */
function rdsPreview(
    before: Ledger,
    after: Ledger,
    options: { replaced?: number[]; version?: [number, number]; name?: string } = {},
) {
    const f = password(options.name ?? "orders");
    const label = "keyshift:database.rotatedDate";
    const ledgerChanged = JSON.stringify(before) !== JSON.stringify(after);
    const steps: PreviewStep[] = [
        { op: "same", urn: f.component, newState: { urn: f.component, type: "keyshift:aws:RdsPassword" } },
        {
            op: "same",
            urn: f.ring,
            newState: { urn: f.ring, type: "keyshift:ring:RotatingPassword", parent: f.component },
        },
        {
            op: ledgerChanged ? "update" : "same",
            urn: f.ledger,
            oldState: {
                urn: f.ledger,
                type: LEDGER,
                parent: f.ring,
                inputs: { ...request(label, before.rotatedDate), ledger: before },
            },
            newState: {
                urn: f.ledger,
                type: LEDGER,
                parent: f.ring,
                inputs: { ...request(label, after.rotatedDate), ledger: after },
            },
        },
    ];
    for (const i of [0, 1]) {
        const state = { urn: f.slot(i), type: "random:index/randomPassword:RandomPassword", parent: f.ring };
        steps.push({
            op: options.replaced?.includes(i) ? "replace" : "same",
            urn: f.slot(i),
            oldState: state,
            newState: state,
        });
    }
    const instance = urn(["keyshift:aws:RdsPassword", "aws:rds/instance:Instance"], "orders-instance");
    const version = options.version ?? [before.slots[before.primary].generation, after.slots[after.primary].generation];
    steps.push({
        op: version[0] === version[1] ? "same" : "update",
        urn: instance,
        oldState: {
            urn: instance,
            type: "aws:rds/instance:Instance",
            parent: f.component,
            inputs: { passwordWoVersion: version[0] },
        },
        newState: {
            urn: instance,
            type: "aws:rds/instance:Instance",
            parent: f.component,
            inputs: { passwordWoVersion: version[1] },
        },
    });
    return { steps };
}

const shape = { slotCount: 2, staged: 0 as const };
const ask = (date: string, extra: object = {}) => ({
    ...shape,
    rotatedDate: date,
    minRotationInterval: "1d",
    label: "keyshift:database.rotatedDate",
    settings: { length: 32 },
    ...extra,
});
const d1 = planRotation(undefined, ask("2026-01-01")).ledger;
const d2 = planRotation(d1, ask("2026-02-01")).ledger;

describe("keyshift review", () => {
    it("describes a routine rotation: the move, the dates, the regenerated slot and its role, and calls it safe", () => {
        const preview = rdsPreview(d1, d2, { replaced: [1] });
        const review = reviewPreview(preview);
        assert.strictEqual(review.safe, true, JSON.stringify(review));
        // `pulumi preview --json` leaves out what does not change (the components): the same review without them.
        assert.deepStrictEqual(reviewPreview({ steps: preview.steps.filter((step) => step.op !== "same") }), review);
        const [db] = review.credentials;
        assert.deepStrictEqual(
            [db.name, db.kind, db.configPath, db.move, db.dateBefore, db.dateAfter, db.regenerated],
            [
                "orders",
                "password",
                "keyshift:database",
                "routine rotation",
                "2026-01-01",
                "2026-02-01",
                [{ slot: 1, role: "primary" }],
            ],
        );
    });

    it("names rollbacks, emergencies and deferred settings changes", () => {
        const rollback = planRotation(d2, ask("2026-01-01")).ledger;
        assert.strictEqual(reviewPreview(rdsPreview(d2, rollback)).credentials[0].move, "rollback");
        const emergency = planRotation(d2, ask("2026-02-02", { compromised: true })).ledger;
        assert.strictEqual(
            reviewPreview(rdsPreview(d2, emergency, { replaced: [0] })).credentials[0].move,
            "emergency rotation",
        );
        const preview = rdsPreview(d2, d2);
        (preview.steps[2].newState!.inputs!.request as { settings: object }).settings = { length: 48 };
        assert.strictEqual(reviewPreview(preview).credentials[0].move, "settings change deferred to the next rotation");
    });

    it("reads a slot generated for a generation the ledger already records as completing an interrupted rotation", () => {
        // A run moved the ledger to d2 and stopped before slot 1's new password: the next preview generates it.
        const recorded = d2.slots[1].generation;
        const catchUp = (old: { keepers: { generation: string } } | { replacementTrigger: number }) => {
            // The killed run left the instance at the old version: the completing run sends the new password with its own.
            const preview = rdsPreview(d2, d2, { replaced: [1], version: [recorded - 1, recorded] });
            const step = preview.steps.find((s) => s.urn.endsWith("-slot1"))!;
            const at = (state: object) => ({ ...step.newState!, ...state });
            const keepers = "keepers" in old;
            step.oldState = keepers ? at({ inputs: old }) : at(old);
            step.newState = keepers
                ? at({ inputs: { keepers: { generation: String(recorded) } } })
                : at({ replacementTrigger: recorded });
            return reviewPreview(preview);
        };
        for (const old of [{ keepers: { generation: String(recorded - 1) } }, { replacementTrigger: recorded - 1 }]) {
            const review = catchUp(old);
            assert.deepStrictEqual(
                [
                    review.safe,
                    review.credentials[0].move,
                    review.credentials[0].completes,
                    review.credentials[0].regenerated,
                ],
                [
                    true,
                    "completion of an interrupted rotation",
                    [{ slot: 1, generation: recorded, date: d2.slots[1].date }],
                    [],
                ],
            );
            assert.match(
                formatReview(review, "text"),
                new RegExp(
                    `completes: slot 1, generation ${recorded} for ${d2.slots[1].date}, which an earlier run recorded`,
                ),
            );
        }
        // Without --show-sames the unchanged ledger is not in the preview: the slot cannot be judged.
        const bare = rdsPreview(d2, d2, { replaced: [1] });
        bare.steps = bare.steps.filter((step) => !step.urn.endsWith("-ledger"));
        assert.deepStrictEqual(reviewPreview(bare).unsafe, [
            "replace random:index/randomPassword:RandomPassword orders-password-slot1: a credential slot whose ledger is not in the preview; run pulumi preview --json --show-sames",
        ]);
        // Moving on before the interrupted rotation is applied: the late slot and a new one in the same run.
        const movedOn = planRotation(d2, ask("2026-03-01")).ledger;
        const both = rdsPreview(d2, movedOn, { replaced: [0, 1] });
        const late = both.steps.find((s) => s.urn.endsWith("-slot1"))!;
        late.oldState = { ...late.newState!, inputs: { keepers: { generation: String(recorded - 1) } } };
        late.newState = { ...late.newState!, inputs: { keepers: { generation: String(recorded) } } };
        const regenerated = both.steps.find((s) => s.urn.endsWith("-slot0"))!;
        regenerated.newState = {
            ...regenerated.newState!,
            inputs: { keepers: { generation: String(movedOn.slots[0].generation) } },
        };
        const review = reviewPreview(both);
        assert.strictEqual(review.safe, false);
        assert.ok(
            review.credentials[0].unsafe.includes(
                `completes slot 1 of an interrupted rotation to ${d2.slots[1].date} and moves on in the same run: apply that rotation first (rotatedDate ${d2.slots[1].date}), then the new date`,
            ),
            JSON.stringify(review.credentials[0]),
        );
        // A step keyshift does not know is never called safe.
        const odd = rdsPreview(d1, d2, { replaced: [1] });
        odd.steps.push({ op: "DELETE", urn: odd.steps[0].urn.replace(/::[^:]+$/, "::other") });
        assert.deepStrictEqual(reviewPreview(odd).unsafe, ["DELETE other: a step keyshift review does not know"]);
        // Two rotations behind: both slots complete at once, and the password in use goes.
        const both2 = rdsPreview(d2, d2, { replaced: [0, 1], version: [0, d2.slots[d2.primary].generation] });
        for (const slot of [0, 1]) {
            const step = both2.steps.find((s) => s.urn.endsWith(`-slot${slot}`))!;
            const generation = d2.slots[slot].generation;
            step.oldState = { ...step.newState!, inputs: { keepers: { generation: String(generation - 1) } } };
            step.newState = { ...step.newState!, inputs: { keepers: { generation: String(generation) } } };
        }
        assert.ok(
            reviewPreview(both2).credentials[0].unsafe.includes(
                "completes 2 slots at once: the ring is more than one rotation behind its ledger, and a key in use is replaced",
            ),
        );
        // A slot already at the recorded generation, replaced all the same: nothing explains it.
        assert.ok(
            catchUp({ keepers: { generation: String(recorded) } }).credentials[0].unsafe.includes(
                "regenerates slot 1 without a ledger move",
            ),
        );
    });

    it("exits 2 on a ledger it cannot read, in one line", () => {
        const preview = rdsPreview(d1, d2, { replaced: [1] });
        preview.steps[2].newState!.inputs!.ledger = { primary: 3, slots: [] };
        const lines: string[] = [];
        assert.strictEqual(runReview([], { out: (t) => lines.push(t), readStdin: () => JSON.stringify(preview) }), 2);
        assert.deepStrictEqual(
            lines.map((line) => line.split(": ").slice(0, 2).join(": ")),
            ["error: the preview cannot be reviewed"],
        );
    });

    it("gives a step to its most specific credential: db-ro's slots are not db's", () => {
        const quiet = rdsPreview(d2, d2, { name: "db" });
        const bumped = rdsPreview(d1, d2, { name: "db-ro", replaced: [1] });
        const review = reviewPreview({ steps: [...quiet.steps.slice(0, 3), ...bumped.steps.slice(0, 5)] });
        assert.deepStrictEqual(
            [review.safe, review.unsafe, review.credentials.map((c) => [c.name, c.move, c.unsafe])],
            [
                true,
                [],
                [
                    ["db", "no change", []],
                    ["db-ro", "routine rotation", []],
                ],
            ],
        );
    });

    it("flags each unsafe case in one line", () => {
        const unsafe = (preview: { steps: PreviewStep[] }) => reviewPreview(preview).credentials[0].unsafe;
        assert.deepStrictEqual(unsafe(rdsPreview(d1, d2, { replaced: [0, 1] })), [
            "regenerates slot 0 without a ledger move",
            "regenerates 2 slots in one routine rotation",
        ]);
        assert.deepStrictEqual(unsafe(rdsPreview(d2, d2, { replaced: [1] })), [
            "regenerates slot 1 without a ledger move",
        ]);
        const emergency = planRotation(d2, ask("2026-02-02", { compromised: true })).ledger;
        assert.ok(
            unsafe(rdsPreview(d2, emergency, { replaced: [0, 1] })).includes(
                "regenerates 2 slots in one emergency rotation",
            ),
        );
        const replacedLedger = rdsPreview(d1, d2, { replaced: [1] });
        replacedLedger.steps[2].op = "replace";
        assert.ok(unsafe(replacedLedger).includes("replaces its ledger, the record of which keys are in use"));
        assert.deepStrictEqual(unsafe(rdsPreview(d1, d2, { replaced: [1], version: [1, 1] })), [
            "orders-instance: the password in use changes but passwordWoVersion does not, so the service keeps the old one",
        ]);
        // Anything but a slot replaced or deleted: the database itself.
        const preview = rdsPreview(d1, d2, { replaced: [1] });
        preview.steps[preview.steps.length - 1].op = "replace";
        assert.match(
            unsafe(preview).join("\n"),
            /replace aws:rds\/instance:Instance orders-instance: not a credential slot/,
        );
        // A preview keyshift cannot read.
        const unknown = rdsPreview(d1, d2);
        delete unknown.steps[2].newState!.inputs!.ledger;
        assert.match(unsafe(unknown)[0], /could not be understood/);
        // Outside any credential.
        const bucket = `${STACK}aws:s3/bucket:Bucket::logs`;
        const other = reviewPreview({
            steps: [{ op: "delete", urn: bucket, oldState: { urn: bucket, type: "aws:s3/bucket:Bucket" } }],
        });
        assert.deepStrictEqual(
            [other.safe, other.unsafe],
            [false, ["delete aws:s3/bucket:Bucket logs: not a credential slot"]],
        );
    });

    it("for a signer, gives the trusted set before and after by kid and the signing key, and flags a trusted key dropped early", () => {
        const component = urn(["keyshift:k8s:ServiceAccountSigningKeys"], "sa");
        const ring = urn(["keyshift:k8s:ServiceAccountSigningKeys", "keyshift:ring:RotatingKeyPair"], "sa-keys");
        const ledger = urn(
            ["keyshift:k8s:ServiceAccountSigningKeys", "keyshift:ring:RotatingKeyPair", LEDGER],
            "sa-keys-ledger",
        );
        const keyUrn = (i: number) =>
            urn(
                [
                    "keyshift:k8s:ServiceAccountSigningKeys",
                    "keyshift:ring:RotatingKeyPair",
                    "tls:index/privateKey:PrivateKey",
                ],
                `sa-keys-slot${i}`,
            );
        const pems = [publicPem(), publicPem(), publicPem()];
        const kids = pems.map(kidFromPublicKeyPem);
        const signerAsk = (date: string, extra: object = {}) => ({
            ...ask(date, extra),
            slotCount: 3,
            staged: 1 as const,
            settings: {},
        });
        const before = planRotation(undefined, signerAsk("2026-01-01")).ledger;
        const preview = (after: Ledger, replaced: number[]) => ({
            steps: [
                {
                    op: "same",
                    urn: component,
                    newState: { urn: component, type: "keyshift:k8s:ServiceAccountSigningKeys" },
                },
                {
                    op: "same",
                    urn: ring,
                    newState: { urn: ring, type: "keyshift:ring:RotatingKeyPair", parent: component },
                },
                {
                    op: "update",
                    urn: ledger,
                    oldState: {
                        urn: ledger,
                        type: LEDGER,
                        parent: ring,
                        inputs: { request: { label: "keyshift:signingKeys.rotatedDate" }, ledger: before },
                    },
                    newState: {
                        urn: ledger,
                        type: LEDGER,
                        parent: ring,
                        inputs: { request: { label: "keyshift:signingKeys.rotatedDate" }, ledger: after },
                    },
                },
                ...[0, 1, 2].map((i) => {
                    const old = {
                        urn: keyUrn(i),
                        type: "tls:index/privateKey:PrivateKey",
                        parent: ring,
                        outputs: { publicKeyPem: pems[i] },
                    };
                    return replaced.includes(i)
                        ? { op: "replace", urn: keyUrn(i), oldState: old, newState: { ...old, outputs: {} } }
                        : { op: "same", urn: keyUrn(i), oldState: old, newState: old };
                }),
            ],
        });
        // Slot 0 is primary, 2 previous, 1 next; a bump signs with slot 1 and regenerates slot 2.
        const bumped = planRotation(before, signerAsk("2026-02-01")).ledger;
        const [routine] = reviewPreview(preview(bumped, [2])).credentials;
        assert.deepStrictEqual(
            [routine.kind, routine.trustedBefore, routine.trustedAfter, routine.signs, routine.unsafe],
            ["signer", [kids[0], kids[2], kids[1]], [kids[1], kids[0], "(new key)"], kids[1], []],
        );
        // A ledger that regenerates the staged key instead drops a key that was trusted but never signed.
        const wrong = {
            ...bumped,
            slots: bumped.slots.map((s, i) => (i === 1 ? { ...s, generation: 9 } : i === 2 ? before.slots[2] : s)),
        };
        const [early] = reviewPreview(preview(wrong, [1])).credentials;
        assert.ok(
            early.unsafe.includes(`drops trusted key ${kids[1]}, which was not the previous key`),
            early.unsafe.join("\n"),
        );
    });

    it("flags a credential rotated longer ago than --max-age allows", () => {
        const review = reviewPreview(rdsPreview(d2, d2), {
            maxAge: { password: 30 * 86_400_000 },
            now: Date.UTC(2026, 3, 1),
        });
        assert.deepStrictEqual(
            [review.safe, review.credentials[0].overdue],
            [false, "rotated 2026-02-01, more than 30 days ago"],
        );
    });

    it("exits 0 safe, 1 unsafe or overdue, 2 on bad usage or input, each failure one line", () => {
        const lines: string[] = [];
        const io = (input: string) => ({ out: (text: string) => lines.push(text), readStdin: () => input });
        assert.strictEqual(runReview([], io(JSON.stringify(rdsPreview(d1, d2, { replaced: [1] })))), 0);
        assert.strictEqual(
            runReview(["--format", "markdown"], io(JSON.stringify(rdsPreview(d1, d2, { replaced: [0, 1] })))),
            1,
        );
        assert.match(lines.pop()!, /^### keyshift review: UNSAFE: 1 credential, 1 with changes\n\n\| credential \|/);
        lines.length = 0;
        assert.strictEqual(runReview([], io("not json")), 2);
        assert.strictEqual(runReview(["--max-age", "signer=ninety"], io("{}")), 2);
        assert.strictEqual(runReview(["--format", "yaml"], io("{}")), 2);
        assert.strictEqual(runReview(["a.json", "b.json"], io("{}")), 2);
        assert.strictEqual(runStatus([], io('{"steps": []}')), 2);
        // A failed preview, or a document with no steps, is never reviewed as safe.
        const failed = { ...rdsPreview(d1, d2), diagnostics: [{ severity: "error", message: "refused" }] };
        assert.strictEqual(runReview([], io(JSON.stringify(failed))), 2);
        assert.strictEqual(runReview([], io("{}")), 2);
        assert.strictEqual(runReview([], io('{"steps": [null]}')), 2);
        assert.strictEqual(runReview([], io('{"steps": [{}]}')), 2);
        assert.deepStrictEqual(lines, [
            "error: standard input is not the output of pulumi preview --json (not JSON)",
            'error: --max-age: "signer=ninety" is not kind=duration (kinds signer, password, token, encryption, ca, certificate, ipsec, accessKey; durations such as 90d)',
            'error: --format: "yaml" is not text, markdown or json',
            "error: usage: keyshift review [preview.json | -] [--max-age signer=90d,password=30d,token=30d,encryption=90d] [--format text|markdown|json] [--now DATE]",
            "error: the input is not the output of pulumi stack export (no deployment.resources)",
            "error: the preview failed with 1 error: there is no plan to review\n  refused",
            "error: the input is not the output of pulumi preview --json (no steps list)",
            "error: the input is not the output of pulumi preview --json (step 0 has no op or urn)",
            "error: the input is not the output of pulumi preview --json (step 0 has no op or urn)",
        ]);
    });
});

describe("keyshift status", () => {
    it("lists each credential's slots by role with dates and generations, its age, and flags it overdue", () => {
        const f = password("orders");
        const exported = {
            deployment: {
                resources: [
                    { urn: f.component, type: "keyshift:aws:RdsPassword" },
                    { urn: f.ring, type: "keyshift:ring:RotatingPassword", parent: f.component },
                    {
                        urn: f.ledger,
                        type: LEDGER,
                        parent: f.ring,
                        inputs: request("keyshift:database.rotatedDate", "2026-02-01"),
                        outputs: { ledger: d2 },
                    },
                ],
            },
        };
        const status = stackStatus(exported, { maxAge: { password: 30 * 86_400_000 }, now: Date.UTC(2026, 3, 1) });
        assert.deepStrictEqual(status.credentials[0].slots, [
            { slot: 1, role: "primary", date: "2026-02-01", generation: 3, kid: undefined },
            { slot: 0, role: "previous", date: "2026-01-01", generation: 1, kid: undefined },
        ]);
        assert.deepStrictEqual([status.credentials[0].ageDays, status.overdue], [59, true]);
        const lines: string[] = [];
        assert.strictEqual(
            runStatus(["--max-age", "password=90d", "--now", "2026-04-01"], {
                out: (t) => lines.push(t),
                readStdin: () => JSON.stringify(exported),
            }),
            0,
        );
        assert.match(
            lines[0],
            /^credential +kind +config +role +rotated +generation +kid +age\norders +password +keyshift:database +primary +2026-02-01 +3 +59d/,
        );
    });
});

describe("the policy pack's checks", () => {
    it("keyshift-write-only-secrets passes what keyshift declares and flags a missing version or a plaintext twin", async () => {
        const harness = new Harness();
        await harness.newRun();
        const db = new RdsPassword("orders", {
            rotatedDate: "2026-01-01",
            engine: "postgres",
            username: "app",
            instance: { instanceClass: "db.t4g.micro" },
        });
        const cache = new ElasticacheAuthToken("sessions", {
            rotatedDate: "2026-01-01",
            replicationGroup: { description: "s", transitEncryptionEnabled: true, engineVersion: "7.1" },
        });
        await Promise.all([valueOf(db.instance!.id), valueOf(cache.replicationGroup.id)]);
        const declared = [
            ...harness.byType("aws:rds/instance:Instance"),
            ...harness.byType("aws:elasticache/replicationGroup:ReplicationGroup"),
        ];
        const asPolicySees = (r: (typeof declared)[number]) => ({
            type: r.type,
            urn: `${STACK}${r.type}::${r.name}`,
            props: r.inputs,
        });
        assert.deepStrictEqual(
            declared.map(asPolicySees).map((r) => writeOnlySecrets(r)),
            [undefined, undefined],
        );

        const [instance, group] = declared.map(asPolicySees);
        const noVersion = { ...instance.props };
        delete noVersion.passwordWoVersion;
        assert.strictEqual(
            writeOnlySecrets({ ...instance, props: noVersion }),
            "orders-instance: passwordWo is set without passwordWoVersion, so a new value would never be sent",
        );
        assert.strictEqual(
            writeOnlySecrets({ ...group, props: { ...group.props, authToken: "plain" } }),
            "sessions-group: authToken is set beside authTokenWo: it is stored in state and bypasses the ring; remove it",
        );
    });

    it("keyshift-rotation-overdue reads the kind from the ledger's ancestors", () => {
        const ledger = password("orders").ledger;
        const props = { ...request("keyshift:database.rotatedDate", "2026-02-01"), ledger: d2 };
        const check = (maxAge: object) =>
            overdueRotation({ type: LEDGER, urn: ledger, props }, { maxAge }, Date.UTC(2026, 3, 1));
        assert.strictEqual(check({ signer: "30d" }), undefined, "a password is not a signer");
        assert.strictEqual(
            check({ password: "30d" }),
            "keyshift:database: the password was last rotated on 2026-02-01, more than 30d ago: set a later rotatedDate",
        );
        assert.strictEqual(check({ password: "90d" }), undefined);
    });
});

describe("keyshift review of encryption keys", () => {
    const component = urn(["keyshift:k8s:EncryptionConfigKeys"], "etcd");
    const ledgerUrn = urn(["keyshift:k8s:EncryptionConfigKeys", LEDGER], "etcd-ledger");
    const slotUrn = (i: number) =>
        urn(["keyshift:k8s:EncryptionConfigKeys", "random:index/randomPassword:RandomPassword"], `etcd-slot${i}`);
    const ask = (rotatedDate: string, rewrite: { rewrittenDate?: string; dropUnrewrittenKey?: boolean } = {}) => ({
        rotatedDate,
        label: "keyshift:encryption.rotatedDate",
        slotCount: 3,
        staged: 1 as const,
        minRotationInterval: "7d",
        settings: { provider: "secretbox" },
        rewrite,
    });
    const preview = (before: Ledger, after: Ledger, regenerated: number): PreviewStep[] => [
        { op: "same", urn: component, newState: { urn: component, type: "keyshift:k8s:EncryptionConfigKeys" } },
        {
            op: "update",
            urn: ledgerUrn,
            oldState: { urn: ledgerUrn, type: LEDGER, parent: component, inputs: { request: {}, ledger: before } },
            newState: { urn: ledgerUrn, type: LEDGER, parent: component, inputs: { request: {}, ledger: after } },
        },
        {
            op: "replace",
            urn: slotUrn(regenerated),
            oldState: {
                urn: slotUrn(regenerated),
                type: "random:index/randomPassword:RandomPassword",
                parent: component,
            },
            newState: {
                urn: slotUrn(regenerated),
                type: "random:index/randomPassword:RandomPassword",
                parent: component,
            },
        },
    ];
    const d1 = planRotation(undefined, ask("2026-01-01")).ledger;
    const d2 = planRotation(d1, ask("2026-02-01")).ledger;

    it("names the file's keys before and after and the key that writes", () => {
        const review = reviewPreview({ steps: preview(d1, d2, 2) });
        const [etcd] = review.credentials;
        assert.deepStrictEqual(
            [etcd.kind, etcd.move, etcd.keysBefore, etcd.keysAfter, etcd.writes, etcd.unsafe, review.safe],
            [
                "encryption",
                "routine rotation",
                ["key-1", "key-3", "key-2"],
                ["key-2", "key-1", "key-4"],
                "key-2",
                [],
                true,
            ],
        );
    });

    it("flags a key dropped while it holds unrewritten data, and not once a rewrite is recorded", () => {
        const dropped = planRotation(d2, ask("2026-03-01", { dropUnrewrittenKey: true })).ledger;
        const review = reviewPreview({ steps: preview(d2, dropped, 0) });
        assert.strictEqual(review.safe, false);
        assert.deepStrictEqual(review.credentials[0].unsafe, [
            "drops key-1, which holds data no recorded rewrite has moved: what only it decrypts becomes unreadable",
        ]);
        const rewritten = planRotation(d2, ask("2026-03-01", { rewrittenDate: "2026-02-05" })).ledger;
        assert.deepStrictEqual(reviewPreview({ steps: preview(d2, rewritten, 0) }).credentials[0].unsafe, []);
    });
});
