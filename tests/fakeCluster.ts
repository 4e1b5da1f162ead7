// Clusters this program did not set up, on the fakes of fakeStack.ts: one as `nomad setup vault`
// leaves it (its assets, tests/fixtures/clusters/nomad-setup-vault.json), one as the Terraform module
// terraform-vault-nomad-setup leaves it (tests/fixtures/clusters/terraform-vault-nomad-setup.json), one
// as a Terraform module would, with other names. vaultnomad-verify and adopt reach them with VAULT_*
// and NOMAD_* only. And several Nomad clusters, each with its own keys, against one Vault.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { clusterMount, clusterPolicyName } from "../components/clusterNames";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { vaultRoleFields } from "../components/workloadRole";
import { ClusterUnderCheck } from "../verify/clusterKeys";
import { Connection } from "../verify/discover";
import { durationSeconds } from "../verify/roleMeaning";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { readFixture } from "./apiFixtures";
import { FakeReply, FakeServer, fakeServer } from "./fakeHttp";
import {
    FakeStack,
    healthyWorld,
    jwksOf,
    KEYS,
    NOMAD_TOKEN,
    nomadApi,
    probeIdentity,
    startFakeStack,
    VAULT_TOKEN,
    vaultApi,
    World,
} from "./fakeStack";

export interface ClusterSetup {
    readonly name: string;
    readonly mount: string;
    readonly role: string;
    readonly policy: string;
    /** The KV v2 mount the templated policy grants, where the job `api` keeps its secret. */
    readonly kv: string;
    /** The role as Vault reads it back. */
    readonly roleData: Record<string, unknown>;
    readonly policyText: (accessor: string) => string;
    /** The JWT mount's description in sys/auth, and the fields of its config other than the fixture's. */
    readonly mountDescription?: string;
    readonly authConfig?: Record<string, unknown>;
    /** The Nomad side, when not the fixtures': the servers' version and extra claims, the namespaces. */
    readonly nomad?: Pick<Partial<World>, "nomadVersion" | "vaultExtraClaims" | "namespaces">;
    /** The api job's meta and the optional extra claims its vault identity names. */
    readonly apiJob?: Pick<World["jobs"][number], "Meta" | "ExtraClaims">;
}

const clusterFixture = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, `tests/fixtures/clusters/${name}.json`), "utf8"));
const setupVault = clusterFixture("nomad-setup-vault");
const terraformSetup = clusterFixture("terraform-vault-nomad-setup");

/** A role written with `vault write`, as Vault reads it back: lists for lists, durations in seconds, the other fields at their defaults. */
export function readBack(written: Record<string, unknown>): Record<string, unknown> {
    const defaults = { ...readFixture("vault.jwt-role").body.data, claim_mappings: null, token_ttl: 0, token_period: 0 };
    const converted = Object.entries(written).map(([field, value]) => {
        if (field === "bound_audiences" && typeof value === "string") {
            return [field, [value]];
        }
        if (field === "claim_mappings") {
            // Go writes a map's keys sorted.
            return [field, Object.fromEntries(Object.entries(value as Record<string, string>).sort(([a], [b]) => a.localeCompare(b)))];
        }
        return [field, /_ttl$|_period$/.test(field) ? durationSeconds(value) : value];
    });
    return { ...defaults, ...Object.fromEntries(converted) };
}

export const NOMAD_SETUP_VAULT: ClusterSetup = {
    name: "nomad setup vault",
    mount: setupVault.mount,
    role: setupVault.authMethodConfig.default_role,
    policy: setupVault.policyName,
    kv: "secret",
    roleData: readBack(setupVault.role),
    policyText: (accessor) => setupVault.policy.replaceAll("auth_jwt_X", accessor),
    authConfig: { jwt_supported_algs: setupVault.authMethodConfig.jwt_supported_algs },
};

