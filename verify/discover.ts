// The target of a cluster this program did not set up: what verify expects is read from the cluster
// itself (the JWT mounts, the agents' vault block, the mount's default role, the policies it grants),
// narrowed by --auth-path, --role, --audience and --job. Each expectation says where it came from.
import { defaultVaultBlock } from "./agents";
import { Denied } from "./clients";
import { describe, json, Reply } from "./http";
import { runView, RunSettings } from "./run";
import { Target } from "./types";
import { ClusterView } from "./viewTypes";

/** How to reach Vault and Nomad: the usual environment variables, or the same as flags. */
export type Connection = Pick<
    Target,
    | "vaultAddress"
    | "vaultToken"
    | "vaultNamespace"
    | "vaultCaPem"
    | "vaultClientCertPem"
    | "vaultClientKeyPem"
    | "vaultSkipVerify"
    | "nomadAddress"
    | "nomadToken"
    | "nomadRegion"
    | "nomadCaPem"
    | "nomadClientCertPem"
    | "nomadClientKeyPem"
    | "nomadSkipVerify"
> & { readonly nomadNamespace?: string };

export interface Narrowing {
    readonly authPath?: string;
    readonly role?: string;
    readonly audience?: string;
    readonly job?: { readonly namespace: string; readonly id: string };
    /** The declared role (--expect role.json), in Vault's field names: drift is checked against it. */
    readonly expect?: Record<string, unknown>;
    readonly probe?: boolean;
}

export interface Discovered {
    readonly target: Target;
    /** What verify expects and where each came from, one line each. */
    readonly expectations: string[];
    /** What was read of the cluster, for the run to go on from. */
    readonly view: ClusterView;
    /** What the cluster answered, for callers that build on it (adopt); undefined where a read failed (the expectations say why). */
    readonly readings: {
        readonly jwtMounts?: string[];
        /** The agents' default vault block, as /v1/agent/self gives it. */
        readonly agentVault?: Record<string, any>;
        readonly authConfig?: Record<string, any>;
        readonly role?: Record<string, any>;
    };
}

/** The body of an answer that is one (200), or an error naming what came instead. */
function answered(reply: Reply): any {
    if (reply.status !== 200) {
        throw new Error(describe(reply));
    }
    return json(reply);
}

/** One reading of the cluster; a refused or failed read leaves it undefined and says why. */
export async function read<T>(notes: string[], what: string, fetch: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
        return await fetch();
    } catch (err) {
        notes.push(
            `${what}: not read (${err instanceof Denied ? `the token lacks ${err.capability} on ${err.path}` : (err as Error).message})`,
        );
        return undefined;
    }
}

