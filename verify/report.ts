// A run of verify as it is printed, the same in stack and cluster mode: each check's line as it
// completes, or one JSON document at the end (verify/result.schema.json).
import { formatResult, formatSummary, resultsJson, verify } from "./run";
import { CheckResult, Target } from "./types";
import { ClusterView } from "./viewTypes";

export interface PrintOptions {
    readonly json: boolean;
    readonly waitMs?: number;
    /** Requests in flight at once (--concurrency). */
    readonly concurrency?: number;
    /** What verify expects and where it came from (cluster mode), printed before the checks. */
    readonly expectations?: string[];
    /** What was read before the run (cluster mode's discovery), for the run to go on from. */
    readonly view?: ClusterView;
}

export async function runAndPrint(
    label: string,
    target: Target,
    options: PrintOptions,
    out: (text: string) => void,
): Promise<CheckResult[]> {
    if (!options.json) {
        (options.expectations ?? []).forEach((line) => out(`expect: ${line}`));
    }
    const results = await verify(target, {
        waitMs: options.waitMs,
        concurrency: options.concurrency,
        view: options.view,
        onResult: options.json ? undefined : (result) => out(formatResult(result)),
        onProgress: options.json ? undefined : (id, message) => out(`....  ${id.padEnd(16)} ${message}…`),
    });
    const document = { ...resultsJson(label, results), ...(options.expectations ? { expect: options.expectations } : {}) };
    out(options.json ? JSON.stringify(document, null, 2) : formatSummary(results));
    return results;
}