/** As hashicorp-modules/terraform-vault-nomad-setup leaves it: mount jwt, role nomad, policy nomad-workload. */
export const TERRAFORM_VAULT_NOMAD_SETUP: ClusterSetup = {
    name: "terraform-vault-nomad-setup",
    mount: terraformSetup.mount,
    role: terraformSetup.authMethodConfig.default_role,
    policy: terraformSetup.policyName,
    kv: "secret",
    roleData: readBack(terraformSetup.role),
    policyText: (accessor) => terraformSetup.policy.replaceAll("auth_jwt_X", accessor),
    mountDescription: terraformSetup.mountDescription,
    authConfig: { jwt_supported_algs: terraformSetup.authMethodConfig.jwt_supported_algs },
};

/** The same cluster as a Terraform module would write it: a mount at jwt, a role named nomad. */
export const TERRAFORM_MODULE: ClusterSetup = {
    name: "a Terraform module",
    mount: "jwt",
    role: "nomad",
    policy: "nomad-jobs",
    kv: "kv",
    roleData: readBack({
        role_type: "jwt",
        bound_audiences: ["vault.io"],
        user_claim: "/nomad_job_id",
        user_claim_json_pointer: true,
        claim_mappings: { nomad_job_id: "nomad_job_id", nomad_namespace: "nomad_namespace", nomad_task: "nomad_task" },
        token_type: "service",
        token_period: "30m",
        token_policies: ["nomad-jobs"],
    }),
    policyText: (accessor) => renderWorkloadsPolicy(accessor, "kv"),
};

const extraClaims = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/identities/nomad-v2.0.5.vault-identity.extra-claims.json"), "utf8"),
).request;

/**
 * A Nomad 2.0.5 cluster whose logins rest on extra claims, set as the identity fixture's servers, namespace and job
 * are (tests/fixtures/identities/nomad-v2.0.5.vault-identity.extra-claims.json): the namespace requires nomad_team
 * from the job's meta, the task's identity takes the optional nomad_cost_center, the servers add nomad_workload_id.
 * The role admits the namespace's workloads through the servers' claim, a JSON pointer globbed, and maps the team
 * to alias metadata; the policy grants the team's path.
 */
export const EXTRA_CLAIMS: ClusterSetup = {
    name: "Nomad 2.0.5 extra claims",
    mount: "jwt-nomad",
    role: "nomad-workloads",
    policy: "nomad-workloads",
    kv: "secret",
    roleData: readBack({
        role_type: "jwt",
        bound_audiences: ["vault.io"],
        bound_claims: { "/extra_claims/nomad_workload_id": "default:*" },
        bound_claims_type: "glob",
        user_claim: "/nomad_job_id",
        user_claim_json_pointer: true,
        claim_mappings: {
            "/extra_claims/nomad_team": "nomad_team",
            "/extra_claims/nomad_workload_id": "nomad_workload_id",
            nomad_job_id: "nomad_job_id",
            nomad_namespace: "nomad_namespace",
        },
        token_type: "service",
        token_period: "30m",
        token_policies: ["nomad-workloads"],
    }),
    policyText: (accessor) =>
        `${renderWorkloadsPolicy(accessor, "secret")}
path "secret/data/teams/{{identity.entity.aliases.${accessor}.metadata.nomad_team}}/*" {
  capabilities = ["read"]
}
`,
    nomad: {
        nomadVersion: extraClaims.nomadVersion,
        vaultExtraClaims: extraClaims.vaultDefaultIdentity.extraClaims,
        namespaces: [
            {
                Name: "default",
                RequiredExtraClaims: extraClaims.namespaceExtraClaims.required,
                OptionalExtraClaims: extraClaims.namespaceExtraClaims.optional,
            },
        ],
    },
    apiJob: { Meta: extraClaims.jobMeta, ExtraClaims: extraClaims.identity.extraClaims },
};

export interface FakeCluster {
    readonly stack: FakeStack;
    readonly world: World;
    /** VAULT_* and NOMAD_* as an operator of this cluster would export them. */
    readonly env: Record<string, string>;
    readonly connection: Connection;
    close(): Promise<void>;
}