export async function discoverTarget(connection: Connection, narrowing: Narrowing = {}, settings: RunSettings = {}): Promise<Discovered> {
    const base: Target = {
        ...connection,
        nomadNamespace: narrowing.job?.namespace ?? connection.nomadNamespace ?? "default",
        // Stryker disable StringLiteral: the view reads only how to connect; these are found below
        jwtPath: "",
        defaultRole: "",
        policyName: "",
        // Stryker restore StringLiteral
        sampleWorkload: false,
        source: "cluster",
        declaredRole: narrowing.expect,
        job: narrowing.job,
    };
    const view = runView(base, settings);
    const notes: string[] = [];
    const mounts = await read(notes, "JWT mounts (sys/auth)", async () => {
        const table = answered(await view.vault("sys/auth"))?.data as Record<string, { type: string; accessor: string }>;
        return Object.entries(table ?? {}).flatMap(([path, m]) => (m.type === "jwt" ? [path.replace(/\/$/, "")] : []));
    });
    const agentVault = await read(notes, "the agents' vault block (agent/self)", async () => {
        const self = answered(await view.nomad("agent/self"));
        return (self?.config && defaultVaultBlock(self.config)) as
            { JWTAuthBackendPath?: string; DefaultIdentity?: { Audience?: string[] } } | undefined;
    });
    const [jwtPath, pathFrom] = first(
        [
            [narrowing.authPath, "--auth-path"],
            // Without the trailing slash an agent's configuration may give it (nomad setup vault's sample: "jwt-nomad/").
            [agentVault?.JWTAuthBackendPath?.replace(/\/+$/, ""), "the agents' jwt_auth_backend_path"],
            [mounts?.length === 1 ? mounts[0] : undefined, "the only JWT mount in sys/auth"],
        ],
        ["jwt-nomad", "Nomad's default jwt_auth_backend_path"],
    );
    const target = { ...base, jwtPath };
    const config = await read(notes, `auth/${jwtPath}/config`, async () => answered(await view.vault(`auth/${jwtPath}/config`))?.data);
    const [role, roleFrom] = first(
        [
            [narrowing.role, "--role"],
            [config?.default_role, `default_role of auth/${jwtPath}/config`],
        ],
        [
            "",
            config
                ? `none: auth/${jwtPath}/config has no default_role, so jobs without vault.role cannot log in; pass --role`
                : `none: auth/${jwtPath}/config was not read; pass --role`,
        ],
    );
    const roleData = role
        ? await read(notes, `auth/${jwtPath}/role/${role}`, async () => answered(await view.vault(`auth/${jwtPath}/role/${role}`))?.data)
        : undefined;
    const bound: string[] = roleData?.bound_audiences ?? [];
    const policy = await templatedPolicy(view, roleData?.token_policies ?? [], notes);
    const policyName = policy.name;
    const [audience, audienceFrom] = first(
        [
            [narrowing.audience, "--audience"],
            [agentVault?.DefaultIdentity?.Audience?.[0], "the agents' default_identity.aud"],
            [bound[0], `bound_audiences of role ${role}`],
        ],
        ["vault.io", "the tutorial's"],
    );
    return {
        target: {
            ...target,
            defaultRole: role,
            policyName: policyName ?? "",
            probe: narrowing.probe ? { audience } : undefined,
        },
        view,
        expectations: [
            `JWT mount ${jwtPath}/ (${pathFrom}); JWT mounts in Vault: ${mounts ? `[${mounts.join(", ")}]` : "not read"}`,
            `role ${role || "(none)"} (${roleFrom}); bound_audiences ${role && !roleData ? "not read" : `[${bound.join(", ")}]`}`,
            `policy ${policyName ?? "(none)"} (${policyWhy(role, roleData, policy)})`,
            `audience ${audience} (${audienceFrom})`,
            ...(narrowing.job ? [`job ${narrowing.job.namespace}/${narrowing.job.id} (--job)`] : []),
            narrowing.expect ? "declared role: --expect" : "declared role: none (drift is not checked; --expect role.json)",
            ...notes,
        ],
        readings: { jwtMounts: mounts, agentVault, authConfig: config, role: roleData },
    };
}

/** The first candidate with a value, and where it came from; else the fallback. */
function first(candidates: Array<[string | undefined, string]>, fallback: [string, string]): [string, string] {
    const found = candidates.find(([candidate]) => candidate !== undefined && candidate !== "");
    return found ? [found[0]!, found[1]] : fallback;
}

/** The first of the role's token policies whose text names an auth_jwt_* accessor, and whether every policy before it was read. */
async function templatedPolicy(view: ClusterView, policies: string[], notes: string[]): Promise<{ name?: string; unread: boolean }> {
    let unread = false;
    for (const name of policies.filter((p) => p !== "default")) {
        const text = await read(
            notes,
            `sys/policies/acl/${name}`,
            async () => answered(await view.vault(`sys/policies/acl/${name}`))?.data?.policy,
        );
        if (text?.match(/auth_jwt_\w/)) {
            return { name, unread };
        }
        unread ||= text === undefined;
    }
    return { unread };
}

/** Where the policy came from, or why there is none. */
function policyWhy(role: string, roleData: unknown, policy: { name?: string; unread: boolean }): string {
    if (policy.name) {
        return `the templated policy among role ${role}'s token_policies`;
    }
    if (role && !roleData) {
        return `role ${role} was not read`;
    }
    return policy.unread
        ? `not every token policy of role ${role} was read`
        : `no token policy of role ${role || "(none)"} names an auth_jwt_ accessor`;
}
