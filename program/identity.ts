import { IdentityKeys, NomadWorkloadIdentityArgs } from "../components";
import { Settings } from "../settings";

/**
 * The workload-identity setup as configured: static keys when given, else `jwks` (how this mode's
 * Vault reaches Nomad's JWKS), and every name and lifetime from the settings.
 */
export function workloadIdentityArgs(settings: Settings, jwks: Extract<IdentityKeys, { jwksUrl: unknown }>): NomadWorkloadIdentityArgs {
    return {
        keys: settings.jwtValidationPubkeys.length ? { jwtValidationPubkeys: settings.jwtValidationPubkeys } : jwks,
        path: settings.jwtAuthPath,
        roleName: settings.roleName,
        policyName: settings.policyName,
        kvMount: settings.kvMount,
        audience: settings.audience,
        tokenPeriodSeconds: settings.tokenPeriodSeconds,
        tokenTtlSeconds: settings.tokenTtlSeconds,
    };
}