/** The job default/api, reading its secret from `kv`, as the source Nomad keeps of it. */
export function apiJobspec(kv: string): string {
    return `job "api" {
  group "api" {
    task "api" {
      driver = "docker"

      config {
        image = "busybox:1.36"
      }

      vault {}

      template {
        data        = <<EOF
${apiTemplate(kv)}
EOF
        destination = "secrets/env"
        env         = true
      }
    }
  }
}
`;
}

const apiTemplate = (kv: string) => `DB_PASSWORD={{with secret "${kv}/data/default/api/config"}}{{.Data.data.password}}{{end}}`;

/** The value of the api job's secret, which the cluster's KV mount holds and nothing may copy. */
export const API_PASSWORD = "s3cr3t-db-password-in-vault";

/**
 * The fakes set up as `setup` leaves a cluster, with one job, default/api, reading its secret; with
 * `tls`, Nomad over HTTPS demanding a client certificate (tests/fixtures/tls).
 */
export async function startFakeCluster(setup: ClusterSetup, options: { tls?: boolean } = {}): Promise<FakeCluster> {
    const stack = await startFakeStack({ external: options.tls ?? false });
    const { world } = stack;
    Object.assign(world, {
        mount: setup.mount,
        roleName: setup.role,
        defaultRole: setup.role,
        policyName: setup.policy,
        policyText: setup.policyText,
        agentJwtPath: setup.mount,
        role: setup.roleData,
        probe: probeIdentity(KEYS.ed25519),
        tokenPeriod: setup.roleData.token_period as number,
        jwtMount: { description: setup.mountDescription ?? "" },
        authConfig: setup.authConfig ?? {},
        kvMounts: { [setup.kv]: "2" },
        kvData: { [`${setup.kv}/data/default/api/config`]: { password: API_PASSWORD } },
        jobs: [
            {
                ID: "api",
                Namespace: "default",
                Templates: [apiTemplate(setup.kv)],
                Submission: { Source: apiJobspec(setup.kv) },
                ...setup.apiJob,
            },
        ],
        ...setup.nomad,
    } satisfies Partial<World>);
    const env = { VAULT_ADDR: stack.vault.address, VAULT_TOKEN, NOMAD_ADDR: stack.nomad.address, NOMAD_TOKEN };
    return {
        stack,
        world,
        env,
        connection: { vaultAddress: env.VAULT_ADDR, vaultToken: VAULT_TOKEN, nomadAddress: env.NOMAD_ADDR, nomadToken: NOMAD_TOKEN },
        close: () => stack.close(),
    };
}

/** One Nomad cluster of several against one Vault: its own keys, agents and mount. */
export interface FakeNomadCluster {
    readonly name: string;
    /** What its Nomad answers, and what the shared Vault answers for its mount and policy. */
    readonly world: World;
    readonly nomad: FakeServer;
    readonly key: { kid: string; publicKey: crypto.KeyObject; privateKey: crypto.KeyObject };
    readonly accessor: string;
    readonly jwksUrl: string;
}

export interface FakeClusters {
    readonly clusters: FakeNomadCluster[];
    readonly vault: FakeServer;
    /** Each cluster as verify checks it, the stack's mount declared for it. */
    targets(): ClusterUnderCheck[];
    close(): Promise<void>;
}

/**
 * Nomad clusters that sign with their own keys, each with the job default/api, and one Vault with a
 * JWT mount per cluster (jwt-nomad-<name>, its own accessor, its default role and templated
 * policy nomad-workloads-<name>), as the program's mount-per-cluster layout leaves them.
 */
