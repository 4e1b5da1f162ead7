// `review up --from <stack> --cluster <name>`: the branch's review stack on existing clusters
// (reviewExternal.ts makes its config). No Docker and no ports: the clusters are the base stack's.
import { Driver, Options, progress, run, UsageError } from "./driver";
import { externalReviewConfig } from "./reviewExternal";
import { stackNameForBranch } from "./reviewStacks";
import { preflightStack, preflightTools } from "./stackChecks";

export async function reviewUpExternal(branch: string, options: Options, driver: Driver): Promise<unknown> {
    if (!options.from || !options.cluster) {
        throw new UsageError("review up on existing clusters takes both --from <stack> and --cluster <name>.");
    }
    await preflightTools(driver);
    const name = stackNameForBranch(branch);
    const config = externalReviewConfig(await driver.stacks.configOf(options.from), options.from, options.cluster, name, branch);
    const stack = await driver.stacks.createOrSelect(name);
    await stack.setAllConfig(config);
    progress(driver)(`Review stack ${name} for branch ${branch}: ${options.from}'s Vault and its cluster ${options.cluster}`);
    await preflightStack(stack, "up", driver, options);
    return run("up", stack, driver);
}
