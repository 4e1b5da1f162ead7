// destroy when a reboot or `docker system prune` took the demo's agent containers: state-only removal.
import * as assert from "assert";
import { EXIT } from "../automation/exitCodes";
import { ContainerState } from "../automation/preflight";
import { stackNameForBranch } from "../automation/reviewStacks";
import { drive, healthyProbes } from "./driverHarness";
import { FakeResource, FakeStacks } from "./fakeStackStore";

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::vaultnomad::${type}::${name}`;

/** A demo stack's state, as exportStack lists it (a few of its resources). */
function demoResources(stack: string): FakeResource[] {
    const prefix = `vaultnomad-${stack}`;
    return [
        { urn: urn(stack, "pulumi:pulumi:Stack", `vaultnomad-${stack}`), type: "pulumi:pulumi:Stack" },
        { urn: urn(stack, "pulumi:providers:docker", "default_4_11_2"), type: "pulumi:providers:docker" },
        {
            urn: urn(stack, "docker:index/remoteImage:RemoteImage", "vault-image"),
            type: "docker:index/remoteImage:RemoteImage",
            outputs: { name: "hashicorp/vault:2.0.4", keepLocally: true },
        },
        {
            urn: urn(stack, "docker:index/container:Container", "vault-container"),
            type: "docker:index/container:Container",
            outputs: { name: `${prefix}-vault` },
        },
        {
            urn: urn(stack, "docker:index/container:Container", "nomad-container"),
            type: "docker:index/container:Container",
            outputs: {
                name: `${prefix}-nomad`,
                volumes: [
                    { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" },
                    { hostPath: `/tmp/vaultnomad/${prefix}/nomad`, containerPath: `/tmp/vaultnomad/${prefix}/nomad` },
                ],
            },
        },
        { urn: urn(stack, "vault:jwt/authBackend:AuthBackend", "identity-jwt"), type: "vault:jwt/authBackend:AuthBackend" },
        { urn: urn(stack, "nomad:index/job:Job", "mongo-job"), type: "nomad:index/job:Job" },
    ];
}

const withContainers = (state: ContainerState) => ({ ...healthyProbes, containerState: async () => state });

describe("destroy, when the agent containers are gone", () => {
    const dev = () => new FakeStacks().add("dev", { resources: demoResources("dev") });

    it("destroys as usual while the agents run", async () => {
        const stacks = dev();
        await drive(["destroy"], { stacks, probes: withContainers("running") });
        assert.deepStrictEqual(stacks.calls, ["destroy dev"]);
    });
    it("without --force and without a terminal, changes nothing and says how (exit 3)", async () => {
        const stacks = dev();
        const { code, err } = await drive(["destroy"], { stacks, probes: withContainers("missing") });
        assert.deepStrictEqual([code, stacks.calls, /pass --force/.test(err)], [EXIT.preflight, [], true]);
    });
    it("prints exactly what is removed from the state, and what may still exist", async () => {
        const { out } = await drive(["destroy", "--force"], { stacks: dev(), probes: withContainers("missing") });
        assert.strictEqual(
            out,
            [
                "The agent containers of dev no longer run (vaultnomad-dev-vault: missing, vaultnomad-dev-nomad: missing). " +
                    "Whatever Vault and Nomad held went with them, so destroy cannot reach them to delete it.",
                "Removing dev from the state only forgets these 5 resources:",
                "  docker:index/remoteImage:RemoteImage vault-image",
                "  docker:index/container:Container vault-container",
                "  docker:index/container:Container nomad-container",
                "  vault:jwt/authBackend:AuthBackend identity-jwt",
                "  nomad:index/job:Job mongo-job",
                "What may still exist on this host:",
                "  host folder /tmp/vaultnomad/vaultnomad-dev/nomad (Nomad's data, written as root): sudo rm -rf /tmp/vaultnomad/vaultnomad-dev/nomad",
                "  image hashicorp/vault:2.0.4 (kept on purpose; other stacks may use it)",
                "  containers Nomad started for the jobs, if any outlived it: docker ps -a --filter label=com.hashicorp.nomad.alloc_id",
                "Removed dev from the state.",
            ].join("\n"),
        );
    });
    it("with --force, removes the stack from the state only, keeping its config file", async () => {
        const stacks = dev();
        await drive(["destroy", "--force"], { stacks, probes: withContainers("missing") });
        assert.deepStrictEqual(stacks.calls, ["remove dev --force --preserve-config"]);
    });
    it("asks first on a terminal", async () => {
        const stacks = dev();
        const questions: string[] = [];
        await drive(["destroy"], { stacks, probes: withContainers("missing"), confirm: async (q) => (questions.push(q), true) });
        assert.deepStrictEqual([questions, stacks.calls], [["Remove dev from the state only?"], ["remove dev --force --preserve-config"]]);
    });
    it("names a stopped agent container among what still exists", async () => {
        const { out } = await drive(["destroy", "--force"], { stacks: dev(), probes: withContainers("stopped") });
        assert.match(out, /\n {2}container vaultnomad-dev-vault \(stopped\): docker rm -f vaultnomad-dev-vault\n/);
    });
    it("review destroy --force removes the review stack and its config file", async () => {
        const name = stackNameForBranch("feat/jwt");
        const stacks = new FakeStacks().add(name, { resources: demoResources(name) });
        await drive(["review", "destroy", "--force"], { stacks, probes: withContainers("missing") });
        assert.deepStrictEqual(stacks.calls, [`remove ${name} --force`]);
    });
    it("destroys as usual while any one agent still runs", async () => {
        const stacks = dev();
        const probes = {
            ...healthyProbes,
            containerState: async (name: string) => (name.endsWith("-vault") ? "running" : "missing"),
        } as const;
        await drive(["destroy"], { stacks, probes });
        assert.deepStrictEqual(stacks.calls, ["destroy dev"]);
    });
    it("names a container by its URN when its state records no name", async () => {
        const stacks = new FakeStacks().add("dev", {
            resources: demoResources("dev").map((r) => (r.type === "docker:index/container:Container" ? { urn: r.urn, type: r.type } : r)),
        });
        const { out } = await drive(["destroy", "--force"], { stacks, probes: withContainers("missing") });
        assert.match(out, /^The agent containers of dev no longer run \(vault-container: missing, nomad-container: missing\)/);
    });
    it("names only the images the stack kept on purpose", async () => {
        const removed: FakeResource = {
            urn: urn("dev", "docker:index/remoteImage:RemoteImage", "mongo-image"),
            type: "docker:index/remoteImage:RemoteImage",
            outputs: { name: "mongo:7.0.14", keepLocally: false },
        };
        const unnamed: FakeResource = {
            urn: urn("dev", "random:index/randomUuid:RandomUuid", "nomad-acl-secret"),
            type: "random:index/randomUuid:RandomUuid",
        };
        const stacks = new FakeStacks().add("dev", { resources: [...demoResources("dev"), removed, unnamed] });
        const { out } = await drive(["destroy", "--force"], { stacks, probes: withContainers("missing") });
        assert.deepStrictEqual(
            out.split("\n").filter((line) => line.startsWith("  image ")),
            ["  image hashicorp/vault:2.0.4 (kept on purpose; other stacks may use it)"],
        );
    });
    it("review destroy says it removed the stack once its resources are destroyed", async () => {
        const name = stackNameForBranch("feat/jwt");
        const stacks = new FakeStacks().add(name, { resources: demoResources(name) });
        const { out } = await drive(["review", "destroy"], { stacks, probes: withContainers("running") });
        assert.deepStrictEqual(
            [stacks.calls, out.split("\n").includes(`Removed stack ${name}.`)],
            [[`destroy ${name}`, `remove ${name}`], true],
        );
    });
    it("never takes the shortcut for an external stack", async () => {
        const stacks = new FakeStacks().add("prod", {
            config: { "vaultnomad:mode": { value: "external" } },
            resources: demoResources("prod"),
        });
        await drive(["destroy", "--stack", "prod", "--force", "--skip-reachability"], { stacks, probes: withContainers("missing") });
        assert.deepStrictEqual(stacks.calls, ["destroy prod"]);
    });
});
