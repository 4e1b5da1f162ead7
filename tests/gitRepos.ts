// Real git repositories in a temp folder: an "origin", a developer's clone, and a CI clone that,
// like a CI checkout, has a detached HEAD and only remote-tracking branches.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export function git(cwd: string, ...args: string[]): string {
    return execFileSync("git", args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" },
    });
}

export interface Repos {
    readonly origin: string;
    /** A developer's clone: main checked out, one commit. */
    readonly work: string;
    readonly root: string;
}

/** A repository on main with one commit and no remote. */
export function committedRepo(root = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-git-"))): string {
    const work = path.join(root, "work");
    git(root, "init", "--quiet", "--initial-branch=main", work);
    fs.writeFileSync(path.join(work, "index.ts"), "export {};\n");
    git(work, "add", "-A");
    git(work, "commit", "--quiet", "-m", "first");
    return work;
}

/** A bare origin with `branches` pushed, and the clone they were pushed from. */
export function originWithBranches(branches: string[]): Repos {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-git-"));
    const origin = path.join(root, "origin.git");
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", origin);
    const work = committedRepo(root);
    git(work, "remote", "add", "origin", origin);
    for (const branch of branches) {
        git(work, "branch", branch);
    }
    git(work, "push", "--quiet", "origin", "main", ...branches);
    return { origin, work, root };
}

/** A clone as CI checks it out: no local branch, a detached HEAD, every branch under refs/remotes/origin. */
export function ciClone(repos: Repos, name = "ci"): string {
    const ci = path.join(repos.root, name);
    git(repos.root, "init", "--quiet", ci);
    git(ci, "remote", "add", "origin", repos.origin);
    git(ci, "fetch", "--quiet", "origin");
    git(ci, "checkout", "--quiet", "--detach", "origin/main");
    return ci;
}
