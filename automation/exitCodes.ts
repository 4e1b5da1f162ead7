/** Exit codes a CI job can branch on. */
export const EXIT = {
    ok: 0,
    /** The operation ran and failed (an update error, a missing stack). */
    failed: 1,
    /** The command line was wrong. */
    usage: 2,
    /** A check before the operation failed; nothing was started. */
    preflight: 3,
    /** Another update holds the stack's lock. */
    locked: 4,
} as const;