export async function startFakeClusters(names: string[] = ["east", "west"]): Promise<FakeClusters> {
    const clusters: FakeNomadCluster[] = [];
    for (const [i, name] of names.entries()) {
        const key = { kid: crypto.randomUUID(), ...crypto.generateKeyPairSync("ed25519") };
        const world = healthyWorld();
        const accessor = `auth_jwt_${crypto.createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
        let address = "";
        const nomad = await fakeServer((req) => nomadApi(world, { server: true, address: () => address })(req));
        address = nomad.address;
        const jwksUrl = `${nomad.address}${world.jwksPath}`;
        Object.assign(world, {
            selfAddress: nomad.address,
            mount: clusterMount("jwt-nomad", name),
            agentJwtPath: clusterMount("jwt-nomad", name),
            policyName: clusterPolicyName("nomad-workloads", name),
            // The program's per-cluster role carries that cluster's policy (program/clusters.ts).
            role: { ...world.role, token_policies: [clusterPolicyName("nomad-workloads", name)] },
            policyAccessor: accessor,
            jwtMount: { accessor, uuid: `${i}${"b3c4d5e-6f70-8192-a3b4-c5d6e7f80912"}` },
            jwks: jwksOf(key),
            jwksUrl,
            probe: probeIdentity(key),
            kvData: { "kv/data/default/api/config": { password: API_PASSWORD } },
            jobs: [{ ID: "api", Namespace: "default", Templates: [apiTemplate("kv")], Submission: { Source: apiJobspec("kv") } }],
        } satisfies Partial<World>);
        clusters.push({ name, world, nomad, key, accessor, jwksUrl });
    }
    const handlers = clusters.map((c) => ({ world: c.world, handle: vaultApi(c.world, () => c.jwksUrl) }));
    const vault = await fakeServer((req) => {
        if (req.url === "/v1/sys/auth") {
            return authTable(handlers.map((h) => h.handle(req)));
        }
        // Each mount's paths, and its policy, as that cluster's world says; the rest (health, KV) as the first's.
        const owner = handlers.find(
            ({ world }) => req.url.startsWith(`/v1/auth/${world.mount}/`) || req.url === `/v1/sys/policies/acl/${world.policyName}`,
        );
        return (owner ?? handlers[0]).handle(req);
    });
    return {
        clusters,
        vault,
        targets: () =>
            clusters.map((c) => ({
                name: c.name,
                declaredMount: c.world.mount,
                target: {
                    vaultAddress: vault.address,
                    vaultToken: VAULT_TOKEN,
                    nomadAddress: c.nomad.address,
                    nomadToken: NOMAD_TOKEN,
                    nomadNamespace: "default",
                    jwtPath: c.world.mount,
                    defaultRole: "nomad-workloads",
                    policyName: c.world.policyName,
                    declaredRole: vaultRoleFields({ audience: "vault.io", tokenPeriodSeconds: 1800 }, c.world.policyName),
                    source: "stack",
                    sampleWorkload: false,
                },
            })),
        close: async () => {
            await Promise.all([vault.close(), ...clusters.map((c) => c.nomad.close())]);
        },
    };
}

/** One sys/auth of every cluster's mount: each world's table holds its own mount; Go sends the map's keys sorted. */
function authTable(replies: FakeReply[]): FakeReply {
    const bodies = replies.map((r) => JSON.parse(r.body as string));
    const mounts: Record<string, unknown> = Object.assign({}, ...bodies.map((b) => b.data));
    const data = Object.fromEntries(
        Object.keys(mounts)
            .sort()
            .map((m) => [m, mounts[m]]),
    );
    return { ...replies[0], body: JSON.stringify({ ...bodies[0], data }) };
}

/**
 * The clusters of `pair` as the jwks-pairs layout leaves them: one mount, jwt-nomad, whose jwks_pairs
 * list every cluster's JWKS URL, one default role and one templated policy; every agent logs in there.
 */
export function shareOneMount(pair: FakeClusters): void {
    const [first] = pair.clusters;
    const pairs = pair.clusters.map((c) => ({ jwks_ca_pem: "", jwks_url: c.jwksUrl }));
    for (const { world } of pair.clusters) {
        Object.assign(world, {
            mount: "jwt-nomad",
            agentJwtPath: "jwt-nomad",
            policyName: "nomad-workloads",
            role: { ...world.role, token_policies: ["nomad-workloads"] },
            policyAccessor: first.accessor,
            jwtMount: first.world.jwtMount,
            // Vault holds every pair's keys (plugin 0.20 fetches each JWKS; jwks_url stays empty).
            vaultCachedKids: pair.clusters.map((c) => c.key.kid),
            authConfig: { jwks_url: "", jwks_pairs: pairs },
        } satisfies Partial<World>);
    }
}
