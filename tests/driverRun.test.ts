// What every driver command shares (automation/driver.ts): one operation's progress and summary,
// outputs as printed, the confirmation of a destructive step, the choice of an existing stack.
import * as assert from "assert";
import {
    confirmOrRefuse,
    maskedOutputs,
    MissingStackError,
    NotConfirmedError,
    printOutputs,
    run,
    selectExisting,
} from "../automation/driver";
import { DriverStack } from "../automation/stacks";
import { fakeDriver } from "./driverHarness";
import { FakeStacks } from "./fakeStackStore";

/** A stack whose up streams `chunk` as the CLI does, and changes nothing. */
const streaming = (chunk: string) =>
    ({
        name: "dev",
        up: async (options: { onOutput: (text: string) => void }) => {
            options.onOutput(chunk);
            return { summary: { resourceChanges: {} }, outputs: {} };
        },
    }) as unknown as DriverStack;

describe("one operation of the driver", () => {
    it("prints each chunk of the engine's output without its last line break, keeping the others", async () => {
        const { driver, out } = fakeDriver();
        await run("up", streaming("Updating (dev)\n\n +  vault created\n"), driver);
        assert.strictEqual(out[1], "Updating (dev)\n\n +  vault created");
    });
    it("says that an interrupted run is to be run again, or cancelled", async () => {
        const abort = new AbortController();
        abort.abort();
        const { driver } = fakeDriver({ signal: abort.signal });
        await assert.rejects(run("up", streaming(""), driver), {
            message: "up dev was interrupted; run it again to finish, or `pulumi cancel` if the stack stays locked.",
        });
    });
});

describe("a stack's outputs", () => {
    it("are sorted by name", () => {
        const shown = maskedOutputs({ vaultAddress: { value: "v", secret: false }, nomadAddress: { value: "n", secret: false } }, false);
        assert.deepStrictEqual(Object.keys(shown), ["nomadAddress", "vaultAddress"]);
    });
    it("are printed one a line: a string as it is, anything else as JSON", () => {
        const { driver, out } = fakeDriver();
        printOutputs({ address: "http://v:8200", ports: [8200, 4646] }, driver);
        assert.deepStrictEqual(out, ["address: http://v:8200", "ports: [8200,4646]"]);
    });
});

describe("a destructive step", () => {
    it("that the user refuses changes nothing, and says so", async () => {
        const { driver } = fakeDriver({ confirm: async () => false });
        await assert.rejects(confirmOrRefuse("Destroy?", false, "--yes", driver), new NotConfirmedError("Nothing was changed."));
    });
});

describe("an existing stack", () => {
    it("that is missing is named, with the command that creates it", async () => {
        const { driver } = fakeDriver();
        await assert.rejects(
            selectExisting("qa", driver),
            new MissingStackError("There is no stack named qa. `npm run stack -- up --stack qa` creates it."),
        );
    });
    it("that cannot be selected for another reason fails with that reason", async () => {
        const stacks = Object.assign(new FakeStacks(), {
            select: async () => Promise.reject(new Error("incorrect passphrase")),
        });
        const { driver } = fakeDriver({ stacks });
        await assert.rejects(selectExisting("dev", driver), { message: "incorrect passphrase", name: "Error" });
    });
});
