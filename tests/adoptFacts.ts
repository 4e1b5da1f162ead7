// What adopt reads of a cluster, built by hand for the tests of its decisions (tests/adopt*Decisions):
// a cluster as `nomad setup vault` leaves it, with the fixtures' shapes; each test changes one thing.
import { ClusterFacts, ClusterJob } from "../adopt/cluster";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { loadSettings, Settings } from "../settings";
import { readFixture } from "./apiFixtures";
import { NOMAD_SETUP_VAULT } from "./fakeCluster";
import { ACCESSOR } from "./fakeStack";

export const CONNECTION = {
    vaultAddress: "https://vault.example.com:8200",
    vaultToken: "hvs.operator",
    nomadAddress: "https://nomad.example.com:4646",
    nomadToken: "0b5e4d0c-nomad-operator",
};

export const JWKS_URL = "https://nomad.example.com:4646/.well-known/jwks.json";

/** The cluster, with `changes` over it. */
export function clusterFacts(changes: Partial<ClusterFacts> = {}): ClusterFacts {
    return {
        connection: CONNECTION,
        found: [],
        unread: [],
        jwtMounts: ["jwt-nomad"],
        jwtPath: "jwt-nomad",
        mount: { accessor: ACCESSOR, description: "", local: false },
        agentVault: { JWTAuthBackendPath: "jwt-nomad", DefaultIdentity: { Audience: ["vault.io"], TTL: 3_600_000_000_000 } },
        authConfig: {
            ...readFixture("vault.jwt-config").body.data,
            jwks_url: JWKS_URL,
            jwt_supported_algs: ["EdDSA", "RS256"],
        },
        roleName: "nomad-workloads",
        role: NOMAD_SETUP_VAULT.roleData,
        policyName: "nomad-workloads",
        policyText: renderWorkloadsPolicy(ACCESSOR, "secret"),
        kvMounts: { secret: "2" },
        jobs: [],
        jobRoles: {},
        namespaces: {},
        ...changes,
    };
}

/** The settings the cluster's keys load to, as adopt loads them. */
export function clusterSettings(keys: Record<string, unknown>): Settings {
    const raw = Object.fromEntries(
        Object.entries(keys).map(([key, value]) => [`vaultnomad:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
    );
    return loadSettings(raw, "prod", { VAULT_TOKEN: CONNECTION.vaultToken, NOMAD_TOKEN: CONNECTION.nomadToken });
}

/** A job of the cluster that uses Vault, kept with its source. */
export function clusterJob(id: string, source: string, changes: Partial<ClusterJob> = {}): ClusterJob {
    return {
        id,
        namespace: "default",
        parentId: "",
        version: 0,
        vaultTasks: [{ task: id, role: "", cluster: "default" }],
        secretPaths: [],
        submission: { Source: source, Format: "hcl2", VariableFlags: null, Variables: "" },
        ...changes,
    };
}

/** A job's source: one task with a vault block (its body), in `namespace`, reading `secret` when given. */
export function sourceOf(id: string, options: { namespace?: string; vault?: string; secret?: string; variables?: string } = {}): string {
    const template = options.secret
        ? `\n      template {\n        data        = "TOKEN={{with secret \\"${options.secret}\\"}}{{.Data.data.token}}{{end}}"\n        destination = "secrets/env"\n      }`
        : "";
    const namespace = options.namespace ? `\n  namespace = ${options.namespace}` : "";
    return `${options.variables ?? ""}job "${id}" {${namespace}\n  group "${id}" {\n    task "${id}" {\n      driver = "docker"\n\n      vault {${options.vault ?? ""}}${template}\n    }\n  }\n}\n`;
}
