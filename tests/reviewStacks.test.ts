// Branch → stack name, and the ports of review stacks side by side.
import * as assert from "assert";
import { allocateSlot, portsForSlot, slotOfPorts, SLOTS, stackNameForBranch } from "../automation/reviewStacks";
import { loadSettings } from "../settings";

/** What the local backend and Docker container names accept, with room for the suffixes. */
const VALID_STACK = /^review-[a-z0-9]+(-[a-z0-9]+)*$/;

describe("review stack names", () => {
    const table: Array<[string, string | RegExp]> = [
        ["main", "review-main"],
        ["feat-jwt", "review-feat-jwt"],
        ["feat/JWT", /^review-feat-jwt-[0-9a-f]{6}$/],
        ["feat/jwt", /^review-feat-jwt-[0-9a-f]{6}$/],
        ["Feat/Jwt", /^review-feat-jwt-[0-9a-f]{6}$/],
        ["release/1.10.x", /^review-release-1-10-x-[0-9a-f]{6}$/],
        ["user/alice/fix.kv.path", /^review-user-alice-fix-kv-path-[0-9a-f]{6}$/],
        ["fix_underscores", /^review-fix-underscores-[0-9a-f]{6}$/],
        ["café-crème", /^review-cafe-creme-[0-9a-f]{6}$/],
        ["日本語", /^review-[0-9a-f]{6}$/],
        ["---", /^review-[0-9a-f]{6}$/],
        ["-feat", /^review-feat-[0-9a-f]{6}$/],
        ["feat-", /^review-feat-[0-9a-f]{6}$/],
        ["a".repeat(41), `review-${"a".repeat(41)}`],
        ["a".repeat(42), /^review-a{34}-[0-9a-f]{6}$/],
        ["a".repeat(200), /^review-a{34}-[0-9a-f]{6}$/],
        [`${"a".repeat(33)}/${"b".repeat(20)}`, /^review-a{33}-[0-9a-f]{6}$/],
        [`feature/${"very-long-name-".repeat(10)}end`, /^review-feature-very-long-name-very-long-n-[0-9a-f]{6}$/],
        ["dependabot/npm_and_yarn/@pulumi/pulumi-3.248.0", /^review-dependabot-npm-and-yarn-pulumi-pul-[0-9a-f]{6}$/],
        ["HEAD~1", /^review-head-1-[0-9a-f]{6}$/],
        ["12345", "review-12345"],
    ];

    for (const [branch, expected] of table) {
        it(`${JSON.stringify(branch.length > 40 ? `${branch.slice(0, 37)}...` : branch)} → ${String(expected)}`, () => {
            const name = stackNameForBranch(branch);
            if (typeof expected === "string") {
                assert.strictEqual(name, expected);
            } else {
                assert.match(name, expected);
            }
        });
    }
    it("are valid stack and container names of at most 48 characters", () => {
        const invalid = table.map(([branch]) => stackNameForBranch(branch)).filter((name) => !VALID_STACK.test(name) || name.length > 48);
        assert.deepStrictEqual(invalid, []);
    });
    it("are distinct for distinct branches, even those that sanitise alike", () => {
        const names = table.map(([branch]) => stackNameForBranch(branch));
        assert.strictEqual(new Set(names).size, names.length);
    });
    it("are the same for the same branch", () => {
        assert.strictEqual(stackNameForBranch("feat/JWT"), stackNameForBranch("feat/JWT"));
    });
    it("refuse an empty branch", () => {
        assert.throws(() => stackNameForBranch("  "), /needs a branch name/);
    });
});

/** A stack whose name hashes to a slot below `limit`, so that the slots above it exist. */
function firstSlotBelow(limit: number): { name: string; slot: number } {
    for (let i = 0; ; i++) {
        const name = `review-${i}`;
        const slot = allocateSlot(name, []);
        if (slot < limit) {
            return { name, slot };
        }
    }
}

describe("review stack ports", () => {
    const allPorts = (slot: number) => {
        const ports = portsForSlot(slot);
        return [...Object.values(ports), ports.vaultPort + 1];
    };

    it("give 20 stacks side by side no port in common", () => {
        const slots: number[] = [];
        for (let i = 0; i < 20; i++) {
            slots.push(allocateSlot(stackNameForBranch(`feature/${i}`), slots));
        }
        const ports = slots.flatMap(allPorts);
        assert.strictEqual(new Set(ports).size, ports.length);
    });
    it("probe past a slot another stack holds", () => {
        const wanted = allocateSlot("review-a", []);
        assert.notStrictEqual(allocateSlot("review-a", [wanted]), wanted);
    });
    it("give the same stack the same ports twice", () => {
        assert.deepStrictEqual(portsForSlot(allocateSlot("review-main", [3, 4])), portsForSlot(allocateSlot("review-main", [3, 4])));
    });
    it("start each stack at the slot its name hashes to, spread over all the blocks", () => {
        const starts = Array.from({ length: 20 }, (_, i) => allocateSlot(stackNameForBranch(`feature/${i}`), []));
        assert.ok(new Set(starts).size >= 18 && starts.every((slot) => slot >= 0 && slot < SLOTS), String(starts));
    });
    it("probe upwards from the wanted slot, to the first free one", () => {
        const wanted = firstSlotBelow(SLOTS - 3);
        assert.strictEqual(allocateSlot(wanted.name, [wanted.slot, wanted.slot + 1]), wanted.slot + 2);
    });
    it("wrap around from the last block to the first", () => {
        const wanted = firstSlotBelow(SLOTS - 3);
        const toTheEnd = Array.from({ length: SLOTS - wanted.slot }, (_, i) => wanted.slot + i);
        assert.strictEqual(allocateSlot(wanted.name, toTheEnd), 0);
    });
    it("refuse when every block is taken, asking to prune", () => {
        const all = Array.from({ length: SLOTS }, (_, i) => i);
        assert.throws(() => allocateSlot("review-main", all), /all 1000 review-stack port blocks are taken; prune old review stacks/);
    });
    it("read back the slot from a stack's stored ports", () => {
        assert.strictEqual(slotOfPorts(portsForSlot(417)), 417);
    });
    it("read back the first and the last slot", () => {
        assert.deepStrictEqual([slotOfPorts(portsForSlot(0)), slotOfPorts(portsForSlot(SLOTS - 1))], [0, SLOTS - 1]);
    });
    it("read no slot from ports outside the review blocks", () => {
        const outside = [portsForSlot(-1).vaultPort, portsForSlot(SLOTS).vaultPort, 8200, 10005];
        assert.deepStrictEqual(
            outside.map((vaultPort) => slotOfPorts({ vaultPort })),
            outside.map(() => undefined),
        );
    });
    it("stay clear of the dev stack's ports", () => {
        const dev = loadSettings({}, "dev");
        const devPorts = [dev.vaultPort, dev.vaultPort + 1, dev.nomadHttpPort, dev.nomadRpcPort, dev.nomadSerfPort, dev.mongoPort];
        const clashes = [0, 500, 999].flatMap(allPorts).filter((port) => devPorts.includes(port));
        assert.deepStrictEqual(clashes, []);
    });
    it("pass the program's own port checks", () => {
        const ports = Object.fromEntries(Object.entries(portsForSlot(999)).map(([k, v]) => [`vaultnomad:${k}`, String(v)]));
        assert.doesNotThrow(() => loadSettings(ports, "review-x"));
    });
});
