// Runs the checks in order, retrying a failing one until the wait runs out (a stack that is still
// starting turns healthy), and skipping those whose prerequisites failed.
import { CHECKS } from "./catalog";
import { Check, Outcome, Target } from "./checks";
import { skip } from "./outcome";

export interface CheckResult extends Outcome {
    readonly id: string;
    readonly title: string;
}

export interface VerifyOptions {
    /** How long a failing check is retried before it is reported, in milliseconds. */
    readonly waitMs?: number;
    readonly intervalMs?: number;
    readonly checks?: Check[];
}

export async function verify(target: Target, options: VerifyOptions = {}): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const check of options.checks ?? CHECKS) {
        const unmet = check.needs.filter((id) => results.find((r) => r.id === id)?.status !== "pass");
        const outcome: Outcome =
            check.sampleWorkload && !target.sampleWorkload
                ? skip("no sample workload on this stack (external mode)")
                : unmet.length
                  ? skip(`needs ${unmet.join(", ")}`)
                  : await untilPass(() => check.run(target), options.waitMs ?? 0, options.intervalMs ?? 1000);
        results.push({ id: check.id, title: check.title, ...outcome });
    }
    return results;
}

async function untilPass(run: () => Promise<Outcome>, waitMs: number, intervalMs: number): Promise<Outcome> {
    const deadline = Date.now() + waitMs;
    for (;;) {
        const outcome = await run();
        if (outcome.status === "pass" || Date.now() + intervalMs > deadline) {
            return outcome;
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** The machine-readable form of a run (verify/result.schema.json). */
export function resultsJson(stack: string, results: CheckResult[]) {
    return {
        stack,
        passed: results.every((r) => r.status !== "fail"),
        counts: Object.fromEntries(
            (["pass", "warn", "fail", "skip"] as const).map((s) => [s, results.filter((r) => r.status === s).length]),
        ),
        checks: results,
    };
}

export function formatResults(results: CheckResult[]): string {
    const lines = results.flatMap((r) => [
        `${r.status.toUpperCase().padEnd(4)}  ${r.id.padEnd(16)} ${r.title}: ${r.evidence}`,
        ...(r.cause ? [`      cause: ${r.cause}`] : []),
        ...(r.fix ? [`      fix:   ${r.fix}`] : []),
    ]);
    const failed = results.filter((r) => r.status === "fail").length;
    return [...lines, failed ? `${failed} check(s) failed.` : "All checks passed."].join("\n");
}
