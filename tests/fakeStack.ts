// A fake Vault and a fake Nomad for verify's tests. They answer from the real-shape fixtures in
// tests/fixtures/api/, with real keys and real signed identities; a `World` says what each scenario
// changes. The fake Vault judges a login the way the JWT method does: the role, the key set it can
// fetch, the kid, the audience, the expiry.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { vaultRoleFields } from "../components/workloadRole";
import { renderGrants } from "../components/jobVaultRole";
import { MONGO_CREDS_PATH } from "../components/mongoSecretsEngine";
import { JwtRole, validateBoundClaims } from "../policy/jwtClaims";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { CHECKS } from "../verify/catalog";
import { request } from "../verify/http";
import { CheckResult, verify } from "../verify/run";
import { PROBE_JOB } from "../verify/probe";
import { Check, Target } from "../verify/types";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { readFixture, served } from "./apiFixtures";
import { FakeReply, FakeRequest, FakeServer, FakeServerOptions, FakeTls, fakeServer } from "./fakeHttp";

export const VAULT_TOKEN = "hvs.root";
export const NOMAD_TOKEN = readFixture("nomad.acl-token-self").body.SecretID as string;
export const ACCESSOR = "auth_jwt_d34481ad";
const PROBE_TOKEN = readFixture("vault.jwt-login").body.auth.client_token as string;
const PROBE_ALLOC = "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const QUERY_OUTPUT = "{ authInfo: { authenticatedUsers: [ { user: 'v-jwt-nomad-mongo-mongo-QbF7-1700544973', db: 'admin' } ] }, ok: 1 }";

/** Why Vault gives no database credentials, by status (builtin/logical/database/path_creds_create.go). */
const CREDS_ERRORS: Record<number, string> = {
    400: "unknown role: mongo",
    500: "failed to verify connection: server selection error",
};

/** Test-only TLS material (tests/fixtures/tls/README.md). */
const tlsFile = (name: string) => fs.readFileSync(path.join(PROJECT_ROOT, "tests/fixtures/tls", name), "utf8");
export const TLS = {
    ca: tlsFile("ca.pem"),
    serverCert: tlsFile("server.pem"),
    serverKey: tlsFile("server.key"),
    clientCert: tlsFile("client.pem"),
    clientKey: tlsFile("client.key"),
};

/** Nomad's keyring: an RSA and an Ed25519 key, as Nomad serves them. */
export const KEYS = {
    rsa: { kid: "110a70ac-76a5-16a7-4ae7-bb0865ecd1a5", ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) },
    ed25519: { kid: "2c1f8a6e-9b1d-4f0e-8e7a-3f5d2b9c7a11", ...crypto.generateKeyPairSync("ed25519") },
    /** A key Nomad does not serve: identities signed with it cannot verify. */
    rogue: { kid: "dead0000-0000-0000-0000-000000000000", ...crypto.generateKeyPairSync("ed25519") },
};

/** The JWKS fixture with this run's keys (go-jose's field order: use, kty, kid, crv, alg, x / n, e). */
const served_key = (k: { kid: string; publicKey: crypto.KeyObject }, alg: string) => {
    const { kty, crv, x, n, e } = k.publicKey.export({ format: "jwk" });
    return { use: "sig", kty, kid: k.kid, ...(crv ? { crv } : {}), alg, ...(x ? { x } : { n, e }) };
};
export const JWKS = { keys: [served_key(KEYS.rsa, "RS256"), served_key(KEYS.ed25519, "EdDSA")] };
export const jwksOf = (...keys: Array<{ kid: string; publicKey: crypto.KeyObject }>) => ({
    keys: keys.map((k) => served_key(k, k.publicKey.asymmetricKeyType === "ed25519" ? "EdDSA" : "RS256")),
});

/** Signs claims as Nomad does (RS256 or EdDSA, with the key's kid). */
export function signJwt(claims: Record<string, unknown>, key: crypto.KeyObject, kid: string): string {
    const alg = key.asymmetricKeyType === "ed25519" ? "EdDSA" : "RS256";
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const signingInput = `${encode({ alg, kid, typ: "JWT" })}.${encode(claims)}`;
    return `${signingInput}.${crypto.sign(alg === "RS256" ? "sha256" : null, Buffer.from(signingInput), key).toString("base64url")}`;
}

/** A workload identity for the probe task, as Nomad would sign it (nomad/structs/workload_id.go claims). */
export function probeIdentity(key: { kid: string; privateKey: crypto.KeyObject } = KEYS.rsa, claims: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
        {
            aud: "vault.io",
            iat: now,
            nbf: now,
            exp: now + 3600,
            nomad_namespace: "default",
            nomad_job_id: PROBE_JOB,
            nomad_task: "probe",
            nomad_allocation_id: PROBE_ALLOC,
            sub: `global:default:${PROBE_JOB}:probe:probe:vault_default`,
            ...claims,
        },
        key.privateKey,
        key.kid,
    );
}

/**
 * What a token may do, as the fake enforces it for a token other than the operator's: Vault's ACL
 * on (capability, path), Nomad's on (capability, namespace). Built from the policies in
 * docs/verify.md by tests/fakePolicies.ts.
 */
export interface TokenGate {
    readonly token: string;
    allows(capability: string, path: string): boolean;
}

