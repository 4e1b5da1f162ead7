// Runs the driver's commands against the fake stack store, a fake git and fake probes.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap } from "@pulumi/pulumi/automation";
import { Driver, runCommand } from "../automation/commands";
import { resolveEnvironment } from "../automation/environment";
import { Git } from "../automation/git";
import { Probes } from "../automation/preflight";
import { portsForSlot } from "../automation/reviewStacks";
import { FakeStacks, NOW } from "./fakeStackStore";

export const healthyProbes: Probes = {
    nodeVersion: "v24.21.0",
    pulumiVersion: async () => "v3.200.0",
    dockerPing: async () => undefined,
    portInUse: async () => false,
    portOwner: async () => undefined,
    httpAnswers: async () => undefined,
    containerState: async () => "running",
    processAlive: () => true,
    hostname: "build-7",
};

/** A clean checkout of feat/jwt whose branches all exist. */
export function fakeGit(overrides: Partial<Git> = {}): Git {
    return {
        currentBranch: async () => "feat/jwt",
        liveBranches: async () => ({ known: true, branches: new Set(["main", "feat/jwt"]) }),
        isDirty: async () => false,
        ...overrides,
    };
}

export function reviewConfig(branch: string, slot: number): ConfigMap {
    const ports = Object.entries(portsForSlot(slot)).map(([key, port]) => [`vaultnomad:${key}`, { value: String(port) }]);
    return { ...Object.fromEntries(ports), "vaultnomad:reviewBranch": { value: branch } };
}

/** A project folder of its own, for the state folder, its passphrase and the port lock. */
export function tempProject(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-driver-"));
}

export interface Run {
    code: number;
    out: string;
    err: string;
}

const sharedProject = tempProject();

/** A driver over the fakes, and what it printed on stdout and stderr. */
export function fakeDriver(overrides: Partial<Driver> & { stacks?: FakeStacks } = {}): { driver: Driver; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const driver: Driver = {
        stacks: new FakeStacks(),
        git: fakeGit(),
        probes: healthyProbes,
        out: (text) => out.push(text),
        err: (text) => err.push(text),
        now: () => NOW,
        environment: () => resolveEnvironment(sharedProject, {}),
        env: {},
        projectDir: sharedProject,
        ...overrides,
    };
    return { driver, out, err };
}

export async function drive(argv: string[], overrides: Partial<Driver> & { stacks?: FakeStacks } = {}): Promise<Run> {
    const { driver, out, err } = fakeDriver(overrides);
    const code = await runCommand(argv, driver);
    return { code, out: out.join("\n"), err: err.join("\n") };
}
