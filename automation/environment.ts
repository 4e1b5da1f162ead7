// Where state lives and how its secrets are encrypted, unless the user has already said.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface Environment {
    /** Variables for the Pulumi CLI: the backend, and the passphrase file where one was made. */
    readonly envVars: Record<string, string>;
    readonly backendUrl: string;
    /** A line for the user about the passphrase, when this checkout's own is used. */
    readonly passphraseNote?: string;
}

/**
 * The user's PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE(_FILE) win. Otherwise state goes to
 * `.pulumi-state/` in the project (git-ignored), with a passphrase generated once per checkout
 * beside it, readable by the owner only; it is never printed.
 */
export function resolveEnvironment(projectDir: string, env: NodeJS.ProcessEnv = process.env): Environment {
    if (env.PULUMI_BACKEND_URL) {
        return { envVars: {}, backendUrl: env.PULUMI_BACKEND_URL };
    }
    const stateDir = path.join(projectDir, ".pulumi-state");
    fs.mkdirSync(stateDir, { recursive: true });
    const backendUrl = `file://${stateDir}`;
    if (env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined) {
        return { envVars: { PULUMI_BACKEND_URL: backendUrl }, backendUrl };
    }
    const passphraseFile = path.join(stateDir, "passphrase");
    let created = false;
    try {
        fs.writeFileSync(passphraseFile, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
        created = true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
            throw err;
        }
    }
    return {
        envVars: { PULUMI_BACKEND_URL: backendUrl, PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile },
        backendUrl,
        passphraseNote: `Secrets passphrase: ${passphraseFile}${created ? " (created now; keep it to read this state later)" : ""}`,
    };
}
