// `import`: brings the objects of a cluster that adopt wrote down into the new stack, through the
// Automation API: the stack with the configuration adopt wrote (Pulumi.<stack>.yaml), the stack's
// providers first when the import file names them (the import system cannot create an explicit
// provider), then the import of import-<stack>.json. Run again, it imports only what is not there yet.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ImportFile, providerUrns, remainingImports } from "../adopt/importFile";
import { fq } from "../settings/keys";
import { adoptedFiles, stackNameOf } from "./adoptCommand";
import { Driver, isLockError, Options, progress, run, StackLockedError } from "./driver";
import { PreflightError } from "./preflight";
import { preflightStack, preflightTools } from "./stackChecks";
import { DriverStack } from "./stacks";

export interface ImportDocument {
    readonly stack: string;
    readonly file: string;
    /** The URNs a targeted up created before the import (none when the state held them). */
    readonly providers: string[];
    /** How many entries of the file were imported by this run, and how many the state held already. */
    readonly imported: number;
    readonly alreadyInStack: number;
}

export async function importAdopted(options: Options, driver: Driver): Promise<ImportDocument> {
    const stackName = stackNameOf("import", options);
    const files = adoptedFiles(stackName);
    const missing = [files.config, files.imports].filter((file) => !fs.existsSync(path.join(driver.projectDir, file)));
    if (missing.length > 0) {
        throw new PreflightError(
            `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing from ${driver.projectDir}: import brings in what adopt wrote. ` +
                `Fix: \`npm run stack -- adopt --stack ${stackName}\` writes both (remove the other first).`,
        );
    }
    const file = readImportFile(path.join(driver.projectDir, files.imports));
    const config = readStackFile(path.join(driver.projectDir, files.config));
    const keyFile = nomadClientKeyFile(stackName, config, options, driver);
    await preflightTools(driver);
    const stack = await driver.stacks.createOrSelect(stackName);
    if (keyFile) {
        await stack.setAllConfig({ [fq("nomadClientKeyPem")]: { value: fs.readFileSync(keyFile, "utf8"), secret: true } });
    }
    await preflightStack(stack, "up", driver, options);

    const say = progress(driver);
    const resources: Array<{ urn: string }> = (await stack.exportStack()).deployment?.resources ?? [];
    const inState = new Set(resources.map((r) => r.urn));
    const providers = missingProviders(stackName, file, inState);
    if (providers.length > 0) {
        say(
            `The import names the stack's providers, which must be in the state first: up of ${providers.length} resources, nothing in Vault or Nomad.`,
        );
        await run("up", stack, driver, providers);
    }
    const remaining = remainingImports(stackName, file, inState);
    const held = file.resources.length - remaining.resources.length;
    if (remaining.resources.length === 0) {
        say(`The stack ${stackName} holds every resource of ${files.imports} already: nothing to import.`);
    } else {
        await importInto(
            stack,
            remaining,
            `${remaining.resources.length} resources from ${files.imports}${held > 0 ? ` (${held} in the stack already)` : ""}`,
            driver,
        );
    }
    say(`Next: \`npm run stack -- preview --stack ${stackName}\`, which should show no change.`);
    return { stack: stackName, file: files.imports, providers, imported: remaining.resources.length, alreadyInStack: held };
}

/** The import file as adopt wrote it, or a refusal naming the file. */
function readImportFile(file: string): ImportFile {
    let parsed: Partial<ImportFile>;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new PreflightError(
            `${path.basename(file)} is not JSON (${(err as Error).message}). Fix: remove it and the stack file, then adopt again.`,
        );
    }
    if (!Array.isArray(parsed?.resources) || typeof parsed.nameTable !== "object" || parsed.nameTable === null) {
        throw new PreflightError(
            `${path.basename(file)} is not a pulumi import file: it needs "nameTable" and "resources". Fix: remove it and the stack file, then adopt again.`,
        );
    }
    return parsed as ImportFile;
}

/** The configuration of the stack file adopt wrote, which is of external mode; any other is refused. */
function readStackFile(file: string): Record<string, unknown> {
    let config: Record<string, unknown>;
    try {
        config = (yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    } catch (err) {
        throw new PreflightError(
            `${path.basename(file)} is not YAML (${(err as Error).message.split("\n")[0]}). Fix: remove it and the import file, then adopt again.`,
        );
    }
    if (config[fq("mode")] !== "external") {
        throw new PreflightError(
            `${path.basename(file)} is not of an external stack (${fq("mode")}: external): import takes the stack adopt wrote. Fix: \`npm run stack -- adopt --stack <another name>\`.`,
        );
    }
    return config;
}

/** The providers the file names that the state lacks, with the component they are children of. */
function missingProviders(stackName: string, file: ImportFile, inState: ReadonlySet<string>): string[] {
    const named = Object.values(file.nameTable);
    return (named.length > 0 ? [providerUrns(stackName).clusters, ...named] : []).filter((urn) => !inState.has(urn));
}

/**
 * The key of Nomad's client certificate, which adopt does not write, when the stack file has the
 * certificate and not the key: from --nomad-client-key or NOMAD_CLIENT_KEY, as adopt read it. The
 * stack then holds it as a secret (encrypted in the stack file).
 */
function nomadClientKeyFile(stackName: string, config: Record<string, unknown>, options: Options, driver: Driver): string | undefined {
    if (!config[fq("nomadClientCertPem")] || config[fq("nomadClientKeyPem")]) {
        return undefined;
    }
    const keyFile = options["nomad-client-key"] || driver.env.NOMAD_CLIENT_KEY;
    if (!keyFile || !fs.existsSync(keyFile)) {
        throw new PreflightError(
            `The stack ${stackName} has Nomad's client certificate (nomadClientCertPem) but not its key` +
                `${keyFile ? `, and there is no file ${keyFile}` : ""}. Fix: export NOMAD_CLIENT_KEY=<key file> (or pass --nomad-client-key <file>), as for adopt.`,
        );
    }
    return keyFile;
}

async function importInto(stack: DriverStack, file: ImportFile, what: string, driver: Driver): Promise<void> {
    const say = progress(driver);
    say(`==> import ${stack.name}: ${what}`);
    const started = driver.now().getTime();
    await stack
        .import({
            resources: file.resources.map((spec) => ({ ...spec })),
            nameTable: file.nameTable,
            // The program protects none of its resources, and declares every one already.
            protect: false,
            generateCode: false,
            onOutput: (text) => say(text.replace(/\n$/, "")),
        })
        .catch((err) => {
            throw isLockError(err) ? new StackLockedError(stack.name, err) : err;
        });
    say(`==> import ${stack.name} done in ${Math.round((driver.now().getTime() - started) / 1000)}s`);
}
