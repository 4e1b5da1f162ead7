// `adopt`: a Nomad + Vault cluster this program did not set up, as a new stack of external mode. It
// reads the cluster as vaultnomad-verify does (the same VAULT_* and NOMAD_* variables and flags),
// writes Pulumi.<stack>.yaml and import-<stack>.json, and nothing else, and prints the commands that
// import the cluster's objects into the stack. No Pulumi CLI is needed to write them.
import * as fs from "fs";
import * as path from "path";
import { planAdoption, AdoptionPlan } from "../adopt/adoption";
import { readCluster } from "../adopt/cluster";
import { trimSlashes } from "../adopt/identity";
import { stackFileText } from "../adopt/stackFile";
import { connection, CONNECTION_FLAGS, UsageError as ClusterUsageError } from "../verify/cli";
import { Connection } from "../verify/discover";
import { Driver, Options, UsageError } from "./driver";
import { PreflightError } from "./preflight";

/** The adoption printed (its JSON document included) refuses the cluster: nothing was written. */
export class AdoptionRefused extends Error {}

export type ConnectionFlag = keyof typeof CONNECTION_FLAGS;

/** The files adopt writes, in the project folder. */
export const adoptedFiles = (stack: string) => ({ config: `Pulumi.${stack}.yaml`, imports: `import-${stack}.json` });

/** The --stack that adopt and import need: a name that is a file name too. */
export function stackNameOf(command: "adopt" | "import", options: Options): string {
    const stack = options.stack;
    if (!stack || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(stack)) {
        throw new UsageError(
            `${command} needs --stack <name>, the new stack's name (letters, digits, _, . and -)${stack ? `, not "${stack}"` : ""}.`,
        );
    }
    return stack;
}

export async function adopt(options: Options, driver: Driver): Promise<unknown> {
    const stack = stackNameOf("adopt", options);
    const files = adoptedFiles(stack);
    const existing = [files.config, files.imports].filter((file) => fs.existsSync(path.join(driver.projectDir, file)));
    if (existing.length > 0) {
        throw new PreflightError(
            `${existing.join(" and ")} already exist${existing.length > 1 ? "" : "s"}: adopt writes a new stack's files. Choose another --stack, or remove them.`,
        );
    }
    const setting = (flag: ConnectionFlag) => options[flag] || driver.env[CONNECTION_FLAGS[flag]] || undefined;
    const target = clusterConnection(setting);
    const authPath = options["auth-path"] && trimSlashes(options["auth-path"]);
    const facts = await readCluster(target, authPath);
    const vaultFile = (flag: ConnectionFlag) => (setting(flag) ? path.resolve(setting(flag)!) : undefined);
    const vaultFiles = {
        caCert: vaultFile("vault-cacert"),
        clientCert: vaultFile("vault-client-cert"),
        clientKey: vaultFile("vault-client-key"),
    };
    const plan = await planAdoption(stack, facts, vaultFiles, authPath);
    const document = adoptionDocument(stack, facts.found, plan, setting("nomad-client-key"));
    if (plan.refusals.length > 0) {
        if (driver.json) {
            driver.out(JSON.stringify(document, null, 2));
        }
        printReport(document, driver);
        throw new AdoptionRefused();
    }
    fs.writeFileSync(
        path.join(driver.projectDir, files.config),
        stackFileText(stack, plan.config, { vault: target.vaultAddress, nomad: target.nomadAddress }),
    );
    fs.writeFileSync(path.join(driver.projectDir, files.imports), `${JSON.stringify(plan.importFile, null, 4)}\n`);
    printReport(document, driver);
    return document;
}

/** The connection as vaultnomad-verify reads it; its usage errors are the driver's. */
function clusterConnection(setting: (flag: ConnectionFlag) => string | undefined): Connection {
    try {
        return connection(setting);
    } catch (err) {
        throw err instanceof ClusterUsageError ? new UsageError(err.message) : err;
    }
}

/** What adopt did, for --json and for the printed report. */
export function adoptionDocument(stack: string, found: string[], plan: AdoptionPlan, nomadClientKey?: string) {
    const adopted = plan.refusals.length === 0;
    const files = adoptedFiles(stack);
    return {
        stack,
        adopted,
        found,
        refusals: plan.refusals,
        written: adopted ? [files.config, files.imports] : [],
        imports: plan.importFile?.resources.length ?? 0,
        workloads: plan.workloads,
        leftOut: plan.leftOut,
        changes: plan.changes,
        outside: plan.outside,
        next: adopted ? nextCommands(stack, plan, nomadClientKey) : [],
    };
}

/** The commands that bring the cluster's objects into the stack, then show that nothing changes; each with why. */
function nextCommands(stack: string, plan: AdoptionPlan, nomadClientKey?: string): Array<{ command: string; why: string }> {
    const key = nomadClientKey
        ? `, with NOMAD_CLIENT_KEY as for adopt (the key of Nomad's client certificate, which adopt does not write)`
        : "";
    return [
        {
            command: `npm run stack -- import --stack ${stack}`,
            why: `the new stack, its providers, then the cluster's objects under the names and parents the program gives them${key}`,
        },
        {
            command: `npm run stack -- preview --stack ${stack}`,
            why: plan.changes.length > 0 ? "no change but those listed above" : "no change",
        },
    ];
}

type AdoptionDocument = ReturnType<typeof adoptionDocument>;

/** The report on the terminal (stderr under --json, whose stdout holds the document). */
function printReport(document: AdoptionDocument, driver: Driver): void {
    const say = driver.json ? driver.err : driver.out;
    document.found.forEach((line) => say(`found: ${line}`));
    if (!document.adopted) {
        say("Refused: the cluster cannot be adopted as it is; nothing was written.");
        document.refusals.forEach((r) => say(`  - ${r.subject}: ${r.reason}\n    fix: ${r.fix}`));
        return;
    }
    const workloads = document.workloads.length > 0 ? ` (${document.workloads.join(", ")})` : "";
    say(`Adopted as the stack ${document.stack}: ${document.workloads.length} job(s) as workloads${workloads}.`);
    document.leftOut.forEach((l) => say(`left out: ${l.job}: ${l.reason}`));
    if (document.changes.length > 0) {
        say("What the first up writes otherwise than the cluster holds it:");
        document.changes.forEach((change) => say(`  - ${change}`));
    }
    say("Stays outside the program:");
    document.outside.forEach((line) => say(`  - ${line}`));
    say(`Wrote ${document.written.join(" and ")} (${document.imports} resources to import). Next:`);
    document.next.forEach(({ command, why }) => say(`  ${command}\n      # ${why}`));
}