/** What the fakes answer; each scenario changes one thing. */
export interface World {
    /** The JWT auth mount, the role its config names as default_role, and that role's templated policy. */
    mount: string;
    roleName: string;
    defaultRole: string;
    policyName: string;
    /** The templated policy's text for an accessor (the stack's by default). */
    policyText: (accessor: string) => string;
    /** Tokens with less than root (Vault) or management (Nomad), each held to its policy. */
    vaultGate?: TokenGate;
    nomadGate?: TokenGate & { readonly policies: string[] };
    sealed: boolean;
    /** Vault before `vault operator init`: sys/health answers 501 (http/sys_health.go, uninitcode). */
    vaultUninitialised: boolean;
    /** The version sys/health reports, whatever Vault's state. */
    vaultVersion: string;
    vaultUnreadyCalls: number;
    /** Seconds Vault's clock is ahead of this machine's. */
    vaultClockOffset: number;
    leader: string;
    vaultEnabled: boolean;
    /** The agents' default_identity.aud; empty for agents without a default_identity block (null in agent/self). */
    agentAudience: string[];
    agentJwtPath: string;
    /** The Vault Enterprise namespace in the agents' vault block ("" for none). */
    agentVaultNamespace: string;
    /** More client nodes: their HTTPAddr ("127.0.0.1:<port>"), found through /v1/node/:id. */
    otherAgents: string[];
    /** Server members that are no client node: their serf tags carry no HTTP address. */
    otherServers: string[];
    /** The serf address of server members by name (the fixture's 127.0.0.1 when not named): verify looks for their HTTP API there. */
    serverAddrs: Record<string, string>;
    /** Serf status of server members by name ("alive" when not named): "failed", "left", "leaving". */
    memberStatus: Record<string, string>;
    /** Status of client nodes by name (client-<i>; "ready" when not named): "down", "initializing", "disconnected". */
    nodeStatus: Record<string, string>;
    /** Client nodes /v1/nodes lists but whose full node is gone when read (404 "node not found", as after a purge). */
    goneNodes: string[];
    /** The stack's own agent, whose member name is the fixture's. */
    selfAddress?: string;
    jwksPath: string;
    jwksUrl?: string;
    /** PEM public keys the auth config holds instead of a jwks_url (its jwks_url is then ""). */
    jwtValidationPubkeys?: string[];
    /** The CA PEM auth/<mount>/config gives Vault for jwks_url ("" for none). */
    jwksCaPem: string;
    jwks: { keys: unknown[] };
    /** Why Vault cannot fetch the JWKS from where it runs (go-oidc's error), if it cannot. */
    vaultJwksError?: string;
    /** The role as Vault reads it back (the fixture's shape); undefined when it does not exist. */
    role?: Record<string, unknown>;
    policyAccessor: string;
    /** A login refusal Vault sends whatever the identity. */
    loginError?: string;
    tokenPeriod: number;
    /**
     * Jobs with a vault block (`NoVault`: without); `NoIdentity` for one submitted before the agents had
     * default_identity, `Identities` for the names of its other identities instead of the fixture's
     * vault_default; `Gone` for one listed but deregistered before verify reads it; `Cluster` for a vault
     * block naming another Vault cluster (Nomad Enterprise), whose identity is vault_<cluster>.
     */
    jobs: Array<{
        ID: string;
        Namespace: string;
        /** The periodic or parameterized job this one was launched from (Nomad's ParentID). */
        ParentID?: string;
        /** The client node its allocation runs on (client-<i>; client-0, the stack's own agent, when not named). */
        Node?: string;
        /** A second group, whose one task ("sidecar") uses Vault with `Role` when given, and runs on `Node`. */
        Sidecar?: { Group: string; Role?: string; Node?: string };
        /** Registered after Nomad's job list was read: its allocations show, the list does not. */
        NotListed?: boolean;
        Role?: string;
        Templates?: string[];
        /** The task's secret blocks (Nomad ≥ 1.11), as tests/fixtures/api/nomad.job-secrets.json gives them; Config and Env null when not given. */
        Secrets?: Array<{ Name: string; Provider: string; Path: string; Config?: Record<string, unknown> | null }>;
        Policies?: string[];
        NoIdentity?: boolean;
        NoVault?: boolean;
        Identities?: string[];
        Gone?: boolean;
        Cluster?: string;
        /** The job's version (0 when not given). */
        Version?: number;
        /** The job's meta, and the optional extra claims its task's vault identity names (identity { extra_claims = […] }). */
        Meta?: Record<string, string>;
        ExtraClaims?: string[];
        /** The audience of its task's vault identity; null for one without (Nomad only warns: nomad/structs/workload_id.go Warnings). */
        Audience?: string[] | null;
        /** What GET /v1/job/:id/submission answers for that version; none kept (404) when not given. */
        Submission?: { Source: string; Format?: string; VariableFlags?: Record<string, string> | null; Variables?: string };
    }>;
    /** The Type acl/token/self gives the stack's Nomad token ("management" for a healthy stack). */
    nomadTokenType: string;
    /** The mongo job's allocation: its client status and deployment health (null: not yet known, no DeploymentStatus). */
    mongoAlloc: { ClientStatus: string; Healthy: boolean | null };
    /** Jobs Nomad has placed no allocation for: their allocations list is empty. */
    unplacedJobs: string[];
    /**
     * Roles of jobs that do not use the default role, with the text of their one policy (named after the
     * role); `tokenPolicies` as Vault reads them back, when not that one policy (null: a role without any).
     */
    jobRoles: Record<string, { policy: string; tokenPolicies?: string[] | null; role?: Record<string, unknown> }>;
    /** More ACL policies Vault holds, by name, with their text (an incident's deny, a job's own rotation rule). */
    policies: Record<string, string>;
    /** JWT mounts besides `mount`, with their config's default_role and the roles they hold. */
    otherMounts: Record<string, { defaultRole: string; roles: string[] }>;
    /** The kids Vault holds from an earlier fetch, when its cache is stale; otherwise it fetches world.jwks. */
    vaultCachedKids?: string[];
    mongoQueryStatus: string;
    /** What mongo-query prints: its connection status. */
    mongoQueryOutput: string;
    credsStatus: number;
    /** The probe task's identity, as it prints it. */
    probe: string;
    /** More JWT auth mounts than `mount`, by path; and fields of `mount`'s sys/auth entry other than the fixture's (description, local). */
    jwtMount: Record<string, unknown>;
    /** Fields of auth/<mount>/config other than the fixture's (jwt_supported_algs, bound_issuer, …). */
    authConfig: Record<string, unknown>;
    /** The KV mounts of sys/mounts, by path: the version in options.version ("1" or "2"), or null for none (a KV mount enabled without -version). */
    kvMounts: Record<string, string | null>;
    /** KV v2 secrets, by their API path (kv/data/default/api/config), with their values. */
    kvData: Record<string, Record<string, string>>;
    /** Nomad namespaces besides default; one named default replaces the fixture's, as its extra claims do (Nomad ≥ 2.0.3). */
    namespaces: Array<{
        Name: string;
        Description?: string;
        Quota?: string;
        Meta?: Record<string, string> | null;
        RequiredExtraClaims?: Record<string, string> | null;
        OptionalExtraClaims?: Record<string, string> | null;
    }>;
    /** The servers' version, as agent/members and agent/self tag it ("build"); the fixture's when not set. */
    nomadVersion?: string;
    /** The servers' vault.default_identity.extra_claims (null in agent/self when unset). */
    vaultExtraClaims?: Record<string, string>;
    /** How Nomad answers the probe's registration (200; 500: no leader; else its 403), and how its allocation ends. */
    probeRegisterStatus: number;
    probeAllocStatus: string;
    /** What Vault's sys/capabilities-self answers for the probe's own KV path; null: 403, the probe's token may not ask. */
    probeCapabilities: string[] | null;
}

