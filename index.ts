// Nomad workload identities with Vault: the tutorial's flow as one Pulumi stack.
// program/demo.ts is the tutorial step by step; program/external.ts the same on your own clusters.
import * as pulumi from "@pulumi/pulumi";
import { runTutorialDemo } from "./program/demo";
import { configureExistingClusters } from "./program/external";
import { loadSettings } from "./settings";
import { setAsSecret } from "./settings/stackConfig";

const settings = loadSettings(pulumi.runtime.allConfig(), pulumi.getStack(), process.env, setAsSecret);
const outputs = settings.mode === "external" ? configureExistingClusters(settings) : runTutorialDemo(settings);

export const vaultAddress = outputs.vaultAddress;
export const nomadAddress = outputs.nomadAddress;
export const vaultToken = outputs.vaultToken;
export const nomadToken = outputs.nomadToken;
export const jwtAuthAccessor = outputs.jwtAuthAccessor;
export const envExports = outputs.envExports;
export const tokenExports = outputs.tokenExports;
export const nomadServerVaultConfig = outputs.nomadServerVaultConfig;
export const nomadClientVaultConfig = outputs.nomadClientVaultConfig;
export const mongoQueryResultCommand = outputs.mongoQueryResultCommand;
export const nomadTokenCommand = outputs.nomadTokenCommand;
