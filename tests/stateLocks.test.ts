// A locked stack: who holds the file backend's lock, since when, and whether that holder still runs.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { resolveEnvironment } from "../automation/environment";
import { EXIT } from "../automation/exitCodes";
import { stackNameForBranch } from "../automation/reviewStacks";
import { stackLocks } from "../automation/stateLocks";
import { drive, healthyProbes, tempProject } from "./driverHarness";
import { FakeStacks } from "./fakeStackStore";

/** The lock the CLI writes while updating dev (pulumi/pulumi pkg/backend/diy/lock.go: lockContent, JSON-marshalled). */
const LOCK = { pid: 4242, username: "alice", hostname: "build-7", timestamp: "2026-11-27T11:58:03.123456789Z" };
const LOCK_ID = "18262c43-124d-4f19-b90f-24db3c0a22a3";

/** The CLI's own message when the file backend finds the lock. */
function lockedError(backendUrl: string, stack: string): Error {
    return new Error(
        "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
            `  ${backendUrl}/.pulumi/locks/organization/vaultnomad/${stack}/${LOCK_ID}.json: created by alice@build-7 (pid 4242) at 2026-11-27T11:58:03Z`,
    );
}

describe("a locked stack", () => {
    function lockedProject(stack = "dev") {
        const project = tempProject();
        const environment = resolveEnvironment(project, {});
        const dir = path.join(environment.stateDir, ".pulumi", "locks", "organization", "vaultnomad", stack);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${LOCK_ID}.json`), JSON.stringify(LOCK));
        const stacks = new FakeStacks().add(stack, { failWith: lockedError(environment.backendUrl, stack) });
        return { stacks, environment: () => environment, backendUrl: environment.backendUrl };
    }

    it("held by a process that died on this host: says so, and gives the command that clears it (exit 4)", async () => {
        const { stacks, environment, backendUrl } = lockedProject();
        const probes = { ...healthyProbes, processAlive: (pid: number) => pid !== LOCK.pid };
        const { code, err } = await drive(["up"], { stacks, environment, probes });
        assert.deepStrictEqual(
            [code, err],
            [
                EXIT.locked,
                "The stack dev is locked by another update.\n" +
                    "Stale lock: alice@build-7 (pid 4242) since 2026-11-27T11:58:03.123456789Z, but pid 4242 no longer runs on this host. " +
                    `\`PULUMI_BACKEND_URL='${backendUrl}' pulumi cancel --stack dev --yes\` clears it.`,
            ],
        );
    });
    it("held by a live process on this host: says who holds it and since when", async () => {
        const { stacks, environment } = lockedProject();
        const { err } = await drive(["up"], { stacks, environment });
        assert.match(
            err,
            /\nLocked by alice@build-7 \(pid 4242\) since 2026-11-27T11:58:03\.123456789Z, which is still running on this host: wait for it to finish\.$/,
        );
    });
    it("held from another host: says it cannot tell whether the holder runs", async () => {
        const { stacks, environment } = lockedProject();
        const { err } = await drive(["up"], { stacks, environment, probes: { ...healthyProbes, hostname: "laptop" } });
        assert.match(err, /\nLocked by alice@build-7 \(pid 4242\) since .*, on another host: this one cannot tell whether it still runs\./);
    });
    it("under --json, lists the locks in the error document", async () => {
        const { stacks, environment } = lockedProject();
        const { out } = await drive(["up", "--json"], { stacks, environment });
        assert.deepStrictEqual(
            JSON.parse(out).error.locks.map((l: Record<string, unknown>) => [l.pid, l.hostname, l.timestamp]),
            [[4242, "build-7", LOCK.timestamp]],
        );
    });
    it("of a review stack: reads that stack's lock, not the dev stack's", async () => {
        const name = stackNameForBranch("feat/jwt");
        const { stacks, environment } = lockedProject(name);
        const { err } = await drive(["review", "up", "--branch", "feat/jwt"], { stacks, environment });
        assert.match(err, new RegExp(`^The stack ${name} is locked by another update\\.\nLocked by alice@build-7 \\(pid 4242\\)`));
    });
});

describe("the locks of a stack in a file backend", () => {
    /** A state folder with `files` (path under the stack's lock folder → content). */
    function stateWith(files: Record<string, string>): string {
        const state = tempProject();
        for (const [file, content] of Object.entries(files)) {
            const full = path.join(state, ".pulumi", "locks", "organization", "vaultnomad", file);
            fs.mkdirSync(path.dirname(full), { recursive: true });
            fs.writeFileSync(full, content);
        }
        return state;
    }
    const holders = (locks: Array<{ pid: number }>) => locks.map((lock) => lock.pid);

    it("are none for a backend that is not a folder, or none at all", () => {
        assert.deepStrictEqual([stackLocks("s3://bucket/state", "dev"), stackLocks(undefined, "dev")], [[], []]);
    });
    it("are none when the backend has no lock folder yet", () => {
        assert.deepStrictEqual(stackLocks(`file://${tempProject()}`, "dev"), []);
    });
    it("are read from the folder the backend URL names, whatever options follow it", () => {
        const state = stateWith({ [`dev/${LOCK_ID}.json`]: JSON.stringify(LOCK) });
        assert.deepStrictEqual(holders(stackLocks(`file://${state}?no_tmp_dir=true`, "dev")), [LOCK.pid]);
    });
    it("are only that stack's lock files", () => {
        const state = stateWith({
            [`dev/${LOCK_ID}.json`]: JSON.stringify(LOCK),
            [`dev/${LOCK_ID}.json.tmp`]: JSON.stringify({ ...LOCK, pid: 1 }),
            [`review-main/${LOCK_ID}.json`]: JSON.stringify({ ...LOCK, pid: 2 }),
        });
        assert.deepStrictEqual(holders(stackLocks(`file://${state}`, "dev")), [LOCK.pid]);
    });
    it("leave out a lock file caught half written", () => {
        const state = stateWith({ [`dev/${LOCK_ID}.json`]: '{"pid":42' });
        assert.deepStrictEqual(stackLocks(`file://${state}`, "dev"), []);
    });
});
