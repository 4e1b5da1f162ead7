// How a judged read is told: the request, the rule that decided it and its policy, and a fix that never asks
// to widen a deny (a deny wins over every grant on its rule's path, so nothing added beside it helps).
import { granted, ReadVerdict, requestShown } from "../policy/readJudge";

/**
 * The templated rules Vault left out of the token that might have matched the path: those whose text before the
 * first template is a prefix of it. (Vault's own default policy templates identity/entity/… on the entity's ID and
 * name, which no read of a secret meets.)
 */
function leftOut(verdict: ReadVerdict) {
    const skipped = verdict.decision.rule ? [] : verdict.decision.skipped;
    const relevant = skipped.filter((s) => verdict.request.path.startsWith(s.path.split("{{")[0]));
    return relevant.length
        ? {
              count: relevant.length,
              policies: [...new Set(relevant.map((s) => s.policy))].join(", "),
              reasons: [...new Set(relevant.map((s) => s.reason))].join("; "),
          }
        : undefined;
}

/** A denied request with the rule that decided it and its policies; templated rules Vault left out, counted. */
export function verdictShown(verdict: ReadVerdict): string {
    // The explanation lists every stanza left out for the token; only those that might match the path are told.
    const [reason] = verdict.explanation.reason.split("; left out for this token");
    const left = leftOut(verdict);
    const told = left ? `; Vault leaves ${left.count} templated rule(s) of ${left.policies} out of this token (${left.reasons})` : "";
    return `${requestShown(verdict.request)}: ${reason}${told}`;
}

export { granted, requestShown };

/** Why reads that pass a login still get 403, whichever rule decides. */
export const DENIED_CAUSE =
    "The job logs in, then Vault answers 403: on each path the exact rule, or else the highest-priority matching pattern, decides alone, and a deny merged from any of the token's policies wins; what other rules grant does not add up.";

/**
 * What would let the request through, for a token of `role`: for a deny, that the deny must go from the role (never
 * more capabilities beside it); for templated rules Vault left out, how to have them rendered; otherwise the
 * explanation's fix, or a path the role grants the job (`readable`).
 */
export function verdictFix(verdict: ReadVerdict, role: string, readable: readonly string[]): string {
    const rule = verdict.decision.rule;
    if (rule?.deniedBy.length) {
        return `"${rule.pattern}" denies in ${rule.deniedBy.length === 1 ? "policy" : "policies"} ${rule.deniedBy.join(", ")}, and a deny wins over every grant on its path: the ${verdict.request.capability} works only once role ${role} no longer holds that deny, or the secret lives where no deny applies`;
    }
    const left = leftOut(verdict);
    if (left) {
        return `role ${role}: Vault leaves templated rules of ${left.policies} out of this job's token (${left.reasons}): render the policy for the JWT mount's current accessor (see accessor-drift), and map the claims it names in the role's claim_mappings`;
    }
    const moved = readable.length ? `, or move the secret under a path role ${role} grants this job (${readable.join(", ")})` : "";
    return `role ${role}: ${verdict.explanation.fix}${rule ? "" : moved}`;
}
