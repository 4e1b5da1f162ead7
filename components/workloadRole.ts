// The shape of every JWT role for Nomad workload identities, as the tutorial's role files give it.
// No SDK here: the stack driver's verify uses it too, to tell drift.

/** The default JWT role for Nomad workloads, and the name of its templated policy (the tutorial's). */
export const DEFAULT_ROLE = "nomad-workloads";

/** The tutorial's claim mappings: the alias metadata that the templated policies read. */
export const DEFAULT_CLAIM_MAPPINGS: Record<string, string> = {
    nomad_namespace: "nomad_namespace",
    nomad_job_id: "nomad_job_id",
    nomad_task: "nomad_task",
};

export interface WorkloadRoleSettings {
    /** Must equal the `aud` of Nomad's `vault.default_identity`. */
    readonly audience: string;
    /** Period of the issued tokens, in seconds. */
    readonly tokenPeriodSeconds: number;
    /** Initial TTL of the issued tokens, in seconds; Vault's default (the period) when unset. */
    readonly tokenTtlSeconds?: number;
    /** Claim → alias metadata name; the tutorial's when unset. */
    readonly claimMappings?: Record<string, string>;
}

/** What every role for Nomad workload identities shares, as in the tutorial's role files. */
export function workloadRoleArgs(settings: WorkloadRoleSettings) {
    return {
        roleType: "jwt",
        boundAudiences: [settings.audience],
        // One entity alias per job; `/nomad_job_id` is a JSON pointer into the claims.
        userClaim: "/nomad_job_id",
        userClaimJsonPointer: true,
        // Alias metadata that the templated policies read.
        claimMappings: settings.claimMappings ?? DEFAULT_CLAIM_MAPPINGS,
        // Service tokens, periodic and with no maximum TTL, so Nomad can renew them while the task runs.
        tokenType: "service",
        tokenPeriod: settings.tokenPeriodSeconds,
        tokenExplicitMaxTtl: 0,
        ...(settings.tokenTtlSeconds === undefined ? {} : { tokenTtl: settings.tokenTtlSeconds }),
    };
}

/** The same role in Vault's API field names, as `auth/<path>/role/<name>` reads it back. */
export function vaultRoleFields(settings: WorkloadRoleSettings, policyName: string): Record<string, unknown> {
    const role = workloadRoleArgs(settings);
    return {
        role_type: role.roleType,
        bound_audiences: role.boundAudiences,
        user_claim: role.userClaim,
        user_claim_json_pointer: role.userClaimJsonPointer,
        claim_mappings: role.claimMappings,
        token_type: role.tokenType,
        token_period: role.tokenPeriod,
        token_explicit_max_ttl: role.tokenExplicitMaxTtl,
        token_policies: [policyName],
    };
}
