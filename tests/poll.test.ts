// The bounded retries the dynamic providers wait with (components/runtime/poll.js).
import * as assert from "assert";
import { describeFetchError, pollUntilDone } from "../components/runtime/poll";
import { closedAddresses } from "./fakeHttp";

describe("polling with backoff", () => {
    it("doubles the wait between attempts", async () => {
        const times: number[] = [];
        await assert.rejects(
            pollUntilDone(
                async () => {
                    times.push(Date.now());
                    return { retry: "not yet" };
                },
                { timeoutMs: 330, initialDelayMs: 40, onTimeout: (last, attempts) => new Error(`${attempts}: ${last}`) },
            ),
            /^Error: \d+: not yet$/,
        );
        const gaps = times.slice(1).map((t, i) => t - times[i]);
        assert.deepStrictEqual(
            gaps.map((gap, i) => gap >= 40 * 2 ** i - 2),
            gaps.map(() => true),
            `gaps ${gaps.join(", ")} ms`,
        );
    });
    it("returns what the attempt found, without waiting once it is done", async () => {
        const started = Date.now();
        assert.strictEqual(await pollUntilDone(async () => ({ done: 3 }), { timeoutMs: 10_000, onTimeout: () => new Error("late") }), 3);
        assert.ok(Date.now() - started < 200);
    });
});

describe("a failed fetch, described", () => {
    it("names the network error's code", async () => {
        const [gone] = await closedAddresses(1);
        const err = await fetch(gone).catch((e: unknown) => e);
        assert.strictEqual(describeFetchError(err), "ECONNREFUSED");
    });
    it("names a port that fetch refuses to use, which has a message but no code", async () => {
        const err = await fetch("http://127.0.0.1:1/").catch((e: unknown) => e);
        assert.strictEqual(describeFetchError(err), "bad port");
    });
    it("gives the error's own message when it has no cause", () => {
        assert.strictEqual(
            describeFetchError(new Error("The operation was aborted due to timeout")),
            "The operation was aborted due to timeout",
        );
    });
});
