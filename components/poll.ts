// Bounded retries with backoff, for the waits the dynamic providers do. Only plain JavaScript:
// Pulumi serialises this code into the providers.

export type Attempt<T> = { done: T } | { retry: string };

export interface PollOptions {
    /** Give up after this long. */
    readonly timeoutMs: number;
    /** First delay between attempts; it doubles up to 5 s. */
    readonly initialDelayMs?: number;
    /** The error to throw once time is up, given the last problem seen and the number of attempts. */
    readonly onTimeout: (lastProblem: string, attempts: number) => Error;
}

export async function pollUntilDone<T>(attempt: () => Promise<Attempt<T>>, options: PollOptions): Promise<T> {
    const deadline = Date.now() + options.timeoutMs;
    let delay = options.initialDelayMs ?? 250;
    for (let attempts = 1; ; attempts++) {
        const outcome = await attempt();
        if ("done" in outcome) {
            return outcome.done;
        }
        if (Date.now() + delay > deadline) {
            throw options.onTimeout(outcome.retry, attempts);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5000);
    }
}

/** ECONNREFUSED and the like, from a failed fetch. */
export function describeFetchError(err: unknown): string {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (err as Error).message;
}
