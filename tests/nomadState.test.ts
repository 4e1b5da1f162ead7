// What Nomad says of a job's allocations (verify/nomadState.ts), from fixtures of its real answers.
import * as assert from "assert";
import { allocations, lastEvent } from "../verify/nomadState";
import { Target } from "../verify/types";
import { readFixture, served } from "./apiFixtures";
import { FakeServer, fakeServer } from "./fakeHttp";

const [ALLOC] = readFixture("nomad.job-allocations").body;
const allocWith = (fields: Record<string, unknown>) => ({ ...ALLOC, ...fields });
const event = (Type: string, DisplayMessage: string, Message = "") => ({ Type, Time: 1700000020000000000, DisplayMessage, Message });

describe("a job's allocations", () => {
    let nomad: FakeServer | undefined;
    afterEach(() => nomad?.close());
    const target = () => ({ nomadAddress: nomad!.address, nomadToken: "t", nomadNamespace: "default" }) as Target;

    it("come newest first", async () => {
        const created = [12, 40, 7];
        nomad = await fakeServer(() =>
            served("nomad.job-allocations", () => created.map((CreateIndex, i) => allocWith({ ID: `a${i}`, CreateIndex }))),
        );
        assert.deepStrictEqual(
            (await allocations(target(), "mongo")).map((a) => a.ID),
            ["a1", "a0", "a2"],
        );
    });
    it("are none when Nomad answers with no list", async () => {
        nomad = await fakeServer(() => ({ status: 404, body: "job not found", contentType: "text/plain" }));
        assert.deepStrictEqual(await allocations(target(), "mongo"), []);
    });
});

describe("an allocation's last event", () => {
    it("is the last event of its tasks, with its display message", () => {
        const alloc = allocWith({
            TaskStates: {
                mongo: {
                    ...ALLOC.TaskStates.mongo,
                    Events: [event("Received", "Task received by client"), event("Driver Failure", "failed to pull image")],
                },
            },
        });
        assert.strictEqual(lastEvent(alloc), "Driver Failure: failed to pull image");
    });
    it("falls back on the event's message when it has no display message", () => {
        const alloc = allocWith({ TaskStates: { mongo: { ...ALLOC.TaskStates.mongo, Events: [event("Killing", "", "Sent interrupt")] } } });
        assert.strictEqual(lastEvent(alloc), "Killing: Sent interrupt");
    });
    it("is its type alone when the event says nothing more", () => {
        const alloc = allocWith({ TaskStates: { mongo: { ...ALLOC.TaskStates.mongo, Events: [event("Started", "")] } } });
        assert.strictEqual(lastEvent(alloc), "Started:");
    });
    it("is none for an allocation whose tasks have not started (no task states, or no events)", () => {
        assert.deepStrictEqual(
            [
                lastEvent(allocWith({ TaskStates: null })),
                lastEvent(allocWith({ TaskStates: { mongo: { ...ALLOC.TaskStates.mongo, Events: null } } })),
                lastEvent(undefined),
            ],
            ["no task events", "no task events", "no task events"],
        );
    });
});
