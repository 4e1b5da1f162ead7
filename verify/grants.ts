// What a role's policies let a job read: the read grants of its token policies, rendered for the
// job (its namespace and ID in place of the templated alias metadata).
import { renderForJob, Stanza, vaultPathMatches } from "../policy/hcl";
import { describe, json } from "./http";
import { Target } from "./types";
import { ClusterView } from "./viewTypes";

/** What a role's policies grant (its token policies and their read stanzas), or Vault's answer when the role cannot be read. */
export type RoleGrants = { readonly policies: string[]; readonly grants: Stanza[] } | { readonly missing: string };

/** The read grants of a role's token policies (the default policy grants no secret), each policy read once per run. */
export async function roleGrants(t: Target, view: ClusterView, role: string): Promise<RoleGrants> {
    const reply = await view.vault(`auth/${t.jwtPath}/role/${role}`);
    if (reply.status !== 200) {
        return { missing: describe(reply) };
    }
    // Vault reads back a role without policies as token_policies null.
    const policies: string[] = json(reply).data.token_policies ?? [];
    return { policies, grants: await policyGrants(view, policies) };
}

/** The read grants of these policies; the default policy grants no secret and is not read. */
export async function policyGrants(view: ClusterView, policies: string[]): Promise<Stanza[]> {
    return (await Promise.all(policies.filter((p) => p !== "default").map((name) => view.readGrants(name)))).flat();
}

/** The paths `grants` let the job read, templated paths rendered for it: what a fix can name. */
export const grantedTo = (grants: Stanza[], namespace: string, id: string): string[] => [
    ...new Set(grants.map((s) => renderForJob(s.path, namespace, id))),
];

/** Whether one of the granted paths (Vault's globs) covers `path`. */
export const covers = (granted: string[], path: string): boolean => granted.some((grant) => vaultPathMatches(grant, path));
