import { IdentityKeys, NomadWorkloadIdentityArgs, WorkloadRoleSettings } from "../components";
import { Settings } from "../settings";

/** What every JWT role of the stack shares: its audience, token lifetimes and claim mappings. */
export function roleSettingsOf(settings: Settings): WorkloadRoleSettings {
    return {
        audience: settings.audience,
        tokenPeriodSeconds: settings.tokenPeriodSeconds,
        tokenTtlSeconds: settings.tokenTtlSeconds,
        claimMappings: settings.claimMappings,
    };
}

/**
 * The workload-identity setup as configured: static keys when given, else `jwks` (how this mode's
 * Vault reaches Nomad's JWKS), and every name and lifetime from the settings.
 */
export function workloadIdentityArgs(settings: Settings, jwks: Extract<IdentityKeys, { jwksUrl: unknown }>): NomadWorkloadIdentityArgs {
    return {
        keys: settings.jwtValidationPubkeys.length ? { jwtValidationPubkeys: settings.jwtValidationPubkeys } : jwks,
        path: settings.jwtAuthPath,
        description: settings.jwtAuthDescription,
        jwtSupportedAlgs: settings.jwtSupportedAlgs,
        roleName: settings.roleName,
        policyName: settings.policyName,
        kvMount: settings.kvMount,
        ...roleSettingsOf(settings),
    };
}
