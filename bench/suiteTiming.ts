// The test suite's wall time for `npm run bench`, and mocha's own report when the suite fails.
import { execFileSync } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "../tools/programRecorder";

/** The suite `npm test` runs. */
export const TEST_FILES = "tests/**/*.test.ts";

/** How much of a failed run's output to show: mocha lists its failures last. */
const SHOWN_LINES = 80;

/** Seconds one run of the suite takes; a failing suite is an error that carries mocha's report. */
export function testSuiteSeconds(runSuite: () => void = runMocha, now: () => number = Date.now): number {
    const started = now();
    try {
        runSuite();
    } catch (err) {
        throw new Error(`The test suite failed, so the bench has no time for it. What mocha reported:\n${failureReport(err)}`);
    }
    return (now() - started) / 1000;
}

function runMocha(): void {
    execFileSync(path.join(PROJECT_ROOT, "node_modules/.bin/mocha"), ["--reporter", "dot", TEST_FILES], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** The end of what a failed run printed (execFileSync's error carries it), else the error itself. */
export function failureReport(err: unknown): string {
    const { stdout, stderr, message } = err as { stdout?: string; stderr?: string; message?: string };
    const output = `${stdout ?? ""}${stderr ?? ""}`.trim();
    return output ? output.split("\n").slice(-SHOWN_LINES).join("\n") : String(message ?? err);
}
