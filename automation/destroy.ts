// destroy and review destroy, with the way out when the demo's agents are gone: a host reboot or
// `docker system prune` took the containers, and everything Vault and Nomad held went with them,
// so the engine cannot reach them to delete it. Then only the state is left to remove.
import { confirmOrRefuse, Driver, OperationSummary, Options, progress, run, selectExisting } from "./driver";
import { ContainerState } from "./preflight";
import { preflightStack, preflightTools } from "./stackChecks";
import { DriverStack } from "./stacks";

/** A resource as `exportStack` lists it. */
interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly outputs?: Record<string, unknown>;
}

/** What a state-only removal forgets, and what it cannot vouch for. */
export interface ForgetPlan {
    readonly agents: Array<{ readonly name: string; readonly state: ContainerState }>;
    readonly forgotten: string[];
    readonly mayStillExist: string[];
}

export type DestroyResult = OperationSummary | { readonly stack: string; readonly removedFromStateOnly: ForgetPlan };

/**
 * Destroys the stack's resources and, for review stacks, removes the stack. A demo stack whose agent
 * containers no longer run is offered a state-only removal instead; an external stack never is.
 */
export async function destroyStack(name: string, options: Options, driver: Driver, remove: boolean): Promise<DestroyResult> {
    await preflightTools(driver, "demo");
    const stack = await selectExisting(name, driver);
    const mode = await preflightStack(stack, "destroy", driver, options);
    const plan = mode === "demo" ? await forgetPlan(stack, driver) : undefined;
    if (plan) {
        await forget(stack.name, plan, options, driver, remove);
        return { stack: stack.name, removedFromStateOnly: plan };
    }
    const summary = await run("destroy", stack, driver);
    if (remove) {
        await driver.stacks.remove(name);
        progress(driver)(`Removed stack ${name}.`);
    }
    return summary;
}

/** A plan when the stack has agent containers and none of them runs; undefined otherwise. */
export async function forgetPlan(stack: DriverStack, driver: Driver): Promise<ForgetPlan | undefined> {
    const resources = ((await stack.exportStack()).deployment?.resources ?? []) as StateResource[];
    const containers = resources.filter((r) => r.type === "docker:index/container:Container");
    const agents = await Promise.all(
        containers.map(async (c) => {
            const name = String(c.outputs?.name ?? nameOf(c.urn));
            return { name, state: await driver.probes.containerState(name) };
        }),
    );
    if (agents.length === 0 || agents.some((a) => a.state === "running")) {
        return undefined;
    }
    const folders = containers.flatMap((c) => ((c.outputs?.volumes ?? []) as Array<{ hostPath?: string }>).map((v) => v.hostPath ?? ""));
    const images = resources.filter((r) => r.type === "docker:index/remoteImage:RemoteImage" && r.outputs?.keepLocally);
    return {
        agents,
        forgotten: resources
            .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
            .map((r) => `${r.type} ${nameOf(r.urn)}`),
        mayStillExist: [
            ...agents.filter((a) => a.state === "stopped").map((a) => `container ${a.name} (stopped): docker rm -f ${a.name}`),
            ...folders
                .filter((f) => f && !f.endsWith("docker.sock"))
                .map((f) => `host folder ${f} (Nomad's data, written as root): sudo rm -rf ${f}`),
            ...images.map((r) => `image ${String(r.outputs?.name)} (kept on purpose; other stacks may use it)`),
            "containers Nomad started for the jobs, if any outlived it: docker ps -a --filter label=com.hashicorp.nomad.alloc_id",
        ],
    };
}

async function forget(name: string, plan: ForgetPlan, options: Options, driver: Driver, removeConfig: boolean): Promise<void> {
    const say = progress(driver);
    say(
        `The agent containers of ${name} no longer run (${plan.agents.map((a) => `${a.name}: ${a.state}`).join(", ")}). ` +
            "Whatever Vault and Nomad held went with them, so destroy cannot reach them to delete it.",
    );
    say(`Removing ${name} from the state only forgets these ${plan.forgotten.length} resources:`);
    plan.forgotten.forEach((line) => say(`  ${line}`));
    say("What may still exist on this host:");
    plan.mayStillExist.forEach((line) => say(`  ${line}`));
    await confirmOrRefuse(`Remove ${name} from the state only?`, !!options.force, "--force", driver);
    // A review stack's config file is the driver's own; a named stack's (Pulumi.dev.yaml) is the user's.
    await driver.stacks.remove(name, { force: true, preserveConfig: !removeConfig });
    say(`Removed ${name} from the state.`);
}

function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}
