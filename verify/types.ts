// The shapes verify works with: what it checks (Target), what a check returns (Outcome), and the
// steps a check receives (RunContext). Kept apart so that no check module imports another.
import { Reply } from "./http";
import { ClusterView } from "./viewTypes";

export interface Target {
    readonly vaultAddress: string;
    readonly vaultToken: string;
    readonly nomadAddress: string;
    readonly nomadToken: string;
    /** Vault Enterprise namespace, sent with every Vault call. */
    readonly vaultNamespace?: string;
    /** PEM CAs of the APIs' HTTPS certificates. */
    readonly vaultCaPem?: string;
    readonly nomadCaPem?: string;
    /** PEM client certificate and key for a Nomad that requires mutual TLS. */
    readonly nomadClientCertPem?: string;
    readonly nomadClientKeyPem?: string;
    /** The same for a Vault that requires mutual TLS (VAULT_CLIENT_CERT, VAULT_CLIENT_KEY). */
    readonly vaultClientCertPem?: string;
    readonly vaultClientKeyPem?: string;
    /** Accept any certificate (VAULT_SKIP_VERIFY, NOMAD_SKIP_VERIFY): testing only. */
    readonly vaultSkipVerify?: boolean;
    readonly nomadSkipVerify?: boolean;
    /** Nomad region sent with every Nomad call (NOMAD_REGION). */
    readonly nomadRegion?: string;
    /** Nomad namespace of the probe job and of the sample jobs. */
    readonly nomadNamespace: string;
    /** Mount path of the JWT auth method, such as "jwt-nomad". */
    readonly jwtPath: string;
    readonly defaultRole: string;
    /** The default role's templated policy. */
    readonly policyName: string;
    /** The default role as the stack (or --expect) declares it, in Vault's field names; drift is checked only against it. */
    readonly declaredRole?: Record<string, unknown>;
    /** Where the expectations come from: a stack of this program, or the cluster itself (vaultnomad-verify). */
    readonly source?: "stack" | "cluster";
    /** The job `--job <namespace>/<job>` asks about: its whole chain is walked. */
    readonly job?: { readonly namespace: string; readonly id: string };
    /** The probe job that fetches a real workload identity; undefined when verify runs without --probe. */
    readonly probe?: ProbeSettings;
    /** Fetches a URL from Vault's own network position; undefined where that view is not available. */
    readonly fetchFromVault?: (url: string) => Promise<Reply>;
    /** Whether the tutorial's mongo jobs and database engine are deployed (demo mode). */
    readonly sampleWorkload: boolean;
}

export interface ProbeSettings {
    /** The audience the identity is for: the stack's. */
    readonly audience: string;
    readonly image?: string;
    readonly timeoutMs?: number;
    readonly intervalMs?: number;
}

/** "warn" reports a risk without failing the run. */
export type Status = "pass" | "fail" | "warn" | "skip";

export interface Outcome {
    readonly status: Status;
    /** What was seen. */
    readonly evidence: string;
    readonly cause?: string;
    readonly fix?: string;
    /** A failure that waiting can heal (refused connection, 5xx, sealed, no leader): --wait retries it. */
    readonly heals?: boolean;
    /** For a skip: what would run the check. */
    readonly runWith?: string;
}

/** The probe's identity, or why there is none. */
export type ProbeIdentity =
    | { readonly jwt: string; readonly error?: undefined }
    | { readonly jwt?: undefined; readonly error: string; readonly cause: string; readonly fix: string };

/** The probe as a step of the run: taken at most once, shared by the checks that need it. */
export interface Probe {
    identity(): Promise<ProbeIdentity>;
}

/** What a check receives besides the target. */
export interface RunContext {
    /** Undefined when verify runs without --probe. */
    readonly probe?: Probe;
    /** The cluster as this run reads it: each thing read once, shared by the checks. */
    readonly view: ClusterView;
}

export interface Check {
    readonly id: string;
    readonly title: string;
    /** Checks that must pass first; otherwise this one is skipped. */
    readonly needs: string[];
    /** Checks the tutorial's sample workload, which only demo stacks have. */
    readonly sampleWorkload?: boolean;
    /** Runs only when the target has a job to walk (--job). */
    readonly forJob?: boolean;
    /** Runs only when the target declares no state: it says drift was not checked. */
    readonly withoutDeclaredState?: boolean;
    run(target: Target, context: RunContext): Promise<Outcome>;
}

export interface CheckResult extends Outcome {
    readonly id: string;
    readonly title: string;
}
