// Bounded retries with backoff, for the waits the dynamic providers do.
// Plain CommonJS: the dynamic providers load it with plain Node at run time (see ../dynamicProvider.ts).
"use strict";

/**
 * @template T
 * @typedef {{ done: T } | { retry: string }} Attempt
 */

/**
 * @typedef {object} PollOptions
 * @property {number} timeoutMs Give up after this long.
 * @property {number} [initialDelayMs] First delay between attempts; it doubles up to 5 s.
 * @property {(lastProblem: string, attempts: number) => Error} onTimeout The error to throw once time is up.
 */

/**
 * @template T
 * @param {() => Promise<Attempt<T>>} attempt
 * @param {PollOptions} options
 * @returns {Promise<T>}
 */
async function pollUntilDone(attempt, options) {
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

/**
 * ECONNREFUSED and the like, from a failed fetch.
 * @param {unknown} err
 * @returns {string}
 */
function describeFetchError(err) {
    const cause = /** @type {{ cause?: { code?: string; message?: string } }} */ (err).cause;
    return cause?.code ?? cause?.message ?? /** @type {Error} */ (err).message;
}

module.exports = { pollUntilDone, describeFetchError };
