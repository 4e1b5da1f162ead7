// `verify`: the stack's live checks, from its outputs and config.
import * as fs from "fs";
import { vaultRoleFields } from "../components/workloadRole";
import { OUTPUT } from "../program/outputs";
import { loadSettings } from "../settings";
import { request } from "../verify/http";
import { runProbe } from "../verify/probe";
import { formatResults, resultsJson, verify } from "../verify/run";
import { Driver, MissingStackError, Options } from "./driver";
import { parseAge } from "./review";
import { DriverStack } from "./stacks";

export class VerifyFailed extends Error {}

export async function verifyStack(stack: DriverStack, options: Options, driver: Driver): Promise<void> {
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
    const results = await verify(
        {
            vaultAddress: value(OUTPUT.vaultAddress),
            vaultToken: value(OUTPUT.vaultToken, "VAULT_TOKEN"),
            nomadAddress: value(OUTPUT.nomadAddress),
            // Without a Nomad token the Nomad checks are skipped, not failed.
            nomadToken: outputs[OUTPUT.nomadToken]?.value ?? process.env.NOMAD_TOKEN ?? "",
            vaultNamespace: settings.vault?.namespace,
            vaultCaPem: settings.vault?.caCertFile && fs.readFileSync(settings.vault.caCertFile, "utf8"),
            nomadCaPem: settings.nomad?.caPem,
            jwtPath: settings.jwtAuthPath,
            defaultRole: settings.roleName,
            policyName: settings.policyName,
            declaredRole: vaultRoleFields(settings, settings.policyName),
            probeJwt: options.probe
                ? () =>
                      runProbe({
                          nomadAddress: value(OUTPUT.nomadAddress),
                          nomadToken: value(OUTPUT.nomadToken, "NOMAD_TOKEN"),
                          namespace: settings.jobNamespace,
                          audience: settings.audience,
                      })
                : undefined,
            sampleWorkload: !external,
            // The demo's Vault runs on the host's network, so the host's view is Vault's view. An
            // existing Vault's view is not this machine's: that check is skipped there.
            fetchFromVault: external ? undefined : (url) => request(url),
        },
        { waitMs: options.wait === undefined ? 0 : parseAge(options.wait) },
    );
    driver.out(options.json ? JSON.stringify(resultsJson(stack.name, results), null, 2) : formatResults(results));
    if (results.some((r) => r.status === "fail")) {
        throw new VerifyFailed();
    }
}