export const healthyWorld = (): World => ({
    mount: "jwt-nomad",
    roleName: "nomad-workloads",
    defaultRole: "nomad-workloads",
    policyName: "nomad-workloads",
    policyText: renderWorkloadsPolicy,
    sealed: false,
    vaultUninitialised: false,
    vaultVersion: readFixture("vault.sys-health").body.version,
    vaultUnreadyCalls: 0,
    vaultClockOffset: 0,
    leader: readFixture("nomad.status-leader").body,
    vaultEnabled: true,
    agentAudience: ["vault.io"],
    agentJwtPath: "jwt-nomad",
    agentVaultNamespace: "",
    otherAgents: [],
    otherServers: [],
    serverAddrs: {},
    memberStatus: {},
    nodeStatus: {},
    goneNodes: [],
    jwksPath: "/.well-known/jwks.json",
    jwksCaPem: "",
    jwks: JWKS,
    role: readFixture("vault.jwt-role").body.data,
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
    nomadTokenType: "management",
    mongoAlloc: { ClientStatus: "running", Healthy: true },
    unplacedJobs: [],
    jobRoles: { "mongo-dynamic-secret": { policy: renderGrants([{ path: MONGO_CREDS_PATH, capabilities: ["read"] }]) } },
    policies: {},
    otherMounts: {},
    mongoQueryStatus: "complete",
    mongoQueryOutput: QUERY_OUTPUT,
    credsStatus: 200,
    probe: probeIdentity(),
    probeRegisterStatus: 200,
    probeAllocStatus: "complete",
    probeCapabilities: ["read"],
    jwtMount: {},
    authConfig: {},
    kvMounts: { kv: "2" },
    kvData: {},
    namespaces: [],
});

/** The role the stack declares, as `verify` is given it. */
export const DECLARED_ROLE = vaultRoleFields({ audience: "vault.io", tokenPeriodSeconds: 1800 }, "nomad-workloads");

const text = (status: number, body: string): FakeReply => ({ status, body, contentType: "text/plain" });
/** A client node's ID: a UUID, as Nomad's. */
const nodeId = (i: number) => `${String(i).padStart(8, "0")}-9a8e-4f7b-b6c5-d4e3f2a1b0c9`;
const nomadError = (name: "nomad.error-permission-denied" | "nomad.error-no-leader") => served(name);

type WorldJob = World["jobs"][number];
type BoundClaims = JwtRole["bound_claims"];

/** The world's jobs by namespace and ID, built again when the list changes: a cluster of thousands is read job by job. */
const jobIndexes = new WeakMap<WorldJob[], { length: number; byKey: Map<string, WorldJob> }>();
function jobIndex(jobs: WorldJob[]): Map<string, WorldJob> {
    const kept = jobIndexes.get(jobs);
    if (kept?.length === jobs.length) {
        return kept.byKey;
    }
    const byKey = new Map(jobs.map((job) => [`${job.Namespace}/${job.ID}`, job]));
    jobIndexes.set(jobs, { length: jobs.length, byKey });
    return byKey;
}

