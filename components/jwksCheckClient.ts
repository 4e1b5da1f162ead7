// Fetches Nomad's JWKS the way Vault will when the JWT auth method is configured, waiting while
// the agent starts. Only plain JavaScript: Pulumi serialises this code into a dynamic provider.
import { Attempt, describeFetchError, pollUntilDone } from "./poll";

export class JwksCheckError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "JwksCheckError";
    }
}

/** Resolves with the number of keys once `url` serves a non-empty key set. */
export function waitForJwks(url: string, timeoutMs: number, initialDelayMs?: number): Promise<number> {
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

async function fetchKeys(url: string): Promise<Attempt<number>> {
    try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        const body = await response.text();
        if (!response.ok) {
            return { retry: `HTTP ${response.status} ${body.trim().slice(0, 120)}` };
        }
        const keys = (JSON.parse(body) as { keys?: unknown[] }).keys ?? [];
        return keys.length > 0 ? { done: keys.length } : { retry: "an empty key set" };
    } catch (err) {
        return { retry: err instanceof SyntaxError ? "a body that is not JSON" : `unreachable (${describeFetchError(err)})` };
    }
}
