// A lock file that serialises one step across the processes of one host (O_EXCL create).
import * as fs from "fs";
import * as os from "os";

interface Holder {
    readonly pid: number;
    readonly hostname: string;
    readonly since: string;
}

export interface FileLockOptions {
    /** Give up after this long, naming the holder. */
    readonly timeoutMs?: number;
    /** How often to look again while another process holds it. */
    readonly retryMs?: number;
    /** True when the pid runs on this host; a lock whose holder died is taken over. */
    readonly processAlive: (pid: number) => boolean;
}

/** Runs `step` while holding `file`; the file is created exclusively, so one process at a time. */
export async function withFileLock<T>(file: string, step: () => Promise<T>, options: FileLockOptions): Promise<T> {
    const { timeoutMs = 120_000, retryMs = 25, processAlive } = options;
    const deadline = Date.now() + timeoutMs;
    const me: Holder = { pid: process.pid, hostname: os.hostname(), since: new Date().toISOString() };
    for (;;) {
        try {
            fs.writeFileSync(file, JSON.stringify(me), { flag: "wx", mode: 0o600 });
            break;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
                throw err;
            }
        }
        const holder = readHolder(file);
        if (holder && holder.hostname === me.hostname && !processAlive(holder.pid)) {
            // Its holder crashed. Two waiters could both see that and the slower one remove the
            // faster one's fresh lock; a crash while allocating is rare enough to accept that.
            fs.rmSync(file, { force: true });
            continue;
        }
        if (Date.now() > deadline) {
            const who = holder ? `pid ${holder.pid} on ${holder.hostname} since ${holder.since}` : "another process";
            throw new Error(`${file} is held by ${who}; if that process is gone, delete the file.`);
        }
        await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
    try {
        return await step();
    } finally {
        fs.rmSync(file, { force: true });
    }
}

function readHolder(file: string): Holder | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Holder;
    } catch {
        // Gone meanwhile, or caught between create and write: wait and look again.
        return undefined;
    }
}
