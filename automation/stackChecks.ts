// Preflight checks that follow the stack's mode: a demo stack needs the Docker engine and free
// ports; an external stack needs neither, only its Vault and Nomad answering.
import { ConfigMap } from "@pulumi/pulumi/automation";
import { fq } from "../settings/keys";
import { Driver, Operation, Options } from "./driver";
import { allChecks, checkAnswers, checkDocker, checkNode, checkPortsFree, checkPulumiVersion, PreflightError } from "./preflight";
import { portsOf } from "./reviewStacks";
import { DriverStack } from "./stacks";

export type Mode = "demo" | "external";

export function modeOf(config: ConfigMap): Mode {
    return config[fq("mode")]?.value === "external" ? "external" : "demo";
}

/**
 * Whether a command needs the Docker engine: "always" (review stacks), "demo" (only for demo stacks,
 * whose mode is read from the stack, so after this check) or "never".
 */
export type DockerNeed = "always" | "demo" | "never";

/**
 * What a command needs before it can read a stack: Node.js, the Pulumi CLI and, as `docker` says, the
 * Docker engine; every missing one is named at once. Without the CLI no stack's mode can be read, so a
 * command that needs Docker for demo stacks checks it here too rather than on the next attempt.
 */
export async function preflightTools(driver: Driver, docker: DockerNeed = "never"): Promise<void> {
    const pulumiVersion = await driver.probes.pulumiVersion();
    const checkDockerToo = docker === "always" || (docker === "demo" && pulumiVersion === undefined);
    await allChecks([
        () => checkNode(driver.probes),
        () => checkPulumiVersion(pulumiVersion),
        ...(checkDockerToo ? [() => checkDocker(driver.probes)] : []),
    ]);
}

/** The checks the stack's mode asks for before `operation`; returns the mode. */
export async function preflightStack(stack: DriverStack, operation: Operation, driver: Driver, options: Options): Promise<Mode> {
    const config = await stack.getAllConfig();
    const mode = modeOf(config);
    if (mode === "external") {
        if (!options["skip-reachability"]) {
            // With nomadClusters, each cluster's address is its entry's (settings/clusters.ts).
            for (const address of clusterAddresses(config)) {
                await checkAnswers(driver.probes, "Nomad", `${address.replace(/\/+$/, "")}/v1/status/leader`, "nomadClusters");
            }
            for (const [what, key, env, path] of EXTERNAL_SERVERS.filter(
                ([, key]) => key !== "nomadAddress" || !config[fq("nomadClusters")],
            )) {
                const address = config[fq(key)]?.value || driver.env[env];
                if (!address) {
                    throw new PreflightError(
                        `The external stack ${stack.name} has no ${key}: \`pulumi config set ${key} <url>\`, or export ${env}.`,
                    );
                }
                await checkAnswers(driver.probes, what, `${address.replace(/\/+$/, "")}${path}`, key);
            }
        }
    } else {
        await checkDocker(driver.probes);
        if (operation === "up") {
            await checkPortsIfNew(stack, config, driver);
        }
    }
    return mode;
}

/** Each server of an external stack: its config key, the variable it defaults to, and an unauthenticated path. */
const EXTERNAL_SERVERS = [
    ["Vault", "vaultAddress", "VAULT_ADDR", "/v1/sys/health"],
    ["Nomad", "nomadAddress", "NOMAD_ADDR", "/v1/status/leader"],
] as const;

/** The Nomad addresses of a stack's nomadClusters entries; none without the key. */
function clusterAddresses(config: ConfigMap): string[] {
    try {
        const clusters = JSON.parse(config[fq("nomadClusters")]?.value ?? "[]");
        return Array.isArray(clusters) ? clusters.flatMap((c) => (typeof c?.address === "string" ? [c.address] : [])) : [];
    } catch {
        return [];
    }
}

/** A stack that has resources holds its own ports; only a new one must find them free. */
async function checkPortsIfNew(stack: DriverStack, config: ConfigMap, driver: Driver): Promise<void> {
    const summary = (await driver.stacks.list()).find((s) => s.name === stack.name);
    if (summary?.resourceCount) {
        return;
    }
    await checkPortsFree(driver.probes, portsOf(config));
}
