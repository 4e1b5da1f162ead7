// The verdicts a check returns.
import { Outcome } from "./checks";

export const pass = (evidence: string): Outcome => ({ status: "pass", evidence });
export const warn = (evidence: string, cause: string, fix: string): Outcome => ({ status: "warn", evidence, cause, fix });
export const fail = (evidence: string, cause: string, fix: string): Outcome => ({ status: "fail", evidence, cause, fix });
export const skip = (evidence: string): Outcome => ({ status: "skip", evidence });
