// What the driver asks git (automation/git.ts), against real repositories in a temp folder.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isDriverFile, localGit } from "../automation/git";
import { ciClone, committedRepo, git, originWithBranches } from "./gitRepos";

const branchesOf = async (cwd: string) => {
    const live = await localGit(cwd).liveBranches();
    return live.known ? [...live.branches].sort() : live.why;
};

describe("git, as the driver asks it", function () {
    this.timeout(30_000);

    describe("the current branch", () => {
        it("is the checked-out branch", async () => {
            assert.strictEqual(await localGit(committedRepo()).currentBranch(), "main");
        });
        it("is unknown on a detached HEAD", async () => {
            const repo = committedRepo();
            git(repo, "checkout", "--quiet", "--detach");
            assert.strictEqual(await localGit(repo).currentBranch(), undefined);
        });
        it("is unknown outside a repository", async () => {
            assert.strictEqual(await localGit(fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-nogit-"))).currentBranch(), undefined);
        });
    });

    describe("the live branches", () => {
        it("are unknown, with why, in a clone without a remote", async () => {
            assert.strictEqual(
                await branchesOf(committedRepo()),
                "this clone has no remote, so a branch deleted upstream cannot be told from a live one",
            );
        });
        it("are unknown outside a repository, where git names no remote", async () => {
            assert.match(
                String(await branchesOf(fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-nogit-")))),
                /^this clone has no remote/,
            );
        });
        it("include local branches never pushed", async () => {
            const repos = originWithBranches(["feat/pushed"]);
            git(repos.work, "branch", "feat/local");
            assert.deepStrictEqual(await branchesOf(repos.work), ["feat/local", "feat/pushed", "main"]);
        });
        it("include every remote's branches, but not a remote's HEAD", async () => {
            const repos = originWithBranches(["feat/a"]);
            const clone = path.join(repos.root, "clone");
            git(repos.root, "clone", "--quiet", repos.origin, clone);
            git(clone, "checkout", "--quiet", "--detach");
            git(clone, "branch", "--quiet", "-D", "main");
            assert.deepStrictEqual(await branchesOf(clone), ["feat/a", "main"]);
        });
        it("strip the longest remote name that prefixes a ref, when remote names hold slashes", async () => {
            const ci = ciClone(originWithBranches([]));
            git(ci, "remote", "add", "origin/fork", originWithBranches(["feat"]).origin);
            assert.deepStrictEqual(await branchesOf(ci), ["feat", "main"]);
        });
        it("are unknown when the fetch fails, naming git's first line of complaint", async () => {
            const repos = originWithBranches([]);
            git(repos.work, "remote", "set-url", "origin", path.join(repos.root, "gone.git"));
            assert.match(
                String(await branchesOf(repos.work)),
                /^git fetch failed \((fatal|error): [^\n]*gone\.git[^\n]*\), so the remote branches may be out of date$/,
            );
        });
        it("keep a shallow clone shallow, fetching each branch at depth 1", async () => {
            const repos = originWithBranches([]);
            for (const n of [2, 3]) {
                fs.writeFileSync(path.join(repos.work, "index.ts"), `export const n = ${n};\n`);
                git(repos.work, "commit", "--quiet", "-am", `commit ${n}`);
            }
            git(repos.work, "checkout", "--quiet", "-b", "feat/deep");
            fs.writeFileSync(path.join(repos.work, "index.ts"), "export const n = 4;\n");
            git(repos.work, "commit", "--quiet", "-am", "commit 4");
            git(repos.work, "push", "--quiet", "origin", "main", "feat/deep");
            const shallow = path.join(repos.root, "shallow");
            git(repos.root, "clone", "--quiet", "--depth=1", "--single-branch", "--branch", "main", `file://${repos.origin}`, shallow);
            assert.deepStrictEqual(
                [await branchesOf(shallow), git(shallow, "rev-list", "--count", "origin/feat/deep").trim()],
                [["feat/deep", "main"], "1"],
            );
        });
    });

    describe("a dirty work tree", () => {
        let repo: string;
        beforeEach(() => {
            repo = committedRepo();
        });
        const write = (file: string, text = "x\n") => {
            fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
            fs.writeFileSync(path.join(repo, file), text);
        };
        const commitStackConfig = (file: string) => {
            write(file, 'config:\n  vaultnomad:vaultPort: "8200"\n');
            git(repo, "add", "-A");
            git(repo, "commit", "--quiet", "-m", "stack config");
        };
        const addSalt = (file: string) => fs.appendFileSync(path.join(repo, file), "encryptionsalt: v1:abc=\n");

        it("is not one with only the driver's own files", async () => {
            write("Pulumi.review-feat-x.yaml");
            write(".pulumi-state/passphrase");
            assert.strictEqual(await localGit(repo).isDirty(), false);
        });
        it("is not one when the state folder is a link to state kept elsewhere", async () => {
            fs.symlinkSync(os.tmpdir(), path.join(repo, ".pulumi-state"));
            assert.strictEqual(await localGit(repo).isDirty(), false);
        });
        it("is one with a review stack's config name in a folder of the project", async () => {
            write("tests/Pulumi.review-feat-x.yaml");
            assert.strictEqual(await localGit(repo).isDirty(), true);
        });
        it("is one with a file that only begins like a review stack's config", async () => {
            write("Pulumi.review-feat-x.yaml.orig");
            assert.strictEqual(await localGit(repo).isDirty(), true);
        });
        it("is one with a folder that only begins like the state folder's name", async () => {
            write(".pulumi-state-old/passphrase");
            assert.strictEqual(await localGit(repo).isDirty(), true);
        });
        it("is not one when only the encryption salt was added to a stack's config", async () => {
            commitStackConfig("Pulumi.dev.yaml");
            addSalt("Pulumi.dev.yaml");
            assert.strictEqual(await localGit(repo).isDirty(), false);
        });
        it("is one when the salt was added to a config file in a folder of the project", async () => {
            commitStackConfig("examples/Pulumi.dev.yaml");
            addSalt("examples/Pulumi.dev.yaml");
            assert.strictEqual(await localGit(repo).isDirty(), true);
        });
        it("is one when the salt was added to a file that only begins like a stack's config", async () => {
            commitStackConfig("Pulumi.dev.yaml.orig");
            addSalt("Pulumi.dev.yaml.orig");
            assert.strictEqual(await localGit(repo).isDirty(), true);
        });
        it("is one when only a stack config's file mode changed", async () => {
            commitStackConfig("Pulumi.dev.yaml");
            fs.chmodSync(path.join(repo, "Pulumi.dev.yaml"), 0o755);
            assert.strictEqual(await localGit(repo).isDirty(), true);
        });
    });

    describe("the driver's own files", () => {
        it("are the review stacks' config files and the state folder", () => {
            assert.deepStrictEqual(
                ["Pulumi.review-a.yaml", ".pulumi-state", ".pulumi-state/x", "Pulumi.dev.yaml", "Pulumi.review-a.yml"].map(isDriverFile),
                [true, true, true, false, false],
            );
        });
    });
});
