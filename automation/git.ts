// What the driver asks git: the branch, the branches that still exist, and whether the tree is clean.
import { execFile } from "child_process";
import { promisify } from "util";

/** The branches that exist, or why the driver cannot tell. */
export type LiveBranches =
    { readonly known: true; readonly branches: ReadonlySet<string> } | { readonly known: false; readonly why: string };

export interface Git {
    /** The checked-out branch, or undefined on a detached HEAD or outside a repository. */
    currentBranch(): Promise<string | undefined>;
    /**
     * Fetches every branch of every remote (pruning deleted ones), then names each branch that exists locally
     * or on any remote. A CI clone has only remote-tracking branches, so local ones are not enough.
     */
    liveBranches(): Promise<LiveBranches>;
    /** True when the work tree has uncommitted changes other than the driver's own files. */
    isDirty(): Promise<boolean>;
}

/**
 * The files the driver itself writes into the project: review stacks' config and the local state.
 * They never count as uncommitted work (and .gitignore lists them).
 */
export function isDriverFile(path: string): boolean {
    return /^Pulumi\.review-[^/]*\.yaml$/.test(path) || path === ".pulumi-state" || path.startsWith(".pulumi-state/");
}

export function localGit(cwd: string): Git {
    const git = async (...args: string[]) => (await promisify(execFile)("git", args, { cwd })).stdout;
    return {
        currentBranch: async () => (await git("symbolic-ref", "--quiet", "--short", "HEAD").catch(() => "")).trim() || undefined,
        async liveBranches() {
            const remotes = (await git("remote").catch(() => "")).split("\n").filter(Boolean);
            if (remotes.length === 0) {
                return { known: false, why: "this clone has no remote, so a branch deleted upstream cannot be told from a live one" };
            }
            // Every branch of every remote, whatever refspec the clone was made with (a single-branch
            // clone would otherwise fetch one branch, and every other would look gone).
            const shallow = (await git("rev-parse", "--is-shallow-repository")).trim() === "true";
            try {
                for (const remote of remotes) {
                    const refspec = `+refs/heads/*:refs/remotes/${remote}/*`;
                    await git("fetch", "--prune", "--quiet", ...(shallow ? ["--depth=1"] : []), remote, refspec);
                }
            } catch (err) {
                const detail = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split("\n")[0];
                return { known: false, why: `git fetch failed (${detail}), so the remote branches may be out of date` };
            }
            const refs = (await git("for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")).split("\n").filter(Boolean);
            return { known: true, branches: new Set(refs.flatMap((ref) => branchOfRef(ref, remotes))) };
        },
        async isDirty() {
            // Each entry is "XY path"; --no-renames keeps a rename's source from being an entry of its own.
            const status = await git("status", "--porcelain", "--untracked-files=all", "--no-renames", "-z");
            for (const file of status
                .split("\0")
                .filter(Boolean)
                .map((entry) => entry.slice(3))) {
                if (
                    !isDriverFile(file) &&
                    !(isStackConfig(file) && onlySaltChanged(await git("diff", "-U0", "--no-color", "HEAD", "--", file)))
                ) {
                    return true;
                }
            }
            return false;
        },
    };
}

function isStackConfig(path: string): boolean {
    return /^Pulumi\.[^/]+\.yaml$/.test(path);
}

/**
 * A stack's first run with a passphrase writes `encryptionsalt:` into its committed Pulumi.<stack>.yaml
 * (Pulumi.dev.yaml): the driver's doing, not the user's, so that line alone is no uncommitted work.
 */
function onlySaltChanged(diff: string): boolean {
    const changed = diff.split("\n").filter((line) => /^[+-](?![+-]{2} )/.test(line));
    return changed.length > 0 && changed.every((line) => /^[+-]encryptionsalt: /.test(line));
}

function branchOfRef(ref: string, remotes: string[]): string[] {
    if (ref.startsWith("refs/heads/")) {
        return [ref.slice("refs/heads/".length)];
    }
    // A remote's name may itself hold slashes: strip the longest remote that prefixes the ref.
    const remote = remotes.filter((r) => ref.startsWith(`refs/remotes/${r}/`)).sort((a, b) => b.length - a.length)[0];
    const branch = remote === undefined ? undefined : ref.slice(`refs/remotes/${remote}/`.length);
    return branch && branch !== "HEAD" ? [branch] : [];
}
