// The identity a JWT login gives its token, as templated policies read it: one entity alias on the auth mount,
// named by the role's user_claim, whose metadata are the claims the role's claim_mappings name (JSON pointers
// such as /extra_claims/nomad_team included) plus "role" (vault-plugin-auth-jwt path_login.go createIdentity).
// Vault makes the entity's own id and name itself; a template that reads them cannot be rendered from the claims.
import { Claims, JwtRole } from "./jwtClaims";
import { judgeLogin, LoginContext } from "./jwtLogin";
import { Identity } from "./policyTemplate";

/** The identity a login of these claims with this role gives, for renderTemplate; undefined when Vault refuses the login. */
export function loginIdentity(role: JwtRole, claims: Claims, mountAccessor: string, context: LoginContext = {}): Identity | undefined {
    const { alias } = judgeLogin(role, claims, context);
    return alias && { entity: { aliases: [{ mountAccessor, name: alias.name, metadata: alias.metadata }] } };
}