/** The job a /v1/job/:id request names (its ID path-encoded, as a child job's "parent/periodic-…"), in the request's namespace. */
function requestedJob(world: World, req: FakeRequest, route: string, under = ""): WorldJob | undefined {
    const id = new RegExp(`^/v1/job/([^/]+)${under}$`).exec(route)?.[1];
    const namespace = new URL(req.url, "http://fake").searchParams.get("namespace") ?? "default";
    return id === undefined ? undefined : jobIndex(world.jobs).get(`${namespace}/${decodeURIComponent(id)}`);
}

/** The allocations Nomad lists (/v1/allocations): one per job, on its node, as the job's group (AllocListStub). */
function allocationList(world: World): FakeReply {
    const status: Record<string, () => string> = {
        mongo: () => world.mongoAlloc.ClientStatus,
        "mongo-query": () => world.mongoQueryStatus,
    };
    return served("nomad.job-allocations", ([alloc]) =>
        world.jobs
            .filter((job) => !job.Gone)
            .flatMap((job) => [
                { job, group: alloc.TaskGroup, on: job.Node },
                ...(job.Sidecar ? [{ job, group: job.Sidecar.Group, on: job.Sidecar.Node }] : []),
            ])
            .map(({ job, group, on = "client-0" }, i) => {
                const node = Number(on.slice("client-".length));
                return {
                    ...alloc,
                    ID: `${String(i).padStart(8, "0")}-${alloc.ID.slice(9)}`,
                    Name: `${job.ID}.${group}[0]`,
                    Namespace: job.Namespace,
                    NodeID: nodeId(node),
                    NodeName: `client-${node}`,
                    JobID: job.ID,
                    TaskGroup: group,
                    ClientStatus: status[job.ID]?.() ?? "running",
                    TaskStates: null,
                };
            }),
    );
}

/** A job's submission of `version`, as Nomad keeps it: the source of that version, or 404 when it kept none. */
function submission(job: World["jobs"][number], version: string | null): FakeReply {
    if (!job.Submission || version !== String(job.Version ?? 0)) {
        return served("nomad.error-job-source-not-found");
    }
    return served("nomad.job-submission", (body) => ({
        ...body,
        ...job.Submission,
        Namespace: job.Namespace,
        JobID: job.ID,
        Version: job.Version ?? 0,
    }));
}

/** Nomad's namespaces: the fixture's default (or the world's own default), then the world's others, Go's nil maps as null. */
function namespaceList(world: World): Array<{ Name: string }> {
    const [fixtureDefault] = readFixture("nomad.namespaces").body;
    const blank = { ...fixtureDefault, Description: "" };
    const own = world.namespaces.find((n) => n.Name === "default");
    return [{ ...fixtureDefault, ...own }, ...world.namespaces.filter((n) => n !== own).map((n) => ({ ...blank, ...n }))];
}

