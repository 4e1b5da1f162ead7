// Every rule of the pack, each mandatory unless the pack's configuration says otherwise.
import { containersLoopbackOnly } from "./containers";
import { jwtRolesBindAudiences, jwtRolesBindClaims, renewableServiceTokens, tokenLifetimesBounded } from "./jwtRoles";
import { agentAudienceMatchesRoles, jobsUseExistingRoles } from "./nomad";
import { secretsStayInSecretFields } from "./secrets";
import { kvPolicyPathsMatch, vaultPoliciesGrantNoBroadPaths } from "./vaultPolicies";

export const POLICIES = [
    vaultPoliciesGrantNoBroadPaths,
    kvPolicyPathsMatch,
    jwtRolesBindAudiences,
    jwtRolesBindClaims,
    tokenLifetimesBounded,
    renewableServiceTokens,
    agentAudienceMatchesRoles,
    jobsUseExistingRoles,
    containersLoopbackOnly,
    secretsStayInSecretFields,
];
