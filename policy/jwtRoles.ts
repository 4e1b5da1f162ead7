// JWT roles for Nomad workload identities: bound audiences and claims, and tokens Nomad can renew.
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as vault from "@pulumi/vault";

export const jwtRolesBindAudiences: ResourceValidationPolicy = {
    name: "jwt-role-bound-audiences",
    description: "Every JWT role has bound audiences; Vault 1.17+ refuses JWTs with an `aud` otherwise.",
    validateResource: validateResourceOfType(vault.jwt.AuthBackendRole, (role, _args, reportViolation) => {
        if (role.roleType === "jwt" && !(role.boundAudiences ?? []).length) {
            reportViolation(`Role ${role.roleName} has no bound_audiences: set them to Nomad's vault.default_identity.aud ("vault.io").`);
        }
    }),
};

export const jwtRolesBindClaims: StackValidationPolicy = {
    name: "jwt-role-bound-claims",
    description: "JWT roles other than their auth method's default role bind claims, so that only the jobs they are for can use them.",
    validateStack: (args, reportViolation) => {
        const defaults = new Map(
            args.resources
                .filter((r) => r.isType(vault.jwt.AuthBackend))
                .map((r) => [r.props.path as string, r.props.defaultRole as string]),
        );
        for (const role of args.resources.filter((r) => r.isType(vault.jwt.AuthBackendRole)).map((r) => r.props)) {
            const isDefault = defaults.get(role.backend) === role.roleName;
            if (!isDefault && Object.keys(role.boundClaims ?? {}).length === 0) {
                reportViolation(
                    `Role ${role.roleName} is not the default role of ${role.backend} but binds no claims: any Nomad job could use it. Bind nomad_namespace and nomad_job_id.`,
                );
            }
        }
    },
};

export interface TokenLimits {
    maxTokenPeriodSeconds: number;
    maxTokenTtlSeconds: number;
}

export const tokenLifetimesBounded: ResourceValidationPolicy = {
    name: "jwt-role-token-lifetimes",
    description: "Token periods and TTLs of JWT roles stay within the configured limits.",
    configSchema: {
        properties: {
            maxTokenPeriodSeconds: { type: "integer", default: 86400 },
            maxTokenTtlSeconds: { type: "integer", default: 86400 },
        },
    },
    validateResource: validateResourceOfType(vault.jwt.AuthBackendRole, (role, args, reportViolation) => {
        const limits = args.getConfig<TokenLimits>();
        const over = (field: string, value: number | undefined, limit: number) => {
            if ((value ?? 0) > limit) {
                reportViolation(`Role ${role.roleName}: ${field} ${value}s exceeds the limit of ${limit}s.`);
            }
        };
        over("token_period", role.tokenPeriod, limits.maxTokenPeriodSeconds);
        over("token_ttl", role.tokenTtl, limits.maxTokenTtlSeconds);
        over("token_max_ttl", role.tokenMaxTtl, limits.maxTokenTtlSeconds);
    }),
};

export const renewableServiceTokens: ResourceValidationPolicy = {
    name: "jwt-role-renewable-tokens",
    description: "JWT roles issue periodic service tokens with no explicit max TTL, which Nomad renews while the task runs.",
    validateResource: validateResourceOfType(vault.jwt.AuthBackendRole, (role, _args, reportViolation) => {
        if (role.tokenType !== undefined && role.tokenType !== "service" && role.tokenType !== "default-service") {
            reportViolation(`Role ${role.roleName} issues ${role.tokenType} tokens, which Nomad cannot renew; use "service".`);
        }
        if (!role.tokenPeriod) {
            reportViolation(
                `Role ${role.roleName} has no token_period: its tokens expire mid-task ("lease expired"). Set one, such as 30m.`,
            );
        }
        if (role.tokenExplicitMaxTtl) {
            reportViolation(
                `Role ${role.roleName} caps tokens at ${role.tokenExplicitMaxTtl}s (token_explicit_max_ttl); set 0 so Nomad can renew them.`,
            );
        }
    }),
};
