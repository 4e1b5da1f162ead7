// What a role's policies let a job read: the read grants of its token policies, rendered for the
// job (its namespace and ID in place of the templated alias metadata).
import { renderForJob, Stanza } from "../policy/hcl";
import { ClusterView } from "./viewTypes";

/** The read grants of these policies; the default policy grants no secret and is not read. */
export async function policyGrants(view: ClusterView, policies: string[]): Promise<Stanza[]> {
    return (await Promise.all(policies.filter((p) => p !== "default").map((name) => view.readGrants(name)))).flat();
}

/** The paths `grants` let the job read, templated paths rendered for it: what a fix can name. */
export const grantedTo = (grants: Stanza[], namespace: string, id: string): string[] => [
    ...new Set(grants.map((s) => renderForJob(s.path, namespace, id))),
];
