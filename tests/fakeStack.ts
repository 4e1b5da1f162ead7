// A fake Vault and a fake Nomad for verify's tests: real keys, real signed identities, and a
// `World` whose fields each scenario changes one at a time.
import * as crypto from "crypto";
import { vaultRoleFields } from "../components/workloadRole";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { signJwt } from "../verify/jwt";
import { Target } from "../verify/checks";
import { request } from "../verify/http";
import { FakeReply, FakeRequest, FakeServer, fakeServer } from "./fakeHttp";

export const VAULT_TOKEN = "hvs.root";
export const NOMAD_TOKEN = "7f10099a-936c-3f3a-8783-f0980493e54b";
export const ACCESSOR = "auth_jwt_d34481ad";
const PROBE_TOKEN = "hvs.probe";
const QUERY_OUTPUT = "{ authInfo: { authenticatedUsers: [ { user: 'v-jwt-nomad-mongo-mongo-QbF7-1700544973', db: 'admin' } ] }, ok: 1 }";

/** Nomad's keyring: an RSA and an Ed25519 key, as Nomad serves them. */
export const KEYS = {
    rsa: { kid: "110a70ac-76a5-16a7-4ae7-bb0865ecd1a5", ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) },
    ed25519: { kid: "2c1f8a6e-9b1d-4f0e-8e7a-3f5d2b9c7a11", ...crypto.generateKeyPairSync("ed25519") },
    /** A key Nomad does not serve: identities signed with it cannot verify. */
    rogue: { kid: "dead0000-0000-0000-0000-000000000000", ...crypto.generateKeyPairSync("ed25519") },
};

const jwk = (k: { kid: string; publicKey: crypto.KeyObject }) => ({ ...k.publicKey.export({ format: "jwk" }), kid: k.kid, use: "sig" });
export const JWKS = {
    keys: [
        { ...jwk(KEYS.rsa), alg: "RS256" },
        { ...jwk(KEYS.ed25519), alg: "EdDSA" },
    ],
};

/** A workload identity for the probe task, as Nomad would sign it. */
export function probeIdentity(key: { kid: string; privateKey: crypto.KeyObject } = KEYS.rsa, claims: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
        {
            aud: "vault.io",
            iat: now,
            nbf: now,
            exp: now + 3600,
            nomad_namespace: "default",
            nomad_job_id: "vaultnomad-verify-probe",
            nomad_task: "probe",
            sub: "global:default:vaultnomad-verify-probe:probe:probe:vault_default",
            ...claims,
        },
        key.privateKey,
        key.kid,
    );
}

/** What the fakes answer; each scenario changes one thing. */
export interface World {
    sealed: boolean;
    vaultUnreadyCalls: number;
    leader: string;
    vaultEnabled: boolean;
    agentAudience: string[];
    agentJwtPath: string;
    /** More agents, as /v1/nodes lists them ("127.0.0.1:<port>"). */
    otherAgents: string[];
    jwksPath: string;
    jwksUrl?: string;
    jwks: { keys: unknown[] };
    role: Record<string, unknown>;
    policyAccessor: string;
    loginError?: string;
    tokenPeriod: number;
    jobs: Array<{ ID: string; Namespace: string; Role?: string; Templates?: string[]; Policies?: string[] }>;
    mongoQueryStatus: string;
    credsStatus: number;
    /** The probe task's identity; undefined when no probe ran. */
    probe?: string;
    /** What Vault's sys/capabilities-self answers for the probe's own KV path. */
    probeCapabilities: string[];
}

