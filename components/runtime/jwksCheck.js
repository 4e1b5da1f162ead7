// The JWKS check's provider: fetches Nomad's JWKS the way Vault will when the JWT auth method is
// configured, waiting while the agent starts.
// Plain CommonJS: the dynamic provider loads it with plain Node at run time (see ../dynamicProvider.ts).
"use strict";
const { describeFetchError, pollUntilDone } = require("./poll");

class JwksCheckError extends Error {
    /** @param {string} message */
    constructor(message) {
        super(message);
        this.name = "JwksCheckError";
    }
}

/**
 * Resolves with the number of keys once `url` serves a non-empty key set.
 * @param {string} url
 * @param {number} timeoutMs
 * @param {number} [initialDelayMs]
 * @returns {Promise<number>}
 */
function waitForJwks(url, timeoutMs, initialDelayMs) {
    return pollUntilDone(() => fetchKeys(url), {
        timeoutMs,
        initialDelayMs,
        onTimeout: (lastProblem, attempts) =>
            new JwksCheckError(
                `JWKS check before the JWT auth method: ${url} gave no key set within ${Math.round(timeoutMs / 1000)} s ` +
                    `(${attempts} attempts; last: ${lastProblem}). Vault fetches this URL from its own network when the ` +
                    "auth method is configured, so nothing was mounted. Check that Nomad serves it and that the URL is what Vault's container reaches.",
            ),
    });
}

/**
 * @param {string} url
 * @returns {Promise<import("./poll").Attempt<number>>}
 */
async function fetchKeys(url) {
    try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = await response.text();
        if (!response.ok) {
            return { retry: `HTTP ${response.status} ${body.trim().slice(0, 120)}` };
        }
        const keys = /** @type {{ keys?: unknown[] }} */ (JSON.parse(body)).keys ?? [];
        return keys.length > 0 ? { done: keys.length } : { retry: "an empty key set" };
    } catch (err) {
        return { retry: err instanceof SyntaxError ? "a body that is not JSON" : `unreachable (${describeFetchError(err)})` };
    }
}

/** @typedef {{ url: string; timeoutSeconds: number }} JwksCheckInputs */

/**
 * Checks the JWKS URL before the JWT auth method is created. Vault validates the URL when the
 * method is configured; if that fails after the mount, the next `up` finds a mount it did not
 * record. Checking first makes the failure happen while nothing is mounted yet.
 */
const provider = {
    /** @param {JwksCheckInputs} inputs */
    async create(inputs) {
        const keys = await waitForJwks(inputs.url, inputs.timeoutSeconds * 1000);
        return { id: inputs.url, outs: { ...inputs, keys } };
    },
    /**
     * @param {string} _id
     * @param {JwksCheckInputs} olds
     * @param {JwksCheckInputs} news
     */
    async diff(_id, olds, news) {
        return {
            changes: olds.url !== news.url || olds.timeoutSeconds !== news.timeoutSeconds,
            replaces: olds.url !== news.url ? ["url"] : [],
        };
    },
    /**
     * @param {string} _id
     * @param {JwksCheckInputs} olds
     * @param {JwksCheckInputs} news
     */
    async update(_id, olds, news) {
        return { outs: { ...olds, ...news } };
    },
};

module.exports = { JwksCheckError, waitForJwks, provider };
