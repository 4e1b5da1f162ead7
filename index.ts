// Nomad workload identities with Vault: the tutorial's flow as one Pulumi stack.
// program/demo.ts is the tutorial step by step; program/external.ts the same on your own clusters.
// A function, because the workloads' jobspecs are checked (asynchronously) before anything is created.
import * as pulumi from "@pulumi/pulumi";
import { runTutorialDemo } from "./program/demo";
import { configureExistingClusters } from "./program/external";
import { storedKey, storedWorkloads } from "./program/secrecy";
import { CLUSTERS_KEY, loadSettings } from "./settings";
import { setAsSecret } from "./settings/stackConfig";

export = async () => {
    const stack = pulumi.getStack();
    const [workloads, clusters] = [storedWorkloads(stack), storedKey(stack, CLUSTERS_KEY)];
    const settings = loadSettings(pulumi.runtime.allConfig(), stack, process.env, setAsSecret, workloads, clusters);
    const outputs = settings.mode === "external" ? await configureExistingClusters(settings) : await runTutorialDemo(settings);
    return {
        vaultAddress: outputs.vaultAddress,
        nomadAddress: outputs.nomadAddress,
        vaultToken: outputs.vaultToken,
        nomadToken: outputs.nomadToken,
        jwtAuthAccessor: outputs.jwtAuthAccessor,
        envExports: outputs.envExports,
        tokenExports: outputs.tokenExports,
        nomadServerVaultConfig: outputs.nomadServerVaultConfig,
        nomadClientVaultConfig: outputs.nomadClientVaultConfig,
        mongoQueryResultCommand: outputs.mongoQueryResultCommand,
        nomadTokenCommand: outputs.nomadTokenCommand,
        nomadClusters: outputs.nomadClusters,
    };
};
