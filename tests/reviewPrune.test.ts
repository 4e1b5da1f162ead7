// review prune: against real git clones for which branches are alive, the fake stack store for stacks.
import * as assert from "assert";
import { EXIT } from "../automation/exitCodes";
import { localGit } from "../automation/git";
import { drive, fakeGit, reviewConfig } from "./driverHarness";
import { FakeStacks, hoursAgo } from "./fakeStackStore";
import { ciClone, committedRepo, git, originWithBranches, Repos } from "./gitRepos";

/** A review stack per branch: feat/live lives on, feat/gone is deleted on the remote. */
function stacksFor(...branches: string[]): FakeStacks {
    const stacks = new FakeStacks();
    branches.forEach((branch, slot) => stacks.add(`review-${branch.replace("/", "-")}`, { config: reviewConfig(branch, slot) }));
    return stacks;
}

const yes = async () => true;

describe("review prune", function () {
    this.timeout(20_000);
    let repos: Repos;
    let ci: string;

    before(() => {
        repos = originWithBranches(["feat/live", "feat/gone"]);
        ci = ciClone(repos);
        git(repos.work, "push", "--quiet", "origin", "--delete", "feat/gone");
    });

    describe("in a CI clone, with only remote-tracking branches", () => {
        it("keeps the stack of a branch that exists only on the remote", async () => {
            const stacks = stacksFor("feat/live");
            const { code, out } = await drive(["review", "prune", "--yes"], { stacks, git: localGit(ci) });
            assert.deepStrictEqual([code, stacks.calls, out], [EXIT.ok, [], "No review stack to prune."]);
        });
        it("keeps it in a single-branch clone too, fetching every branch", async () => {
            const single = `${repos.root}/ci-single`;
            git(repos.root, "clone", "--quiet", "--single-branch", "--branch", "main", repos.origin, single);
            const stacks = stacksFor("feat/live");
            const { code } = await drive(["review", "prune", "--yes"], { stacks, git: localGit(single) });
            assert.deepStrictEqual([code, stacks.calls], [EXIT.ok, []]);
        });
        it("destroys the stack of a branch deleted on the remote, fetching first", async () => {
            const stacks = stacksFor("feat/live", "feat/gone");
            await drive(["review", "prune", "--yes"], { stacks, git: localGit(ci) });
            assert.deepStrictEqual(stacks.calls, ["destroy review-feat-gone", "remove review-feat-gone"]);
        });
    });

    describe("when it cannot tell which branches are alive", () => {
        it("prunes nothing in a clone without a remote, and says why", async () => {
            const lonely = committedRepo();
            const stacks = stacksFor("feat/gone");
            const { code, out } = await drive(["review", "prune", "--yes", "--older-than", "1m"], { stacks, git: localGit(lonely) });
            assert.deepStrictEqual([code, stacks.calls, /Pruning nothing: this clone has no remote/.test(out)], [EXIT.ok, [], true]);
        });
        it("prunes nothing when the fetch fails, and says why", async () => {
            const broken = ciClone(repos, "ci-broken");
            git(broken, "remote", "set-url", "origin", `${repos.root}/no-such-origin.git`);
            const stacks = stacksFor("feat/gone");
            const { out } = await drive(["review", "prune", "--yes"], { stacks, git: localGit(broken) });
            assert.deepStrictEqual([stacks.calls, /Pruning nothing: git fetch failed/.test(out)], [[], true]);
        });
    });

    describe("before destroying", () => {
        const git = fakeGit({ liveBranches: async () => ({ known: true, branches: new Set(["feat/live"]) }) });

        it("lists each stack it would destroy with its branch and last update", async () => {
            const { out } = await drive(["review", "prune", "--dry-run"], { stacks: stacksFor("feat/gone"), git });
            assert.strictEqual(
                out,
                "Review stacks to destroy (1):\n" +
                    `  review-feat-gone\tbranch feat/gone\tlast update ${hoursAgo(1)}\tbranch feat/gone no longer exists, locally or on any remote`,
            );
        });
        it("with --dry-run, only lists", async () => {
            const stacks = stacksFor("feat/gone");
            const { code, out } = await drive(["review", "prune", "--dry-run"], { stacks, git, confirm: yes });
            assert.deepStrictEqual([code, stacks.calls, out.includes("review-feat-gone")], [EXIT.ok, [], true]);
        });
        it("without a terminal to ask on, refuses unless --yes (exit 3)", async () => {
            const stacks = stacksFor("feat/gone");
            const { code, err } = await drive(["review", "prune"], { stacks, git });
            assert.deepStrictEqual([code, stacks.calls, /pass --yes/.test(err)], [EXIT.preflight, [], true]);
        });
        it("asks, and destroys nothing on no", async () => {
            const stacks = stacksFor("feat/gone");
            const questions: string[] = [];
            const confirm = async (q: string) => (questions.push(q), false);
            await drive(["review", "prune"], { stacks, git, confirm });
            assert.deepStrictEqual([questions, stacks.calls], [["Destroy these 1 review stack(s)?"], []]);
        });
        it("asks, and destroys on yes", async () => {
            const stacks = stacksFor("feat/gone");
            await drive(["review", "prune"], { stacks, git, confirm: yes });
            assert.deepStrictEqual(stacks.calls, ["destroy review-feat-gone", "remove review-feat-gone"]);
        });
    });

    describe("under --json", () => {
        const git = fakeGit({ liveBranches: async () => ({ known: true, branches: new Set(["feat/live"]) }) });

        it("reports each stack it destroyed", async () => {
            const { out } = await drive(["review", "prune", "--yes", "--json"], { stacks: stacksFor("feat/live", "feat/gone"), git });
            assert.deepStrictEqual(
                JSON.parse(out).destroyed.map((d: { stack: string }) => d.stack),
                ["review-feat-gone"],
            );
        });
        it("says why it prunes nothing when it cannot tell which branches are alive", async () => {
            const unknown = fakeGit({ liveBranches: async () => ({ known: false, why: "this clone has no remote" }) });
            const { out } = await drive(["review", "prune", "--yes", "--json"], { stacks: stacksFor("feat/gone"), git: unknown });
            assert.deepStrictEqual(JSON.parse(out), { branchesKnown: false, why: "this clone has no remote", prune: [], skipped: [] });
        });
        it("with --dry-run, lets the document be the only listing", async () => {
            const { err } = await drive(["review", "prune", "--dry-run", "--json"], { stacks: stacksFor("feat/gone"), git });
            assert.strictEqual(err, "");
        });
    });

    describe("what it selects", () => {
        function fleet(): FakeStacks {
            return new FakeStacks()
                .add("dev", { summary: { name: "dev", current: false, lastUpdate: hoursAgo(1000) } })
                .add("review-live", { config: reviewConfig("live", 1) })
                .add("review-gone", { config: reviewConfig("gone", 2) })
                .add("review-stale", {
                    config: reviewConfig("stale", 3),
                    summary: { name: "review-stale", current: false, lastUpdate: hoursAgo(24 * 10) },
                })
                .add("review-busy", {
                    config: reviewConfig("busy-gone", 4),
                    summary: { name: "review-busy", current: false, updateInProgress: true },
                });
        }
        const git = fakeGit({ liveBranches: async () => ({ known: true, branches: new Set(["live", "stale", "main"]) }) });

        it("removes only review stacks whose branch is gone", async () => {
            const stacks = fleet();
            await drive(["review", "prune", "--yes"], { stacks, git });
            assert.deepStrictEqual(stacks.calls, ["destroy review-gone", "remove review-gone"]);
        });
        it("also removes those older than --older-than", async () => {
            const stacks = fleet();
            await drive(["review", "prune", "--yes", "--older-than", "7d"], { stacks, git });
            assert.deepStrictEqual([...stacks.stacks.keys()], ["dev", "review-live", "review-busy"]);
        });
        it("skips a stack being updated, and says so", async () => {
            const { out } = await drive(["review", "prune", "--dry-run"], { stacks: fleet(), git });
            assert.match(out, /Skipped, an update is in progress \(1\):\n {2}review-busy\tbranch busy-gone/);
        });
        it("keeps a stack whose last update is exactly the age asked", async () => {
            const stacks = new FakeStacks().add("review-live", {
                config: reviewConfig("live", 1),
                summary: { name: "review-live", current: false, lastUpdate: hoursAgo(24 * 7) },
            });
            await drive(["review", "prune", "--yes", "--older-than", "7d"], { stacks, git });
            assert.deepStrictEqual(stacks.calls, []);
        });
        it("keeps a stack never updated, whatever --older-than asks", async () => {
            const stacks = new FakeStacks().add("review-live", {
                config: reviewConfig("live", 1),
                summary: { name: "review-live", current: false },
            });
            await drive(["review", "prune", "--yes", "--older-than", "1m"], { stacks, git });
            assert.deepStrictEqual(stacks.calls, []);
        });
        it("keeps a stack that records no branch", async () => {
            const stacks = new FakeStacks().add("review-unknown", { config: {} });
            await drive(["review", "prune", "--yes"], { stacks, git });
            assert.deepStrictEqual(stacks.calls, []);
        });
        it("lists a stack with no branch or update recorded as such", async () => {
            const stacks = new FakeStacks().add("review-old", {
                summary: { name: "review-old", current: false, lastUpdate: hoursAgo(24 * 30) },
            });
            const { out } = await drive(["review", "prune", "--dry-run", "--older-than", "7d"], { stacks, git });
            assert.match(out, /\n {2}review-old\tbranch \?\tlast update /);
        });
        it("lists a gone branch's stack that was never updated as such", async () => {
            const stacks = new FakeStacks().add("review-gone", {
                config: reviewConfig("gone", 2),
                summary: { name: "review-gone", current: false },
            });
            const { out } = await drive(["review", "prune", "--dry-run"], { stacks, git });
            assert.match(out, /\n {2}review-gone\tbranch gone\tlast update never\t/);
        });
        it("says it pruned one stack, in the singular", async () => {
            const { out } = await drive(["review", "prune", "--yes"], { stacks: fleet(), git });
            assert.match(out, /\nPruned 1 review stack\.$/);
        });
        it("says how many stacks it pruned", async () => {
            const { out } = await drive(["review", "prune", "--yes", "--older-than", "7d"], { stacks: fleet(), git });
            assert.match(out, /\nPruned 2 review stacks\.$/);
        });
        it("rejects an age it cannot read (exit 2)", async () => {
            assert.strictEqual((await drive(["review", "prune", "--older-than", "a week"], { stacks: fleet(), git })).code, EXIT.usage);
        });
    });
});
