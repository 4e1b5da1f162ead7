import { execFile } from "child_process";
import { promisify } from "util";

export interface Git {
    /** The checked-out branch, or undefined on a detached HEAD or outside a repository. */
    currentBranch(): Promise<string | undefined>;
    branchExists(branch: string): Promise<boolean>;
    /** True when the work tree has uncommitted changes. */
    isDirty(): Promise<boolean>;
}

export function localGit(cwd: string): Git {
    const git = async (...args: string[]) => (await promisify(execFile)("git", args, { cwd })).stdout.trim();
    return {
        currentBranch: () => git("symbolic-ref", "--quiet", "--short", "HEAD").catch(() => undefined),
        branchExists: (branch) =>
            git("show-ref", "--verify", "--quiet", `refs/heads/${branch}`).then(
                () => true,
                () => false,
            ),
        isDirty: async () => (await git("status", "--porcelain")).length > 0,
    };
}
