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

/** Where a command line's outcome goes: the process's exit, and stderr. */
export interface ExitIo {
    readonly exit: (code: number) => void;
    readonly error: (text: unknown) => void;
}

const processIo: ExitIo = { exit: (code) => process.exit(code), error: (text) => console.error(text) };

/** Exits with the code the command gives; a command that throws instead is printed and exits 1. */
export function exitWith(command: Promise<number>, io: ExitIo = processIo): Promise<void> {
    return command.then(
        (code) => io.exit(code),
        (err) => {
            io.error(err instanceof Error ? err.message : err);
            io.exit(EXIT.failed);
        },
    );
}
