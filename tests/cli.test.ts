// The entry of `npm run stack`: the command line it runs, and how its outcome becomes the exit code.
import * as assert from "assert";
import { USAGE } from "../automation/commands";
import { EXIT, exitWith } from "../automation/exitCodes";

/** What an exitWith did: the code it exited with and what it printed. */
async function outcome(command: Promise<number>): Promise<{ code?: number; printed: unknown[] }> {
    const printed: unknown[] = [];
    let code: number | undefined;
    await exitWith(command, { exit: (c) => (code = c), error: (text) => printed.push(text) });
    return { code, printed };
}

describe("the exit of a command line", () => {
    it("is the command's code", async () => {
        assert.deepStrictEqual(await outcome(Promise.resolve(EXIT.locked)), { code: EXIT.locked, printed: [] });
    });
    it("is 1 for a command that throws, whose message is printed", async () => {
        assert.deepStrictEqual(await outcome(Promise.reject(new Error("state folder unreadable"))), {
            code: EXIT.failed,
            printed: ["state folder unreadable"],
        });
    });
    it("prints what a command throws that is no Error as it is", async () => {
        assert.deepStrictEqual(await outcome(Promise.reject("gone")), { code: EXIT.failed, printed: ["gone"] });
    });
});

describe("npm run stack", () => {
    it("runs the command line after node and the script, and exits with its code", async () => {
        const saved = { argv: process.argv, exit: process.exit, log: console.log, listeners: process.listeners("SIGINT") };
        const printed: string[] = [];
        try {
            process.argv = ["node", "automation/cli.ts", "help"];
            console.log = (text: string) => printed.push(text);
            const code = await new Promise((resolve) => {
                process.exit = resolve as typeof process.exit;
                delete require.cache[require.resolve("../automation/cli")];
                void import("../automation/cli");
            });
            assert.deepStrictEqual([code, printed], [EXIT.ok, [USAGE]]);
        } finally {
            Object.assign(process, { argv: saved.argv, exit: saved.exit });
            console.log = saved.log;
            process
                .listeners("SIGINT")
                .filter((listener) => !saved.listeners.includes(listener))
                .forEach((listener) => process.removeListener("SIGINT", listener));
        }
    });
});
