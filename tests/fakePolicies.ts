// The minimal policies of docs/verify.md, enforced by the fakes as Vault and Nomad enforce them:
// Vault's path globs and capabilities (plus its `default` policy), Nomad's namespace rules (an exact
// name before a glob, policy = "read" expanded as nomad/acl/policy.go expands it) and its agent and
// node rules.
import * as fs from "fs";
import * as path from "path";
import { parseHcl, policyStanzas, vaultPathMatches } from "../policy/hcl";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { TokenGate } from "./fakeStack";

export const VERIFY_VAULT_TOKEN = "hvs.verify-read-only";
export const VERIFY_NOMAD_TOKEN = "5c7a6b1e-0f2d-4e3a-9b8c-7d6e5f4a3b2c";

/** The ```hcl block under `<!-- <kind>-policy: name -->` in a page of docs/: verify's (docs/verify.md) or adopt's (docs/external.md). */
export function documentedPolicy(name: string, kind: "verify" | "adopt" = "verify"): string {
    const page = kind === "verify" ? "docs/verify.md" : "docs/external.md";
    const doc = fs.readFileSync(path.join(PROJECT_ROOT, page), "utf8");
    const block = new RegExp(`<!-- ${kind}-policy: ${name} -->\\n\`\`\`hcl\\n([\\s\\S]*?)\`\`\``).exec(doc);
    if (!block) {
        throw new Error(`${page} has no ${kind}-policy block "${name}"`);
    }
    return block[1];
}

/** What Vault's built-in `default` policy lets every token do to itself. */
const DEFAULT_POLICY: Array<[string, string]> = [
    ["auth/token/lookup-self", "read"],
    ["auth/token/revoke-self", "update"],
    ["sys/capabilities-self", "update"],
];

export async function vaultGate(policy: string): Promise<TokenGate> {
    const stanzas = await policyStanzas(policy);
    return {
        token: VERIFY_VAULT_TOKEN,
        allows: (capability, path) =>
            DEFAULT_POLICY.some(([p, c]) => p === path && c === capability) ||
            stanzas.some((s) => vaultPathMatches(s.path, path) && s.capabilities.includes(capability)),
    };
}

/** nomad/acl/policy.go expandNamespacePolicy, the parts verify meets. */
const NAMESPACE_POLICIES: Record<string, string[]> = {
    read: ["list-jobs", "parse-job", "read-job"],
    write: ["list-jobs", "parse-job", "read-job", "submit-job", "dispatch-job", "read-logs", "read-fs"],
};

type Rule = { policy?: string; capabilities?: string[] };

export async function nomadGate(policy: string): Promise<TokenGate & { policies: string[] }> {
    const parsed = await parseHcl(policy);
    const namespaces = (parsed.namespace ?? {}) as Record<string, Rule[]>;
    const level = (block: string) => ((parsed[block] ?? []) as Rule[])[0]?.policy;
    const namespaceRules = (namespace: string): Rule[] => {
        const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`).test(namespace);
        return namespaces[namespace] ?? Object.entries(namespaces).find(([pattern]) => glob(pattern))?.[1] ?? [];
    };
    return {
        token: VERIFY_NOMAD_TOKEN,
        policies: ["vaultnomad-verify"],
        allows: (capability, namespace) => {
            if (capability === "management") {
                return false;
            }
            const [scope, access] = capability.split(":");
            if (access) {
                return ["read", "write"].includes(level(scope) ?? "");
            }
            return namespaceRules(namespace).some(
                (rule) => NAMESPACE_POLICIES[rule.policy ?? ""]?.includes(capability) || (rule.capabilities ?? []).includes(capability),
            );
        },
    };
}

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
