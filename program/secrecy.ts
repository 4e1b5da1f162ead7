// How the program learns which workload secrets were encrypted in the stack's configuration.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { fq } from "../settings/keys";
import { WORKLOADS_KEY } from "../settings/workloads";

const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * Pulumi decrypts config before the program runs and marks only whole keys secret, so the stack
 * file is read too: there each encrypted leaf is `{ secure: … }`. Config from elsewhere (an ESC
 * environment) is judged by the key's marking alone (settings/stackConfig.ts).
 */
export function storedWorkloads(stack: string, projectRoot = PROJECT_ROOT): unknown {
    return storedKey(stack, WORKLOADS_KEY, projectRoot);
}

/** A structured key as the stack file holds it, its encrypted leaves `{ secure: … }`. */
export function storedKey(stack: string, key: string, projectRoot = PROJECT_ROOT): unknown {
    const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const config = (yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined)?.config ?? {};
    return config[fq(key)];
}
