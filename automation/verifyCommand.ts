// `verify`: the stack's live checks, from its outputs and config, each printed as it completes.
import * as fs from "fs";
import { vaultRoleFields } from "../components/workloadRole";
import { OUTPUT } from "../program/outputs";
import { loadSettings } from "../settings";
import { request } from "../verify/http";
import { concurrencyOf, concurrencyUsage } from "../verify/readLimit";
import { runAndPrint } from "../verify/report";
import { runAndPrintClusters } from "../verify/clustersRun";
import { RunSettings } from "../verify/run";
import { Target } from "../verify/types";
import { Driver, MissingStackError, Options, UsageError } from "./driver";
import { parseAge } from "./review";
import { DriverStack } from "./stacks";
import { clusterTargets } from "./verifyClusters";

export { runAndPrint };

export class VerifyFailed extends Error {}

/** verify's --wait and --concurrency, checked before anything runs. */
export function verifySettings(options: Options): RunSettings {
    const concurrency = options.concurrency === undefined ? undefined : concurrencyOrRefuse(options.concurrency);
    return { waitMs: options.wait === undefined ? 0 : parseAge(options.wait), concurrency };
}

function concurrencyOrRefuse(text: string): number {
    const concurrency = concurrencyOf(text);
    if (concurrency === undefined) {
        throw new UsageError(concurrencyUsage(text));
    }
    return concurrency;
}

export async function verifyStack(stack: DriverStack, options: Options, settings: RunSettings, driver: Driver): Promise<void> {
    const target = await verifyTarget(stack, options);
    const clusters = await clusterTargets(stack, target);
    const print = { json: !!options.json, ...settings };
    const results = clusters
        ? await runAndPrintClusters(stack.name, clusters, print, driver.out)
        : await runAndPrint(stack.name, target, print, driver.out);
    if (results.some((r) => r.status === "fail")) {
        throw new VerifyFailed();
    }
}

/** Under --json, an error that ends verify is printed as JSON too (verify/result.schema.json). */
export async function withJsonErrors(options: Options, stackName: string, driver: Driver, run: () => Promise<void>): Promise<void> {
    try {
        await run();
    } catch (err) {
        if (!options.json || err instanceof VerifyFailed) {
            throw err;
        }
        driver.out(JSON.stringify({ stack: stackName, passed: false, error: (err as Error).message ?? String(err) }, null, 2));
        throw new VerifyFailed();
    }
}

/** What verify checks: the stack's addresses and tokens from its outputs, its names from its config. */
export async function verifyTarget(stack: DriverStack, options: Options): Promise<Target> {
    const outputs = await stack.outputs();
    const config = await stack.getAllConfig();
    // The stack's own settings, as the program read them (names, audience, period).
    const settings = loadSettings(Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value])), stack.name);
    const external = settings.mode === "external";
    // External stacks export no tokens: the operator's own come from the environment.
    const value = (key: string, env?: string) => {
        const found = outputs[key]?.value ?? (env ? process.env[env] : undefined);
        if (typeof found !== "string" || !found) {
            throw new MissingStackError(
                external && env
                    ? `verify needs ${env} for the external stack ${stack.name}: export it.`
                    : `Stack ${stack.name} has no output ${key}: run \`npm run stack -- up --stack ${stack.name}\` first.`,
            );
        }
        return found;
    };
    return {
        vaultAddress: value(OUTPUT.vaultAddress),
        vaultToken: value(OUTPUT.vaultToken, "VAULT_TOKEN"),
        nomadAddress: value(OUTPUT.nomadAddress),
        // Without a Nomad token the Nomad checks are skipped, not failed.
        nomadToken: outputs[OUTPUT.nomadToken]?.value ?? process.env.NOMAD_TOKEN ?? "",
        vaultNamespace: settings.vault?.namespace,
        vaultCaPem: settings.vault?.caCertFile && fs.readFileSync(settings.vault.caCertFile, "utf8"),
        nomadCaPem: settings.nomad?.caPem,
        nomadClientCertPem: settings.nomad?.clientCertPem,
        nomadClientKeyPem: settings.nomad?.clientKeyPem,
        nomadNamespace: settings.jobNamespace,
        jwtPath: settings.jwtAuthPath,
        defaultRole: settings.roleName,
        policyName: settings.policyName,
        declaredRole: vaultRoleFields(settings, settings.policyName),
        probe: options.probe ? { audience: settings.audience } : undefined,
        sampleWorkload: !external,
        source: "stack",
        // The demo's Vault runs on the host's network, so the host's view is Vault's view. An
        // existing Vault's view is not this machine's: there the probe's login is the test.
        fetchFromVault: external ? undefined : (url) => request(url),
    };
}
