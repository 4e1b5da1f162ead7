// The verdicts a check returns.
import { Outcome } from "./types";

export const pass = (evidence: string): Outcome => ({ status: "pass", evidence });
export const warn = (evidence: string, cause: string, fix: string): Outcome => ({ status: "warn", evidence, cause, fix });
/** A failure; `heals` when waiting can mend it (see Outcome.heals). */
export const fail = (evidence: string, cause: string, fix: string, heals = false): Outcome => ({
    status: "fail",
    evidence,
    cause,
    fix,
    ...(heals ? { heals } : {}),
});
export const skip = (evidence: string, runWith?: string): Outcome => ({ status: "skip", evidence, ...(runWith ? { runWith } : {}) });