export const healthyWorld = (): World => ({
    sealed: false,
    vaultUnreadyCalls: 0,
    leader: "127.0.0.1:4647",
    vaultEnabled: true,
    agentAudience: ["vault.io"],
    agentJwtPath: "jwt-nomad",
    otherAgents: [],
    jwksPath: "/.well-known/jwks.json",
    jwks: JWKS,
    role: vaultRoleFields({ audience: "vault.io", tokenPeriodSeconds: 1800 }, "nomad-workloads"),
    policyAccessor: ACCESSOR,
    tokenPeriod: 1800,
    jobs: [
        {
            ID: "mongo",
            Namespace: "default",
            Templates: ['MONGO_INITDB_ROOT_PASSWORD={{with secret "kv/data/default/mongo/config"}}{{.Data.data.root_password}}{{end}}'],
        },
        {
            ID: "mongo-query",
            Namespace: "default",
            Role: "mongo-dynamic-secret",
            Templates: ['{{with secret "database/creds/mongo"}}{{end}}'],
        },
    ],
    mongoQueryStatus: "complete",
    credsStatus: 200,
    probe: probeIdentity(),
    probeCapabilities: ["read"],
});

export function nomadApi(world: World, agent: { server: boolean; jwks?: { keys: unknown[] } } = { server: true }) {
    return (req: FakeRequest): FakeReply => {
        const route = req.url.split("?")[0];
        if (route === world.jwksPath) {
            return { status: 200, body: agent.jwks ?? world.jwks };
        }
        if (route === "/v1/status/leader") {
            return world.leader ? { status: 200, body: JSON.stringify(world.leader) } : { status: 500, body: "No cluster leader" };
        }
        if (req.headers["x-nomad-token"] !== NOMAD_TOKEN && route.startsWith("/v1/")) {
            return { status: 403, body: "Permission denied" };
        }
        const job = world.jobs.find((j) => route === `/v1/job/${j.ID}` && req.url.includes(`namespace=${j.Namespace}`));
        if (job) {
            const task = {
                Vault: { Role: job.Role ?? "", Policies: job.Policies ?? null },
                Templates: (job.Templates ?? []).map((t) => ({ EmbeddedTmpl: t })),
            };
            return { status: 200, body: { ID: job.ID, TaskGroups: [{ Tasks: [task] }] } };
        }
        switch (route) {
            case "/v1/acl/token/self":
                return { status: 200, body: { AccessorID: "d1de8625", Type: "management" } };
            case "/v1/agent/self":
                return {
                    status: 200,
                    body: {
                        config: {
                            Server: { Enabled: agent.server },
                            Vaults: [
                                {
                                    Name: "default",
                                    Enabled: world.vaultEnabled,
                                    DefaultIdentity: { Audience: world.agentAudience },
                                    JWTAuthBackendPath: world.agentJwtPath,
                                },
                            ],
                        },
                    },
                };
            case "/v1/agent/members":
                return { status: 200, body: { Members: [] } };
            case "/v1/nodes":
                return { status: 200, body: world.otherAgents.map((HTTPAddr) => ({ HTTPAddr, Status: "ready" })) };
            case "/v1/jobs":
                return { status: 200, body: world.jobs.map(({ ID, Namespace }) => ({ ID, Namespace })) };
            case "/v1/job/mongo/allocations":
                return {
                    status: 200,
                    body: [{ ID: "49fc68d8-aaaa", CreateIndex: 10, ClientStatus: "running", DeploymentStatus: { Healthy: true } }],
                };
            case "/v1/job/mongo-query/allocations":
                return {
                    status: 200,
                    body: [
                        {
                            ID: "909f0184-bbbb",
                            CreateIndex: 20,
                            ClientStatus: world.mongoQueryStatus,
                            TaskStates: {
                                "mongo-query": {
                                    Events: [{ Type: "Template", DisplayMessage: "Missing: vault.read(database/creds/mongo)" }],
                                },
                            },
                        },
                    ],
                };
            case "/v1/client/fs/logs/909f0184-bbbb":
                return { status: 200, body: QUERY_OUTPUT };
            default:
                return { status: 404, body: "not found" };
        }
    };
}

