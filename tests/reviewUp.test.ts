// review up on a real git work tree, and two review ups racing for the same block of ports.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveEnvironment } from "../automation/environment";
import { EXIT } from "../automation/exitCodes";
import { withFileLock } from "../automation/fileLock";
import { localGit } from "../automation/git";
import { allocateSlot, stackNameForBranch } from "../automation/reviewStacks";
import { drive, tempProject } from "./driverHarness";
import { FakeStacks } from "./fakeStackStore";
import { committedRepo, git } from "./gitRepos";

/** Two branches whose stacks hash to the same slot. */
function branchesSharingASlot(): [string, string] {
    const bySlot = new Map<number, string>();
    for (let i = 0; ; i++) {
        const branch = `feature/${i}`;
        const slot = allocateSlot(stackNameForBranch(branch), []);
        const other = bySlot.get(slot);
        if (other !== undefined) {
            return [other, branch];
        }
        bySlot.set(slot, branch);
    }
}

describe("review up", function () {
    this.timeout(20_000);

    describe("on a clean git work tree", () => {
        let repo: string;
        beforeEach(() => {
            repo = committedRepo();
        });
        const upIn = (repo: string, stacks: FakeStacks, ...args: string[]) =>
            drive(["review", "up", ...args], {
                stacks,
                git: localGit(repo),
                environment: () => resolveEnvironment(repo, {}),
            });

        it("runs twice in a row: the driver's own files do not make the tree dirty", async () => {
            const stacks = new FakeStacks(repo);
            const first = await upIn(repo, stacks);
            const second = await upIn(repo, stacks);
            const written = fs.readdirSync(repo).filter((f) => f.startsWith("Pulumi.review-") || f === ".pulumi-state");
            assert.deepStrictEqual([first.code, second.code, written.length], [EXIT.ok, EXIT.ok, 2]);
        });
        it("refuses an uncommitted change of the project, with --branch too (exit 3)", async () => {
            fs.appendFileSync(path.join(repo, "index.ts"), "// edited\n");
            const { code, err } = await upIn(repo, new FakeStacks(repo), "--branch", "feat/jwt");
            assert.deepStrictEqual([code, /uncommitted changes/.test(err)], [EXIT.preflight, true]);
        });
        it("refuses an untracked file of the project (exit 3)", async () => {
            fs.writeFileSync(path.join(repo, "Pulumi.review-notes.txt"), "");
            assert.strictEqual((await upIn(repo, new FakeStacks(repo))).code, EXIT.preflight);
        });
        it("does not count the encryption salt a stack's first run adds to its committed config file", async () => {
            fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), "config:\n  vaultnomad:vaultPort: 8200\n");
            git(repo, "add", "-A");
            git(repo, "commit", "--quiet", "-m", "dev config");
            fs.appendFileSync(path.join(repo, "Pulumi.dev.yaml"), "encryptionsalt: v1:JdXkx0m7q0k=:v1:AbCd0123:Ef45==\n");
            assert.strictEqual((await upIn(repo, new FakeStacks(repo))).code, EXIT.ok);
        });
        it("counts any other change of a committed config file (exit 3)", async () => {
            fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), "config:\n  vaultnomad:vaultPort: 8200\n");
            git(repo, "add", "-A");
            git(repo, "commit", "--quiet", "-m", "dev config");
            fs.appendFileSync(path.join(repo, "Pulumi.dev.yaml"), "  vaultnomad:audience: other\nencryptionsalt: v1:JdXkx0m7q0k=\n");
            assert.strictEqual((await upIn(repo, new FakeStacks(repo))).code, EXIT.preflight);
        });
        it("takes uncommitted changes with --allow-dirty", async () => {
            fs.appendFileSync(path.join(repo, "index.ts"), "// edited\n");
            assert.strictEqual((await upIn(repo, new FakeStacks(repo), "--allow-dirty")).code, EXIT.ok);
        });
    });

    describe("ports", () => {
        it("gives two stacks started together for branches of the same slot distinct blocks", async () => {
            const [a, b] = branchesSharingASlot();
            // Every backend call takes a few milliseconds, as a real one does, so the two runs interleave.
            const stacks = new FakeStacks(undefined, 5);
            const project = tempProject();
            const environment = () => resolveEnvironment(project, {});
            const runs = await Promise.all([a, b].map((branch) => drive(["review", "up", "--branch", branch], { stacks, environment })));
            const ports = [a, b].map((branch) => stacks.stacks.get(stackNameForBranch(branch))!.config["vaultnomad:vaultPort"].value);
            assert.deepStrictEqual([runs.map((r) => r.code), ports[0] !== ports[1]], [[EXIT.ok, EXIT.ok], true]);
        });
    });
});

