// What a run of verify reads of the cluster, as the checks receive it (ClusterView): each thing read
// once, the reads bounded in number at once and by the run's deadline. Kept apart from types.ts so
// that the view's modules and the checks share these shapes without importing one another.
import { Stanza } from "../policy/hcl";
import { NomadSecret } from "../policy/vaultRequests";
import { Reply } from "./http";

/** An agent's default Vault block, as its /v1/agent/self gives it. */
export interface AgentVault {
    readonly address: string;
    readonly server: boolean;
    /** The client node this agent is, when it is one: it logs its tasks in to Vault. */
    readonly node?: { readonly id: string; readonly name: string };
    readonly enabled: boolean;
    readonly audience: string[];
    readonly jwtPath?: string;
    /** The Vault Enterprise namespace the agent logs tasks in to ("" for none). */
    readonly namespace: string;
    /** vault.create_from_role: the role of a task whose vault block names none (absent or "" for none). */
    readonly role?: string;
    /** A server's vault.default_identity.extra_claims (null in agent/self when unset). */
    readonly extraClaims?: Readonly<Record<string, string>> | null;
}

export interface Agents {
    readonly found: AgentVault[];
    /** Agents the cluster hides or that did not answer, each with why. */
    readonly unreachable: string[];
}

/** A task with a vault block, as the job's full spec gives it. */
export interface JobTask {
    readonly Name: string;
    readonly Vault: { Role?: string; Cluster?: string; Namespace?: string; Policies?: string[] | null };
    /** TTL in nanoseconds (a Go duration); ExtraClaims names the namespace's optional extra claims it takes. */
    readonly Identities?: Array<{ Name: string; Audience?: string[]; TTL?: number; ExtraClaims?: string[] | null }> | null;
    readonly Templates?: Array<{ EmbeddedTmpl: string; LeftDelim?: string; RightDelim?: string }> | null;
    /** The task's secret blocks (Nomad ≥ 1.11); absent from older Nomads' answers. */
    readonly Secrets?: NomadSecret[] | null;
}

/** A job whose tasks use Vault: its tasks with a vault block, each with its group. */
export interface VaultJob {
    readonly id: string;
    readonly namespace: string;
    readonly tasks: Array<JobTask & { readonly group: string }>;
}

/** A job of Nomad's list (/v1/jobs): a child of a periodic or parameterized job names its parent. */
export interface JobStub {
    readonly ID: string;
    readonly Namespace: string;
    readonly ParentID?: string;
}

/** An allocation of Nomad's list (/v1/allocations): where a job's group runs. */
export interface AllocationStub {
    readonly NodeID: string;
    readonly JobID: string;
    readonly Namespace: string;
    readonly TaskGroup: string;
    readonly ClientStatus: string;
}

/** The cluster as one run of verify reads it: every read made once, shared by the checks. */
export interface ClusterView {
    /** A Vault GET with verify's token (a refusal throws Denied, as clients.ts's vault). */
    vault(path: string): Promise<Reply>;
    /** A Nomad GET, on the stack's address or on one agent's. */
    nomad(path: string, address?: string): Promise<Reply>;
    /** The JWKS an agent serves. */
    jwks(address: string): Promise<Reply>;
    /** An ACL policy's text; empty when Vault has no such policy. */
    policyText(name: string): Promise<string>;
    /** The stanzas of an ACL policy that grant read. */
    readGrants(name: string): Promise<Stanza[]>;
    /** Every agent the cluster advertises, with its default Vault block. */
    agents(): Promise<Agents>;
    /** Nomad's job list, in every namespace. */
    jobStubs(): Promise<JobStub[]>;
    /** A job's full spec. */
    job(namespace: string, id: string): Promise<Reply>;
    /** The jobs whose tasks use Vault, each spec read once (a child job's is its parent's). */
    vaultJobs(): Promise<VaultJob[]>;
    /** The job whose spec a listed job runs: itself, or the parent of a periodic or dispatched child. */
    vaultJobOf(namespace: string, id: string): Promise<VaultJob | undefined>;
    /** The allocations Nomad lists, in every namespace. */
    allocations(): Promise<AllocationStub[]>;
    /** Drops what was read, so that a retry under --wait reads the cluster afresh. */
    forget(): void;
}
