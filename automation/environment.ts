// Where state lives and how its secrets are encrypted: one answer for the driver and for the
// Pulumi CLI, so that a stack made by either can be read by the other.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface Environment {
    /** Variables for the Pulumi CLI, on top of the process's own: the backend and the passphrase file. */
    readonly envVars: Record<string, string>;
    readonly backendUrl: string;
    /** The folder of the driver's own files: `.pulumi-state/` in the project. */
    readonly stateDir: string;
    /** A line for the user about the passphrase, when this checkout's own is used. */
    readonly passphraseNote?: string;
    /** Shell lines that give the Pulumi CLI the same backend and passphrase (`npm run stack -- env`). */
    readonly shellExports: string[];
}

export class PassphraseError extends Error {}

/**
 * The user's PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE(_FILE) win. Otherwise state goes to
 * `.pulumi-state/` in the project (git-ignored), with a passphrase generated once per checkout
 * beside it, readable by the owner only; it is never printed.
 */
export function resolveEnvironment(projectDir: string, env: NodeJS.ProcessEnv = process.env): Environment {
    const stateDir = path.join(projectDir, ".pulumi-state");
    fs.mkdirSync(stateDir, { recursive: true });
    const backendUrl = env.PULUMI_BACKEND_URL || `file://${stateDir}`;
    const backend = { PULUMI_BACKEND_URL: backendUrl };
    if (env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined) {
        const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
        const envVars = {
            ...backend,
            ...(file !== undefined && env.PULUMI_CONFIG_PASSPHRASE === undefined ? { PULUMI_CONFIG_PASSPHRASE_FILE: file } : {}),
        };
        return { envVars, backendUrl, stateDir, shellExports: exportsOf(envVars) };
    }
    if (env.PULUMI_BACKEND_URL) {
        // Someone else's backend: its stacks were encrypted with a passphrase this checkout cannot know.
        return { envVars: backend, backendUrl, stateDir, shellExports: exportsOf(backend) };
    }
    const passphraseFile = path.join(stateDir, "passphrase");
    const created = createPassphraseOnce(passphraseFile, stateDir);
    const envVars = { ...backend, PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile };
    return {
        envVars,
        backendUrl,
        stateDir,
        passphraseNote: `Secrets passphrase: ${passphraseFile}${created ? " (created now; keep it to read this state later)" : ""}`,
        shellExports: exportsOf(envVars),
    };
}

/** True when it made the file. A state folder that already holds stacks was encrypted with another passphrase. */
function createPassphraseOnce(passphraseFile: string, stateDir: string): boolean {
    if (fs.existsSync(passphraseFile)) {
        return false;
    }
    const stacksDir = path.join(stateDir, ".pulumi", "stacks");
    if (fs.existsSync(stacksDir) && fs.readdirSync(stacksDir, { recursive: true }).some((f) => String(f).endsWith(".json"))) {
        throw new PassphraseError(
            `${stateDir} holds stacks but no passphrase file: they were made with a passphrase typed at the CLI. ` +
                "Export it as PULUMI_CONFIG_PASSPHRASE for this run, or write it to .pulumi-state/passphrase (mode 0600) to keep using it.",
        );
    }
    try {
        fs.writeFileSync(passphraseFile, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
        return true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
            throw err;
        }
        return false;
    }
}

function exportsOf(vars: Record<string, string>): string[] {
    return Object.entries(vars).map(([key, value]) => `export ${key}='${value.replace(/'/g, `'\\''`)}'`);
}
