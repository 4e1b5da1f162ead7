// The project's stacks through the Automation API (automation/stacks.ts), with a stand-in `pulumi`
// on the PATH that answers as the CLI does and records how it was called.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lazyStackStore, localStackStore, StackStore } from "../automation/stacks";

const STACKS = [{ name: "dev", current: true, lastUpdate: "2026-11-27T11:00:00.000Z", updateInProgress: false, resourceCount: 31 }];
const CONFIG = { "vaultnomad:vaultPort": { value: "8200", secret: false } };

/** A folder with a `pulumi` that answers version, stack ls and config as the CLI does; each call is logged. */
function standInCli(): { dir: string; calls: () => string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
    const log = path.join(dir, "calls.log");
    const script = [
        "#!/bin/sh",
        `echo "$PWD|$PULUMI_BACKEND_URL|$*" >> '${log}'`,
        'case "$1 $2" in',
        '  "version "*) echo v3.150.0 ;;',
        `  "stack ls") echo '${JSON.stringify(STACKS)}' ;;`,
        `  "config --show-secrets") echo '${JSON.stringify(CONFIG)}' ;;`,
        "esac",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "pulumi"), `${script}\n`, { mode: 0o755 });
    return { dir, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []) };
}

describe("the project's stacks", function () {
    this.timeout(30_000);
    const savedPath = process.env.PATH;
    let cli: ReturnType<typeof standInCli>;
    let project: string;
    let store: StackStore;
    const ENV = { PULUMI_BACKEND_URL: "file:///tmp/vaultnomad-state" };
    beforeEach(async () => {
        cli = standInCli();
        process.env.PATH = `${cli.dir}:${savedPath}`;
        project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-project-")));
        store = await localStackStore(project, ENV);
    });
    afterEach(() => {
        process.env.PATH = savedPath;
    });
    /** The CLI's arguments for each call after `pulumi version`, without the flag every call gets. */
    const argsOf = () =>
        cli
            .calls()
            .map((line) => line.split("|")[2].replace(/ --non-interactive$/, ""))
            .filter((args) => args !== "version");

    it("lists them as the CLI does", async () => {
        assert.deepStrictEqual([await store.list(), argsOf()], [STACKS, ["stack ls --json"]]);
    });
    it("read a stack's config, secrets included", async () => {
        assert.deepStrictEqual([await store.configOf("dev"), argsOf()], [CONFIG, ["config --show-secrets --json --stack dev"]]);
    });
    it("select an existing stack by name", async () => {
        assert.deepStrictEqual([(await store.select("dev")).name, argsOf()], ["dev", ["stack select --stack dev"]]);
    });
    it("select a stack that may not exist yet", async () => {
        assert.deepStrictEqual([(await store.createOrSelect("review-a")).name, argsOf()], ["review-a", ["stack select --stack review-a"]]);
    });
    it("remove a stack with the options asked for", async () => {
        await store.remove("review-a", { force: true, preserveConfig: true });
        assert.deepStrictEqual(argsOf(), ["stack rm --yes --force --preserve-config review-a"]);
    });
    it("run the CLI in the project folder, with the driver's backend", async () => {
        await store.list();
        const listing = cli.calls().find((line) => line.includes("|stack ls"));
        assert.deepStrictEqual(listing?.split("|").slice(0, 2), [project, ENV.PULUMI_BACKEND_URL]);
    });
});

describe("stacks opened on first use", () => {
    /** A store that records each call, by method and arguments. */
    function recordingStore(calls: string[]): StackStore {
        const record =
            (method: string) =>
            async (...args: unknown[]): Promise<any> => {
                calls.push(`${method} ${JSON.stringify(args)}`);
                return method;
            };
        return {
            createOrSelect: record("createOrSelect"),
            select: record("select"),
            list: record("list"),
            configOf: record("configOf"),
            remove: record("remove"),
        };
    }

    it("open nothing until a stack is asked for", () => {
        let opened = 0;
        lazyStackStore(async () => {
            opened++;
            return recordingStore([]);
        });
        assert.strictEqual(opened, 0);
    });
    it("open the workspace once, however many calls follow", async () => {
        let opened = 0;
        const store = lazyStackStore(async () => {
            opened++;
            return recordingStore([]);
        });
        await store.list();
        await store.select("dev");
        assert.strictEqual(opened, 1);
    });
    it("hand each call, with its arguments and answer, to the store they opened", async () => {
        const calls: string[] = [];
        const store = lazyStackStore(async () => recordingStore(calls));
        const answers = [
            await store.createOrSelect("review-a"),
            await store.select("dev"),
            await store.list(),
            await store.configOf("dev"),
            await store.remove("review-a", { force: true }),
        ];
        assert.deepStrictEqual(
            [answers, calls],
            [
                ["createOrSelect", "select", "list", "configOf", "remove"],
                ['createOrSelect ["review-a"]', 'select ["dev"]', "list []", 'configOf ["dev"]', 'remove ["review-a",{"force":true}]'],
            ],
        );
    });
});
