// review prune: destroy the review stacks whose branch is gone (or that are older than asked),
// never one whose branch may still be alive, and never without a listing and a yes.
import { destroyStack, DestroyResult } from "./destroy";
import { confirmOrRefuse, Driver, Options, progress } from "./driver";
import { lastUpdateText, parseAge, reviewStacks } from "./review";
import { preflightTools } from "./stackChecks";

interface Candidate {
    readonly stack: string;
    readonly branch: string | null;
    readonly lastUpdate: string | null;
    readonly reason: string;
}

export async function reviewPrune(options: Options, driver: Driver): Promise<unknown> {
    const maxAgeMs = options["older-than"] === undefined ? undefined : parseAge(options["older-than"]);
    await preflightTools(driver);
    const say = progress(driver);
    const live = await driver.git.liveBranches();
    const chosen: Candidate[] = [];
    const skipped: Candidate[] = [];
    if (!live.known) {
        say(`Pruning nothing: ${live.why}. Fix that (\`git remote -v\`, \`git fetch --prune\`) and run prune again.`);
    } else {
        for (const { summary, branch } of await reviewStacks(driver)) {
            // NaN for a stack never updated: its age cannot be told, so it is never older than asked.
            const age = driver.now().getTime() - new Date(summary.lastUpdate ?? NaN).getTime();
            const reason =
                branch && !live.branches.has(branch)
                    ? `branch ${branch} no longer exists, locally or on any remote`
                    : age > (maxAgeMs ?? Infinity)
                      ? `last updated ${lastUpdateText(summary, driver)}`
                      : undefined;
            if (reason) {
                const candidate = { stack: summary.name, branch: branch || null, lastUpdate: summary.lastUpdate ?? null, reason };
                (summary.updateInProgress ? skipped : chosen).push(candidate);
            }
        }
    }
    const plan = { branchesKnown: live.known, ...(live.known ? {} : { why: live.why }), prune: chosen, skipped };
    if (!(driver.json && options["dry-run"])) {
        listPlan(chosen, skipped, driver);
    }
    if (options["dry-run"] || chosen.length === 0) {
        return plan;
    }
    await confirmOrRefuse(`Destroy these ${chosen.length} review stack(s)?`, !!options.yes, "--yes", driver);
    const destroyed: DestroyResult[] = [];
    for (const { stack } of chosen) {
        destroyed.push(await destroyStack(stack, options, driver, true));
    }
    say(`Pruned ${destroyed.length} review stack${destroyed.length === 1 ? "" : "s"}.`);
    return { ...plan, destroyed };
}

function listPlan(chosen: Candidate[], skipped: Candidate[], driver: Driver): void {
    const say = progress(driver);
    const line = (c: Candidate) => `  ${c.stack}\tbranch ${c.branch ?? "?"}\tlast update ${c.lastUpdate ?? "never"}\t${c.reason}`;
    say(chosen.length === 0 ? "No review stack to prune." : `Review stacks to destroy (${chosen.length}):`);
    chosen.forEach((c) => say(line(c)));
    if (skipped.length > 0) {
        say(`Skipped, an update is in progress (${skipped.length}):`);
        skipped.forEach((c) => say(line(c)));
    }
}
