// Runs the checks in order and reports each as it completes. Under --wait a failure that waiting
// can heal is retried until the run's deadline; a check whose prerequisites failed is skipped. The
// checks share one view of the cluster (clusterView.ts), which reads each thing once, a bounded
// number at a time, and stops reading at the run's deadline: --wait plus READ_BUDGET_MS.
import { CHECKS } from "./catalog";
import { Denied } from "./clients";
import { createClusterView } from "./clusterView";
import { clusterFix, clusterTitle } from "./clusterWording";
import { fail, skip } from "./outcome";
import { createProbe } from "./probe";
import { Check, CheckResult, Outcome, RunContext, Target } from "./types";
import { ClusterView } from "./viewTypes";

export type { CheckResult } from "./types";

/** How long a run reads the cluster beyond --wait: a read not answered by then is named as not read. */
export const READ_BUDGET_MS = 300_000;

export interface RunSettings {
    /** How long the whole run may wait for failures that heal, in milliseconds. */
    readonly waitMs?: number;
    /** Requests in flight at once (--concurrency). */
    readonly concurrency?: number;
}

/** The view of the cluster for a run starting now. */
export function runView(target: Target, settings: RunSettings = {}): ClusterView {
    return createClusterView(target, {
        concurrency: settings.concurrency,
        deadline: Date.now() + (settings.waitMs ?? 0) + READ_BUDGET_MS,
    });
}

export interface VerifyOptions extends RunSettings {
    /** The run's view, when reads were made before the run (the cluster's discovery). */
    readonly view?: ClusterView;
    readonly intervalMs?: number;
    readonly checks?: Check[];
    /** Called with each check's result as soon as it is known. */
    readonly onResult?: (result: CheckResult) => void;
    /** Called before a slow step of a check (the probe job), with what it is doing. */
    readonly onProgress?: (checkId: string, message: string) => void;
}

export async function verify(target: Target, options: VerifyOptions = {}): Promise<CheckResult[]> {
    const deadline = Date.now() + (options.waitMs ?? 0);
    const results: CheckResult[] = [];
    let current = "";
    const view = options.view ?? runView(target, options);
    const context: RunContext = {
        probe: target.probe && createProbe(target, target.probe, (message) => options.onProgress?.(current, message)),
        view,
    };
    const applicable = (options.checks ?? CHECKS).filter(
        (check) =>
            (!check.sampleWorkload || target.sampleWorkload) &&
            (!check.forJob || target.job) &&
            (!check.withoutDeclaredState || !target.declaredRole),
    );
    for (const check of applicable) {
        current = check.id;
        const status = (id: string) => results.find((r) => r.id === id)?.status;
        const unmet = check.needs.filter((id) => status(id) !== "pass");
        const outcome = unmet.length
            ? skip(`needs ${unmet.join(", ")}`, neededRun(results, unmet))
            : await untilSettled(() => guarded(check, target, context), deadline, options.intervalMs ?? 1000, view);
        const cluster = target.source === "cluster";
        const said = (text?: string) => (text && cluster ? clusterFix(text) : text);
        const { heals: _heals, ...shown } = {
            ...outcome,
            ...(outcome.fix ? { fix: said(outcome.fix) } : {}),
            ...(outcome.runWith ? { runWith: said(outcome.runWith) } : {}),
        };
        const result = { id: check.id, title: cluster ? clusterTitle(check.title) : check.title, ...shown };
        results.push(result);
        options.onResult?.(result);
    }
    return results;
}

/** What would run the checks a skipped check needs: nothing when one of them failed, which no option mends. */
function neededRun(results: CheckResult[], unmet: string[]): string | undefined {
    const needed = results.filter((r) => unmet.includes(r.id));
    return needed.every((r) => r.status === "skip" && r.runWith) ? [...new Set(needed.map((r) => r.runWith))].join(" and ") : undefined;
}

/** A check's run, with any exception turned into its failure: one check's error never ends the run. */
async function guarded(check: Check, target: Target, context: RunContext): Promise<Outcome> {
    try {
        return await check.run(target, context);
    } catch (err) {
        if (err instanceof Denied && err.api === "Nomad" && !target.nomadToken) {
            return skip(`no Nomad token to read ${err.path} with`, "NOMAD_TOKEN=<a token with verify's Nomad policy, docs/verify.md>");
        }
        if (err instanceof Denied) {
            return fail(
                `${err.api} refuses verify's token: it lacks ${err.capability} on ${err.path}`,
                `This check needs ${err.capability} on ${err.path}, which verify's token does not have (or the token is not valid).`,
                `Grant it (docs/verify.md has the minimal ${err.api} policy for verify), or run with a token that has it.`,
            );
        }
        return fail(
            `verify could not complete this check: ${(err as Error).message ?? String(err)}`,
            "An unexpected answer or error while checking; the other checks ran.",
            "Run with --json for the details and report it if the stack is otherwise healthy.",
        );
    }
}

/** The check's outcome once it passes, fails for good, or the wait ends; each retry reads the cluster afresh. */
async function untilSettled(run: () => Promise<Outcome>, deadline: number, intervalMs: number, view: ClusterView): Promise<Outcome> {
    for (;;) {
        const outcome = await run();
        if (outcome.status !== "fail" || !outcome.heals || Date.now() + intervalMs > deadline) {
            return outcome;
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
        view.forget();
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

/** One check's lines: its verdict, and the cause and fix under a failure or warning. */
export function formatResult(r: CheckResult): string {
    return [
        `${r.status.toUpperCase().padEnd(4)}  ${r.id.padEnd(16)} ${r.title}: ${r.evidence}`,
        ...(r.cause ? [`      cause: ${r.cause}`] : []),
        ...(r.fix ? [`      fix:   ${r.fix}`] : []),
    ].join("\n");
}

/** The last line: "All checks passed." only when every check ran and passed, without a warning. */
export function formatSummary(results: CheckResult[]): string {
    const failed = results.filter((r) => r.status === "fail").length;
    const ids = (rs: CheckResult[]) => rs.map((r) => r.id).join(", ");
    const warned = results.filter((r) => r.status === "warn");
    const warnings = warned.length ? `${warned.length} warning(s) (${ids(warned)})` : "";
    const skipped = results.filter((r) => r.status === "skip");
    const skips = skipped.length ? `${skipped.length} check(s) skipped (${ids(skipped)})${toRun(skipped)}` : "";
    if (failed) {
        return [`${failed} check(s) failed.`, ...[warnings, skips].filter(Boolean).map((part) => `${part}.`)].join(" ");
    }
    if (skips) {
        return warnings ? `Passed with ${warnings}, but ${skips}.` : `No check failed, but ${skips}.`;
    }
    return warnings ? `Passed with ${warnings}.` : "All checks passed.";
}

/** What would run the skipped checks: each option, with the checks it runs when it does not run them all. */
function toRun(skipped: CheckResult[]): string {
    const options = [...new Set(skipped.flatMap((r) => (r.runWith ? [r.runWith] : [])))];
    if (options.length === 1 && skipped.every((r) => r.runWith === options[0])) {
        return `; to run them: ${options[0]}`;
    }
    return options
        .map(
            (option) =>
                `; to run ${skipped
                    .filter((r) => r.runWith === option)
                    .map((r) => r.id)
                    .join(", ")}: ${option}`,
        )
        .join("");
}

export function formatResults(results: CheckResult[]): string {
    return [...results.map(formatResult), formatSummary(results)].join("\n");
}
