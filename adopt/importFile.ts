// The `pulumi import --file` document for a stack of external mode: every resource the program
// registers for the configuration, under the Pulumi name and parent it registers it with, and the ID
// of the existing object in its provider's import format (pulumi/pulumi pkg/cmd/pulumi/operations/
// import.go, importFile and importSpec). Components are created by the import (component: true);
// resources name the stack's explicit providers, which must be in the state first (the import system
// cannot create explicit providers, and a resource moved from a default to an explicit provider is
// replaced): see providerUrns.
import * as nomad from "../nomad";
import { kvEntries, namespaceResourceName, ProgramWorkload, workloadsOf } from "../program/workloads";
import { PROJECT, Settings } from "../settings";
import { Step } from "../settings/workloadsCheck";

/** The type tokens of @pulumi/vault's resources (each class's __pulumiType, which its typings keep internal). */
const VAULT = {
    authBackend: "vault:jwt/authBackend:AuthBackend",
    authBackendRole: "vault:jwt/authBackendRole:AuthBackendRole",
    policy: "vault:index/policy:Policy",
    mount: "vault:index/mount:Mount",
    secretV2: "vault:kv/secretV2:SecretV2",
};

export interface ImportSpec {
    readonly type: string;
    /** Unique in the file: what `parent` names. */
    readonly name: string;
    /** The Pulumi name, where it differs from `name`. */
    readonly logicalName?: string;
    readonly id?: string;
    readonly parent?: string;
    readonly provider?: string;
    readonly component?: boolean;
}

export interface ImportFile {
    /** Names of resources already in the state (the providers), by URN. */
    readonly nameTable: Record<string, string>;
    readonly resources: ImportSpec[];
}

/** The component ExternalClusters and its providers, as the program registers them: what a targeted `up` creates before the import. */
export function providerUrns(stack: string): { clusters: string; vault: string; nomad: string } {
    const clusters = "vaultnomad:index:ExternalClusters";
    const urn = (type: string, name: string) => `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
    return {
        clusters: urn(clusters, "clusters"),
        vault: urn(`${clusters}$pulumi:providers:vault`, "clusters-vault"),
        nomad: urn(`${clusters}$pulumi:providers:nomad`, "clusters-nomad"),
    };
}

/** The import file of an external-mode stack whose workloads are `steps` (no Nomad secrets engine). */
export function importFile(stack: string, settings: Settings, steps: Step<ProgramWorkload>[]): ImportFile {
    const resources: ImportSpec[] = [];
    const taken = new Set<string>();
    /** Adds a resource under a unique name (a job and a role may share one); returns that name. */
    const add = (spec: Omit<ImportSpec, "name" | "logicalName"> & { name: string }): string => {
        const unique = taken.has(spec.name) ? `${spec.name}-${spec.type.split(":").pop()}` : spec.name;
        taken.add(unique);
        resources.push({ ...spec, name: unique, ...(unique === spec.name ? {} : { logicalName: spec.name }) });
        return unique;
    };
    const onVault = { provider: "clusters-vault" };
    const onNomad = { provider: "clusters-nomad" };
    const role = (name: string) => `auth/${settings.jwtAuthPath}/role/${name}`;

    const identity = add({ type: "vaultnomad:index:NomadWorkloadIdentity", name: "workload-identity", component: true });
    add({ type: VAULT.authBackend, name: `workload-identity-jwt`, id: settings.jwtAuthPath, parent: identity, ...onVault });
    add({ type: VAULT.policy, name: "workload-identity-policy", id: settings.policyName, parent: identity, ...onVault });
    add({ type: VAULT.authBackendRole, name: "workload-identity-role", id: role(settings.roleName), parent: identity, ...onVault });

    const entries = kvEntries(steps);
    if (entries.length > 0 || settings.createKvMount) {
        const kv = add({ type: "vaultnomad:index:KvSecrets", name: "kv", component: true });
        if (settings.createKvMount) {
            add({ type: VAULT.mount, name: "kv-mount", id: settings.kvMount, parent: kv, ...onVault });
        }
        for (const entry of entries) {
            add({ type: VAULT.secretV2, name: `kv-${entry.key}`, id: `${settings.kvMount}/data/${entry.name}`, parent: kv, ...onVault });
        }
    }
    const workloads = workloadsOf(steps);
    for (const namespace of [...new Set(workloads.map((w) => w.namespace))].filter((n) => n !== "default")) {
        add({
            type: nomad.Namespace.__pulumiType,
            name: namespaceResourceName(namespace, settings.jobNamespace),
            id: namespace,
            ...onNomad,
        });
    }
    for (const w of workloads) {
        if (w.role) {
            const component = add({ type: "vaultnomad:index:JobVaultRole", name: w.roleResourceName ?? w.role.name, component: true });
            const named = w.roleResourceName ?? w.role.name;
            add({ type: VAULT.policy, name: `${named}-policy`, id: w.role.name, parent: component, ...onVault });
            add({ type: VAULT.authBackendRole, name: `${named}-role`, id: role(w.role.name), parent: component, ...onVault });
        }
        const job = add({ type: "vaultnomad:index:NomadJob", name: w.jobId, component: true });
        add({ type: nomad.Job.__pulumiType, name: `${w.jobId}-job`, id: `${w.jobId}@${w.namespace}`, parent: job, ...onNomad });
    }

    const urns = providerUrns(stack);
    const usesNomad = resources.some((r) => r.provider === "clusters-nomad");
    return {
        nameTable: { "clusters-vault": urns.vault, ...(usesNomad ? { "clusters-nomad": urns.nomad } : {}) },
        resources,
    };
}

/** Each entry's URN by its name in the file, as the engine gives it: its parent's type chain and its own type, then its Pulumi name. */
export function importUrns(stack: string, file: ImportFile): Map<string, string> {
    const chains = new Map(Object.entries(file.nameTable).map(([name, urn]) => [name, urn.split("::")[2]]));
    const urns = new Map<string, string>();
    for (const spec of file.resources) {
        const chain = spec.parent ? `${chains.get(spec.parent)}$${spec.type}` : spec.type;
        chains.set(spec.name, chain);
        urns.set(spec.name, `urn:pulumi:${stack}::${PROJECT}::${chain}::${spec.logicalName ?? spec.name}`);
    }
    return urns;
}

/**
 * The file without the entries the state holds already (an import run before), so that running it
 * again imports only the rest; a remaining entry whose parent is in the state names it by URN.
 */
export function remainingImports(stack: string, file: ImportFile, inState: ReadonlySet<string>): ImportFile {
    const urns = importUrns(stack, file);
    const held = file.resources.filter((spec) => inState.has(urns.get(spec.name)!));
    const resources = file.resources.filter((spec) => !held.includes(spec));
    const parents = held.filter((spec) => resources.some((r) => r.parent === spec.name));
    return {
        nameTable: { ...file.nameTable, ...Object.fromEntries(parents.map((spec) => [spec.name, urns.get(spec.name)!])) },
        resources,
    };
}