describe("the port lock", () => {
    const lockFile = () => path.join(tempProject(), "review-ports.lock");

    it("lets one holder in at a time", async () => {
        const file = lockFile();
        const inside: number[] = [];
        let most = 0;
        const step = async () => {
            inside.push(1);
            most = Math.max(most, inside.length);
            await new Promise((resolve) => setTimeout(resolve, 10));
            inside.pop();
        };
        await Promise.all([1, 2, 3].map(() => withFileLock(file, step, { processAlive: () => true })));
        assert.deepStrictEqual([most, fs.existsSync(file)], [1, false]);
    });
    it("takes over a lock whose holder died on this host", async () => {
        const file = lockFile();
        fs.writeFileSync(file, JSON.stringify({ pid: 999999, hostname: os.hostname(), since: "2026-11-27T11:00:00Z" }));
        const result = await withFileLock(file, async () => "in", { processAlive: (pid) => pid !== 999999, timeoutMs: 200 });
        assert.strictEqual(result, "in");
    });
    it("takes over a dead holder's lock that another waiter removed first", async () => {
        const file = lockFile();
        fs.writeFileSync(file, JSON.stringify({ pid: 999999, hostname: os.hostname(), since: "2026-11-27T11:00:00Z" }));
        const otherWaiterRemovesIt = () => (fs.rmSync(file), false);
        assert.strictEqual(await withFileLock(file, async () => "in", { processAlive: otherWaiterRemovesIt, timeoutMs: 200 }), "in");
    });
    it("returns the step's result even when the step's lock file vanished meanwhile", async () => {
        const file = lockFile();
        const removesTheLock = async () => (fs.rmSync(file), "in");
        assert.strictEqual(await withFileLock(file, removesTheLock, { processAlive: () => true }), "in");
    });
    it("waits for a holder still running on this host", async () => {
        const file = lockFile();
        fs.writeFileSync(file, JSON.stringify({ pid: 4242, hostname: os.hostname(), since: "2026-11-27T11:00:00Z" }));
        await assert.rejects(
            withFileLock(file, async () => "in", { processAlive: () => true, timeoutMs: 100 }),
            /is held by pid 4242/,
        );
    });
    it("waits for a holder on another host, even when no process of that pid runs here", async () => {
        const file = lockFile();
        fs.writeFileSync(file, JSON.stringify({ pid: 4242, hostname: "build-7", since: "2026-11-27T11:00:00Z" }));
        await assert.rejects(
            withFileLock(file, async () => "in", { processAlive: () => false, timeoutMs: 100 }),
            /is held by pid 4242/,
        );
    });
    it("waits on a lock file it cannot read, and says so when giving up", async () => {
        const file = lockFile();
        fs.writeFileSync(file, "");
        await assert.rejects(
            withFileLock(file, async () => "in", { processAlive: () => false, timeoutMs: 100 }),
            /review-ports\.lock is held by another process; if that process is gone, delete the file\./,
        );
    });
    it("fails at once with the system's error when the lock cannot be created", async () => {
        const file = path.join(tempProject(), "no-such-folder", "review-ports.lock");
        await assert.rejects(
            withFileLock(file, async () => "in", { processAlive: () => false, timeoutMs: 1_000 }),
            { code: "ENOENT" },
        );
    });
    it("waits for a live holder, and names it when giving up", async () => {
        const file = lockFile();
        fs.writeFileSync(file, JSON.stringify({ pid: 4242, hostname: "build-7", since: "2026-11-27T11:00:00Z" }));
        await assert.rejects(
            withFileLock(file, async () => "in", { processAlive: () => true, timeoutMs: 100 }),
            /review-ports\.lock is held by pid 4242 on build-7 since 2026-11-27T11:00:00Z/,
        );
    });
});
