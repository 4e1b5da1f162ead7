// How many reads a run has in flight at once, and until when it reads at all: a run on a large
// cluster fans out over every node and job, and must neither flood the APIs nor outlast its deadline.
import { Reply } from "./http";

/** Requests in flight at once by default (--concurrency). */
export const DEFAULT_CONCURRENCY = 16;
/** The most --concurrency takes. */
export const MAX_CONCURRENCY = 256;
/** Each request's own timeout. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** What a read gets once the run's deadline has passed: it is not sent. */
export const PAST_DEADLINE: Reply = { status: 0, body: "", error: "verify's deadline passed" };

/** --concurrency's value, or undefined when it is not a whole number from 1 to MAX_CONCURRENCY. */
export function concurrencyOf(text: string): number | undefined {
    const n = Number(text);
    return /^\d+$/.test(text) && n >= 1 && n <= MAX_CONCURRENCY ? n : undefined;
}

export const concurrencyUsage = (text: string) =>
    `--concurrency ${text}: want a whole number of requests at once, from 1 to ${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}).`;

/** Runs `read` when a slot is free and the deadline has not passed, with the time it may take. */
export type ReadLimit = (read: (timeoutMs: number) => Promise<Reply>) => Promise<Reply>;

/** At most `concurrency` reads at once, first come first served; none after `deadline` (epoch ms). */
export function readLimit(concurrency: number, deadline: number): ReadLimit {
    let active = 0;
    const waiting: Array<() => void> = [];
    // A finished read hands its slot to the next waiting one, so none can slip in between.
    const release = () => {
        const next = waiting.shift();
        if (next) {
            next();
        } else {
            active--;
        }
    };
    return async (read) => {
        if (active < concurrency) {
            active++;
        } else {
            await new Promise<void>((resolve) => waiting.push(resolve));
        }
        try {
            const left = deadline - Date.now();
            return left > 0 ? await read(Math.min(REQUEST_TIMEOUT_MS, left)) : PAST_DEADLINE;
        } finally {
            release();
        }
    };
}