export function nomadApi(world: World, agent: { server: boolean; address: () => string; jwks?: { keys: unknown[] }; name?: string }) {
    const hostPort = () => agent.address().replace(/^https?:\/\//, "");
    return (req: FakeRequest): FakeReply => {
        const route = req.url.split("?")[0];
        if (route === world.jwksPath) {
            return served("nomad.jwks", () => agent.jwks ?? world.jwks);
        }
        if (route === "/v1/status/leader") {
            return world.leader ? served("nomad.status-leader", () => world.leader) : nomadError("nomad.error-no-leader");
        }
        const gate = world.nomadGate;
        if (gate && req.headers["x-nomad-token"] === gate.token) {
            const need = nomadNeeds(req.method, route);
            const namespace = new URL(req.url, "http://fake").searchParams.get("namespace") ?? "default";
            if (need && !gate.allows(need, namespace)) {
                return nomadError("nomad.error-permission-denied");
            }
            if (route === "/v1/acl/token/self") {
                return served("nomad.acl-token-self", (body) => ({ ...body, Name: "verify", Type: "client", Policies: gate.policies }));
            }
        } else if (req.headers["x-nomad-token"] !== NOMAD_TOKEN && route.startsWith("/v1/")) {
            return nomadError("nomad.error-permission-denied");
        }
        const job = requestedJob(world, req, route);
        if (job?.Gone) {
            return text(404, "job not found");
        }
        if (job) {
            return served("nomad.job", (body) => {
                const task = body.TaskGroups[0].Tasks[0];
                Object.assign(body, {
                    ID: job.ID,
                    Name: job.ID,
                    Namespace: job.Namespace,
                    ParentID: job.ParentID ?? "",
                    Version: job.Version ?? 0,
                });
                // The tutorial's jobs keep the fixture's task (mongo); others name their task after the job.
                task.Name = job.ID.startsWith("mongo") ? task.Name : job.ID;
                task.Vault.Role = job.Role ?? "";
                task.Vault.Cluster = job.Cluster ?? task.Vault.Cluster;
                if (job.Policies) {
                    task.Vault.Policies = job.Policies;
                }
                if (job.NoIdentity) {
                    task.Identities = null;
                }
                if (job.Identities) {
                    task.Identities = job.Identities.map((Name) => ({ ...task.Identities[0], Name }));
                }
                body.Meta = job.Meta ?? body.Meta;
                if (job.ExtraClaims) {
                    task.Identities[0].ExtraClaims = job.ExtraClaims;
                }
                if (job.Audience !== undefined) {
                    task.Identities[0].Audience = job.Audience;
                }
                // A task without templates: Go sends its nil list as null.
                task.Templates = job.Templates ? job.Templates.map((t) => ({ ...task.Templates[0], EmbeddedTmpl: t })) : null;
                // Nomad 2.0 sends a task's secret blocks, null for none (nomad/structs/structs.go Task.Secrets).
                task.Secrets = job.Secrets?.map((secret) => ({ Config: null, ...secret, Env: null })) ?? null;
                if (job.NoVault) {
                    // A task without a vault block: Nomad sends null, and the server adds no vault_ identity.
                    task.Vault = null;
                    task.Identities = null;
                }
                if (job.Sidecar) {
                    const { Group, Role } = job.Sidecar;
                    const sidecar = { ...task, Name: "sidecar", Templates: null, Vault: null, Identities: null };
                    if (Role) {
                        Object.assign(sidecar, { Vault: { ...task.Vault, Role }, Identities: task.Identities });
                    }
                    body.TaskGroups.push({ ...body.TaskGroups[0], Name: Group, Tasks: [sidecar] });
                }
                return body;
            });
        }
        const submitted = requestedJob(world, req, route, "/submission");
        if (submitted) {
            return submission(submitted, new URL(req.url, "http://fake").searchParams.get("version"));
        }
        const namespace = route.startsWith("/v1/namespace/") ? decodeURIComponent(route.slice("/v1/namespace/".length)) : undefined;
        if (namespace !== undefined || route === "/v1/namespaces") {
            const listed = namespaceList(world);
            const found = listed.find((n) => n.Name === namespace);
            // Nomad's 404 for a namespace it does not have (command/agent/namespace_endpoint.go).
            return namespace === undefined
                ? served("nomad.namespaces", () => listed)
                : found
                  ? served("nomad.namespaces", () => found)
                  : text(404, "Namespace not found");
        }
        const asked = /^\/v1\/node\/(\d{8})-9a8e-4f7b-b6c5-d4e3f2a1b0c9$/.exec(route);
        const node = asked && Number(asked[1]) <= world.otherAgents.length ? Number(asked[1]) : -1;
        if (node >= 0 && !world.goneNodes.includes(`client-${node}`)) {
            return served("nomad.node", (body) => ({
                ...body,
                ID: nodeId(node),
                Name: `client-${node}`,
                HTTPAddr: [hostPort(), ...world.otherAgents][node],
                Status: world.nodeStatus[`client-${node}`] ?? body.Status,
            }));
        }
        if (node >= 0) {
            return text(404, "node not found");
        }
        if (world.unplacedJobs.some((id) => route === `/v1/job/${id}/allocations`)) {
            return served("nomad.job-allocations", () => []);
        }
        switch (route) {
            case "/v1/acl/token/self":
                return served("nomad.acl-token-self", (body) => ({ ...body, Type: world.nomadTokenType }));
            case "/v1/agent/self":
                return served("nomad.agent-self", (body) => {
                    const [vault] = body.config.Vaults;
                    Object.assign(vault, {
                        Enabled: world.vaultEnabled,
                        JWTAuthBackendPath: world.agentJwtPath,
                        Namespace: world.agentVaultNamespace,
                    });
                    vault.DefaultIdentity = world.agentAudience.length
                        ? { ...vault.DefaultIdentity, Audience: world.agentAudience, ExtraClaims: world.vaultExtraClaims ?? null }
                        : null;
                    body.member.Tags.build = world.nomadVersion ?? body.member.Tags.build;
                    body.config.Server.Enabled = agent.server;
                    body.member.Name =
                        agent.name ?? (agent.address() === world.selfAddress ? body.member.Name : `agent-${hostPort()}.global`);
                    return body;
                });
            case "/v1/agent/members":
                return served("nomad.agent-members", (body) => {
                    const [self] = body.Members;
                    body.Members.push(...world.otherServers.map((Name) => ({ ...self, Name })));
                    body.Members.forEach((m: { Name: string; Status: string; Addr: string; Tags: { build: string } }) => {
                        m.Tags = { ...m.Tags, build: world.nomadVersion ?? m.Tags.build };
                        m.Status = world.memberStatus[m.Name] ?? m.Status;
                        m.Addr = world.serverAddrs[m.Name] ?? m.Addr;
                    });
                    return body;
                });
            case "/v1/nodes":
                return served("nomad.nodes", ([stub]) =>
                    [hostPort(), ...world.otherAgents].map((_, i) => ({
                        ...stub,
                        ID: nodeId(i),
                        Name: `client-${i}`,
                        Status: world.nodeStatus[`client-${i}`] ?? stub.Status,
                    })),
                );
            case "/v1/jobs":
                if (req.method === "POST") {
                    if (world.probeRegisterStatus === 500) {
                        // A leader lost between the checks and the probe: Nomad's 500 for every write.
                        return nomadError("nomad.error-no-leader");
                    }
                    return world.probeRegisterStatus === 200 ? served("nomad.jobs-register") : nomadError("nomad.error-permission-denied");
                }
                return served("nomad.jobs", ([stub]) =>
                    world.jobs
                        .filter((job) => !job.NotListed)
                        .map(({ ID, Namespace, ParentID = "" }) => ({ ...stub, ID, ParentID, Name: ID, Namespace })),
                );
            case "/v1/allocations":
                return allocationList(world);
            case `/v1/job/${PROBE_JOB}`:
                return served("nomad.job-deregister");
            case `/v1/job/${PROBE_JOB}/allocations`:
                return served("nomad.job-allocations", ([alloc]) => [
                    { ...alloc, ID: PROBE_ALLOC, JobID: PROBE_JOB, ClientStatus: world.probeAllocStatus, DeploymentStatus: null },
                ]);
            case `/v1/client/fs/logs/${PROBE_ALLOC}`:
                return text(200, world.probe);
            case "/v1/job/mongo/allocations":
                return served("nomad.job-allocations", ([alloc]) => [
                    {
                        ...alloc,
                        ClientStatus: world.mongoAlloc.ClientStatus,
                        DeploymentStatus:
                            world.mongoAlloc.Healthy === null ? null : { ...alloc.DeploymentStatus, Healthy: world.mongoAlloc.Healthy },
                    },
                ]);
            case "/v1/job/mongo-query/allocations":
                return served("nomad.job-allocations", ([alloc]) => [
                    {
                        ...alloc,
                        ID: "909f0184-bbbb-4c5d-8e9f-0a1b2c3d4e5f",
                        JobID: "mongo-query",
                        CreateIndex: 40,
                        ClientStatus: world.mongoQueryStatus,
                        DeploymentStatus: null,
                        TaskStates: {
                            "mongo-query": {
                                ...alloc.TaskStates.mongo,
                                Events: [{ Type: "Template", DisplayMessage: "Missing: vault.read(database/creds/mongo)", Message: "" }],
                            },
                        },
                    },
                ]);
            case "/v1/client/fs/logs/909f0184-bbbb-4c5d-8e9f-0a1b2c3d4e5f":
                return text(200, world.mongoQueryOutput);
            default:
                return text(404, "Not Found");
        }
    };
}

/** Claims of a JWT, unverified: the fake Vault checks the kid against the keys it can fetch. */
const claimsOf = (jwt: string) => {
    const [header, payload] = jwt
        .split(".")
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    return { header, payload };
};

export function vaultApi(world: World, jwksUrl: () => string) {
    let healthCalls = 0;
    const now = () => Math.floor(Date.now() / 1000) + world.vaultClockOffset;
    const refusal = (message: string): FakeReply => served("vault.error-login", () => ({ errors: [message] }));
    const login = (body: { role: string; jwt: string }): FakeReply => {
        if (world.loginError) {
            return refusal(world.loginError);
        }
        if (!world.role || (body.role || world.defaultRole) !== world.roleName) {
            return refusal(`role "${body.role}" could not be found`);
        }
        if (world.vaultJwksError) {
            return refusal(
                `error validating token: error verifying token signature: fetching keys oidc: get keys failed: ${world.vaultJwksError}`,
            );
        }
        const { header, payload } = claimsOf(body.jwt);
        if (!(world.vaultCachedKids ?? (world.jwks.keys as Array<{ kid: string }>).map((k) => k.kid)).includes(header.kid)) {
            return refusal("error validating token: error verifying token signature: failed to verify id token signature");
        }
        if (!(world.role.bound_audiences as string[]).includes(payload.aud)) {
            return refusal("error validating token: invalid audience (aud) claim: audience claim does not match any expected audience");
        }
        if (now() - ((world.role.clock_skew_leeway as number) || 60) > payload.exp) {
            return refusal("error validating token: invalid expiration time (exp) claim: token is expired");
        }
        // Vault walks bound_claims in Go's map order and sends the first it finds unmet (claims.go validateBoundClaims).
        const [unmet] = validateBoundClaims(String(world.role.bound_claims_type ?? ""), world.role.bound_claims as BoundClaims, payload);
        if (unmet) {
            return refusal(`error validating claims: ${unmet.error}`);
        }
        return served("vault.jwt-login");
    };
    return (req: FakeRequest): FakeReply => {
        const reply = route(req);
        return { ...reply, headers: { Date: new Date(now() * 1000).toUTCString() } };
    };
    /** sys/health as the fixture gives it, with the world's version and Vault's clock; `status` when not the fixture's. */
    function health(
        fixture: "vault.sys-health" | "vault.sys-health-sealed",
        fields: Record<string, unknown> = {},
        status?: number,
    ): FakeReply {
        const reply = served(fixture, (body) => ({ ...body, ...fields, version: world.vaultVersion, server_time_utc: now() }));
        return status === undefined ? reply : { ...reply, status };
    }
    function route(req: FakeRequest): FakeReply {
        if (req.url === "/v1/sys/health") {
            healthCalls++;
            if (world.vaultUninitialised) {
                return health("vault.sys-health-sealed", { initialized: false }, 501);
            }
            if (world.sealed) {
                return health("vault.sys-health-sealed");
            }
            if (healthCalls <= world.vaultUnreadyCalls) {
                return health("vault.sys-health", { standby: true }, 429);
            }
            return health("vault.sys-health");
        }
        if (req.url === `/v1/auth/${world.mount}/login`) {
            return login(JSON.parse(req.body));
        }
        if (req.headers["x-vault-token"] === PROBE_TOKEN) {
            if (req.url === "/v1/sys/capabilities-self" && world.probeCapabilities) {
                return capabilitiesSelf(req, world.probeCapabilities);
            }
            if (req.url === "/v1/auth/token/lookup-self") {
                // Vault sends period only for a periodic token (vault/token_store.go, handleLookup).
                return served("vault.token-lookup-self", (body) => {
                    const data = { ...body.data, period: world.tokenPeriod };
                    if (!world.tokenPeriod) {
                        delete data.period;
                    }
                    return { ...body, data };
                });
            }
            return req.url === "/v1/auth/token/revoke-self" ? { status: 204 } : served("vault.error-permission-denied");
        }
        const gate = world.vaultGate;
        const allowed =
            req.headers["x-vault-token"] === VAULT_TOKEN ||
            (gate && req.headers["x-vault-token"] === gate.token && gate.allows(vaultCapability(req), req.url.slice(4).split("?")[0]));
        if (!allowed) {
            return served("vault.error-permission-denied");
        }
        if (req.url === "/v1/sys/capabilities-self" && req.headers["x-vault-token"] === VAULT_TOKEN) {
            return capabilitiesSelf(req, ["root"]);
        }
        const jobRole = Object.entries(world.jobRoles).find(
            ([name]) => req.url === `/v1/auth/${world.mount}/role/${name}` || req.url === `/v1/sys/policies/acl/${name}`,
        );
        if (jobRole) {
            const [name, { policy, tokenPolicies = [name], role }] = jobRole;
            return req.url.includes("/role/")
                ? served("vault.jwt-role", (body) => ({ ...body, data: role ?? { ...body.data, token_policies: tokenPolicies } }))
                : served("vault.policy-acl", (body) => ({ ...body, data: { ...body.data, name, policy } }));
        }
        const named = Object.entries(world.policies).find(([name]) => req.url === `/v1/sys/policies/acl/${name}`);
        if (named) {
            return served("vault.policy-acl", (body) => ({ ...body, data: { ...body.data, name: named[0], policy: named[1] } }));
        }
        if (req.url === "/v1/sys/policies/acl/default") {
            // Vault writes its default policy when it unseals; a token's policies always hold it.
            return served("vault.policy-default");
        }
        const other = Object.entries(world.otherMounts).find(([m]) => req.url.startsWith(`/v1/auth/${m}/`));
        if (other) {
            const [mount, { defaultRole, roles }] = other;
            if (req.url === `/v1/auth/${mount}/config`) {
                return served("vault.jwt-config", (body) => ({ ...body, data: { ...body.data, default_role: defaultRole } }));
            }
            return roles.some((role) => req.url === `/v1/auth/${mount}/role/${role}`)
                ? served("vault.jwt-role")
                : served("vault.error-not-found");
        }
        const kvSecret = world.kvData[req.url.slice("/v1/".length)];
        if (kvSecret) {
            return served("vault.kv-data", (body) => ({ ...body, data: { ...body.data, data: kvSecret } }));
        }
        switch (req.url) {
            case `/v1/auth/${world.mount}/config`:
                return served("vault.jwt-config", (body) => ({
                    ...body,
                    data: {
                        ...body.data,
                        default_role: world.defaultRole,
                        jwks_ca_pem: world.jwksCaPem,
                        jwks_url: world.jwtValidationPubkeys ? "" : (world.jwksUrl ?? jwksUrl()),
                        jwt_validation_pubkeys: world.jwtValidationPubkeys ?? [],
                        ...world.authConfig,
                    },
                }));
            case `/v1/auth/${world.mount}/role/${world.roleName}`:
                return world.role ? served("vault.jwt-role", (body) => ({ ...body, data: world.role })) : served("vault.error-not-found");
            case "/v1/sys/auth":
                return served("vault.sys-auth", (body) => {
                    const { "jwt-nomad/": jwt, ...others } = body.data;
                    const mounts: Record<string, unknown> = { [`${world.mount}/`]: { ...jwt, ...world.jwtMount }, ...others };
                    Object.keys(world.otherMounts).forEach(
                        (m, i) => (mounts[`${m}/`] = { ...jwt, accessor: `auth_jwt_0e${i}`, uuid: `${i}${jwt.uuid.slice(1)}` }),
                    );
                    // A Go map: its keys come back sorted.
                    return {
                        ...body,
                        data: Object.fromEntries(
                            Object.keys(mounts)
                                .sort()
                                .map((m) => [m, mounts[m]]),
                        ),
                    };
                });
            case "/v1/sys/mounts":
                return served("vault.sys-mounts", (body) => {
                    const { "kv/": kv, ...others } = body.data;
                    const kvMounts = Object.entries(world.kvMounts).map(([path, version]) => [
                        `${path}/`,
                        { ...kv, options: version && { version } },
                    ]);
                    return { ...body, data: { ...Object.fromEntries(kvMounts), ...others } };
                });
            case `/v1/sys/policies/acl/${world.policyName}`:
                return served("vault.policy-acl", (body) => ({
                    ...body,
                    data: { ...body.data, name: world.policyName, policy: world.policyText(world.policyAccessor) },
                }));
            case "/v1/database/creds/mongo":
                return world.credsStatus === 200
                    ? served("vault.database-creds")
                    : { status: world.credsStatus, body: { errors: [CREDS_ERRORS[world.credsStatus] ?? CREDS_ERRORS[500]] } };
            case "/v1/sys/leases/revoke":
                return { status: 204 };
            default:
                return served("vault.error-not-found");
        }
    }
}

/** Vault's sys/capabilities-self answer: the capabilities for each path asked, and again as `capabilities`. */
function capabilitiesSelf(req: FakeRequest, capabilities: string[]): FakeReply {
    const paths: string[] = JSON.parse(req.body).paths;
    const answer = { capabilities, ...Object.fromEntries(paths.map((p) => [p, capabilities])) };
    return served("vault.capabilities-self", (body) => ({ ...body, ...answer, data: answer }));
}

/** Vault's capability for a request: GET reads (or lists, with list=true), POST and PUT update, DELETE deletes. */
function vaultCapability(req: FakeRequest): string {
    if (req.method === "GET") {
        return /[?&]list=true/.test(req.url) ? "list" : "read";
    }
    return req.method === "DELETE" ? "delete" : "update";
}

/** The Nomad ACL capability a request needs (nomad/*_endpoint.go); undefined for what any token may do. */
function nomadNeeds(method: string, route: string): string | undefined {
    const rules: Array<[string | undefined, RegExp, string]> = [
        ["GET", /^\/v1\/agent\/members$/, "node:read"],
        ["GET", /^\/v1\/agent\//, "agent:read"],
        ["GET", /^\/v1\/nodes?(\/|$)/, "node:read"],
        ["GET", /^\/v1\/jobs$/, "list-jobs"],
        ["GET", /^\/v1\/allocations$/, "read-job"],
        ["POST", /^\/v1\/jobs$/, "submit-job"],
        ["DELETE", /^\/v1\/job\//, "submit-job"],
        ["GET", /^\/v1\/job\//, "read-job"],
        ["GET", /^\/v1\/client\/fs\/logs\//, "read-logs"],
        // Nomad lists and shows the namespaces a token has any capability in (nomad/namespace_endpoint.go).
        ["GET", /^\/v1\/namespaces?(\/|$)/, "list-jobs"],
        [undefined, /^\/v1\/(status\/leader|acl\/token\/self)$/, ""],
    ];
    const rule = rules.find(([m, pattern]) => (!m || m === method) && pattern.test(route));
    return rule ? rule[2] || undefined : "management";
}

/** A fake Vault and Nomad for one test, and the target that points verify at them. */
export interface FakeStack {
    readonly world: World;
    readonly nomad: FakeServer;
    readonly vault: FakeServer;
    target(): Target;
    close(): Promise<void>;
}

export interface FakeStackOptions {
    /** An existing cluster: Nomad over HTTPS demanding a client certificate; verify cannot see from Vault's side. */
    readonly external?: boolean;
    /** The network between verify and the stack: each answer's latency, and a count of requests in flight. */
    readonly network?: Pick<FakeServerOptions, "latencyMs" | "inFlight">;
}

export async function startFakeStack(options: FakeStackOptions = {}): Promise<FakeStack> {
    const world = healthyWorld();
    const tls: FakeTls | undefined = options.external ? { cert: TLS.serverCert, key: TLS.serverKey, ca: TLS.ca } : undefined;
    let nomadAddress = "";
    const nomadHandler = nomadApi(world, { server: true, address: () => nomadAddress });
    const nomad = await fakeServer(nomadHandler, tls, options.network);
    nomadAddress = nomad.address;
    world.selfAddress = nomad.address;
    const vaultHandler = vaultApi(world, () => `${nomad.address}/.well-known/jwks.json`);
    const vault = await fakeServer(vaultHandler, undefined, options.network);
    return {
        world,
        nomad,
        vault,
        target: () => ({
            vaultAddress: vault.address,
            vaultToken: VAULT_TOKEN,
            nomadAddress: nomad.address,
            nomadToken: NOMAD_TOKEN,
            nomadNamespace: "default",
            ...(options.external ? { nomadCaPem: TLS.ca, nomadClientCertPem: TLS.clientCert, nomadClientKeyPem: TLS.clientKey } : {}),
            jwtPath: "jwt-nomad",
            defaultRole: "nomad-workloads",
            policyName: "nomad-workloads",
            declaredRole: DECLARED_ROLE,
            probe: { audience: "vault.io", intervalMs: 10 },
            fetchFromVault: options.external ? undefined : (url: string) => request(url),
            sampleWorkload: !options.external,
        }),
        close: async () => {
            await Promise.all([nomad.close(), vault.close()]);
        },
    };
}

/** The catalog's checks that `id` needs, transitively, and `id` itself, in catalog order. */
function checksFor(id: string): Check[] {
    const wanted = new Set<string>();
    const add = (want: string) => {
        wanted.add(want);
        CHECKS.find((c) => c.id === want)!.needs.forEach(add);
    };
    add(id);
    return CHECKS.filter((c) => wanted.has(c.id));
}

/** One check's result, running only what it needs (the whole chain is slower and tells no more). */
export async function checkOnly(target: Target, id: string): Promise<CheckResult> {
    return (await verify(target, { checks: checksFor(id) })).find((r) => r.id === id)!;
}

/** The stack's World back to healthy: whatever a test set goes, the stack's own address stays; requests are forgotten. */
export function resetWorld(stack: FakeStack): void {
    const { world } = stack;
    const healthy: Partial<World> = { ...healthyWorld(), selfAddress: world.selfAddress };
    Object.keys(world).forEach((key) => key in healthy || delete world[key as keyof World]);
    Object.assign(world, healthy);
    stack.vault.requests.length = 0;
    stack.nomad.requests.length = 0;
}

/** One fake stack for a describe block (mocha hooks), its World healthy again before each test. */
export function sharedFakeStack(options: FakeStackOptions = {}): { readonly stack: FakeStack; readonly world: World } {
    let stack: FakeStack | undefined;
    before(async () => {
        stack = await startFakeStack(options);
    });
    beforeEach(() => resetWorld(stack!));
    after(() => stack?.close());
    return {
        get stack() {
            return stack!;
        },
        get world() {
            return stack!.world;
        },
    };
}