export function vaultApi(world: World, nomadAddress: () => string) {
    let healthCalls = 0;
    return (req: FakeRequest): FakeReply => {
        if (req.url === "/v1/sys/health") {
            healthCalls++;
            if (world.sealed) {
                return { status: 503, body: { initialized: true, sealed: true } };
            }
            if (healthCalls <= world.vaultUnreadyCalls) {
                return { status: 429, body: { initialized: true, sealed: false, standby: true } };
            }
            return { status: 200, body: { initialized: true, sealed: false, version: "1.18.1" } };
        }
        if (req.url === "/v1/auth/jwt-nomad/login") {
            return world.loginError
                ? { status: 400, body: { errors: [world.loginError] } }
                : { status: 200, body: { auth: { client_token: PROBE_TOKEN } } };
        }
        if (req.headers["x-vault-token"] === PROBE_TOKEN) {
            if (req.url === "/v1/sys/capabilities-self") {
                const [path] = JSON.parse(req.body).paths;
                return { status: 200, body: { [path]: world.probeCapabilities, capabilities: world.probeCapabilities } };
            }
            if (req.url === "/v1/auth/token/lookup-self") {
                return {
                    status: 200,
                    body: { data: { period: world.tokenPeriod, explicit_max_ttl: 0, policies: ["default", "nomad-workloads"] } },
                };
            }
            return { status: req.url === "/v1/auth/token/revoke-self" ? 204 : 403, body: {} };
        }
        if (req.headers["x-vault-token"] !== VAULT_TOKEN) {
            return { status: 403, body: { errors: ["permission denied"] } };
        }
        switch (req.url) {
            case "/v1/auth/jwt-nomad/config":
                return { status: 200, body: { data: { jwks_url: world.jwksUrl ?? `${nomadAddress()}/.well-known/jwks.json` } } };
            case "/v1/auth/jwt-nomad/role/nomad-workloads":
                return { status: 200, body: { data: world.role } };
            case "/v1/sys/auth":
                return {
                    status: 200,
                    body: {
                        data: {
                            "jwt-nomad/": { type: "jwt", accessor: ACCESSOR },
                            "token/": { type: "token", accessor: "auth_token_510d42ca" },
                        },
                    },
                };
            case "/v1/sys/policies/acl/nomad-workloads":
                return { status: 200, body: { data: { name: "nomad-workloads", policy: renderWorkloadsPolicy(world.policyAccessor) } } };
            case "/v1/database/creds/mongo":
                return world.credsStatus === 200
                    ? { status: 200, body: { lease_id: "database/creds/mongo/abc", data: { username: "v-u", password: "p" } } }
                    : { status: world.credsStatus, body: { errors: ["failed to verify connection: server selection error"] } };
            case "/v1/sys/leases/revoke":
                return { status: 204 };
            default:
                return { status: 404, body: { errors: [] } };
        }
    };
}

/** A fake Vault and Nomad for one test, and the target that points verify at them. */
export interface FakeStack {
    readonly world: World;
    readonly nomad: FakeServer;
    readonly vault: FakeServer;
    target(): Target;
    close(): Promise<void>;
}

export async function startFakeStack(): Promise<FakeStack> {
    const world = healthyWorld();
    const nomad = await fakeServer((req) => nomadApi(world)(req));
    const vaultHandler = vaultApi(world, () => nomad.address);
    const vault = await fakeServer((req) => vaultHandler(req));
    return {
        world,
        nomad,
        vault,
        target: () => ({
            vaultAddress: vault.address,
            vaultToken: VAULT_TOKEN,
            nomadAddress: nomad.address,
            nomadToken: NOMAD_TOKEN,
            jwtPath: "jwt-nomad",
            defaultRole: "nomad-workloads",
            policyName: "nomad-workloads",
            declaredRole: healthyWorld().role,
            probeJwt: async () => world.probe,
            fetchFromVault: (url) => request(url),
            sampleWorkload: true,
        }),
        close: async () => {
            await Promise.all([nomad.close(), vault.close()]);
        },
    };
}
