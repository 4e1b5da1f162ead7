// How a judged read is told: the request, the rule that decided it and its policy, and a fix that never asks
// to widen a deny (a deny wins over every grant on its rule's path, so nothing added beside it helps).
import { granted, ReadVerdict, requestShown } from "../policy/readJudge";

/** A denied request with the rule that decided it and its policies; templated rules Vault left out, counted. */
export function verdictShown(verdict: ReadVerdict): string {
    const { rule, skipped } = verdict.decision;
    const reason = verdict.explanation.reason;
    if (rule || !skipped.length) {
        return `${requestShown(verdict.request)}: ${reason}`;
    }
    const policies = [...new Set(skipped.map((s) => s.policy))].join(", ");
    const reasons = [...new Set(skipped.map((s) => s.reason))].join("; ");
    const left = `Vault leaves ${skipped.length} templated rule(s) of ${policies} out of this token (${reasons})`;
    return `${requestShown(verdict.request)}: ${reason.slice(0, reason.indexOf("; left out"))}; ${left}`;
}

export { granted, requestShown };

/** Why reads that pass a login still get 403, whichever rule decides. */
export const DENIED_CAUSE =
    "The job logs in, then Vault answers 403: on each path the exact rule, or else the highest-priority matching pattern, decides alone, and a deny merged from any of the token's policies wins; what other rules grant does not add up.";

/**
 * What would let the request through, for a token of `role`: for a deny, that the deny must go from the role (never
 * more capabilities beside it); otherwise the explanation's fix, or a path the role grants the job (`readable`).
 */
export function verdictFix(verdict: ReadVerdict, role: string, readable: readonly string[]): string {
    const rule = verdict.decision.rule;
    if (rule?.deniedBy.length) {
        return `"${rule.pattern}" denies in ${rule.deniedBy.length === 1 ? "policy" : "policies"} ${rule.deniedBy.join(", ")}, and a deny wins over every grant on its path: the ${verdict.request.capability} works only once role ${role} no longer holds that deny, or the secret lives where no deny applies`;
    }
    const skipped = verdict.decision.skipped;
    if (!rule && skipped.length) {
        const policies = [...new Set(skipped.map((s) => s.policy))].join(", ");
        return `role ${role}: Vault leaves templated rules of ${policies} out of this job's token (${[...new Set(skipped.map((s) => s.reason))].join("; ")}): render the policy for the JWT mount's current accessor (see accessor-drift), and map the claims it names in the role's claim_mappings`;
    }
    const moved = readable.length ? `, or move the secret under a path role ${role} grants this job (${readable.join(", ")})` : "";
    return `role ${role}: ${verdict.explanation.fix}${rule ? "" : moved}`;
}
