// Vault's authorization for a token that holds several policies, as Vault decides it (hashicorp/vault
// vault/acl.go: NewACL, AllowOperation, CheckAllowedFromNonExactPaths; vault/capabilities.go):
// - stanzas for the same path merge across all the token's policies, and a `deny` among them leaves only deny;
// - a rule without wildcards decides alone when it matches the path;
// - otherwise only the highest-priority matching wildcard rule (`+` segments, trailing `*`) applies;
// - the root policy grants everything; no matching rule grants nothing.
import { Identity, renderPaths } from "./policyTemplate";
import { Capability, CAPABILITIES, Grant, parsePolicy, PolicyStanza } from "./vaultPolicyText";

export interface NamedPolicy {
    readonly name: string;
    /** The policy as written to Vault, HCL or JSON; templated paths are rendered for the token's identity. */
    readonly text: string;
}

/** The request's operation: Vault looks a LIST up both with and without the path's trailing `/`. */
export type Operation = "create" | "read" | "update" | "patch" | "delete" | "list" | "recover";

export interface RuleSummary {
    /** The rule's path as Vault holds it, `*` and `+` included. */
    readonly pattern: string;
    /** No `+` and no trailing `*`: the rule decides alone whenever it matches. */
    readonly exact: boolean;
    /** What the rule grants once merged, sorted; `["deny"]` when a stanza on it denies. */
    readonly capabilities: readonly Grant[];
    /** The policies with a stanza on this pattern, in the token's order. */
    readonly policies: readonly string[];
}

export interface DecidingRule extends RuleSummary {
    /** Per capability, the policies whose stanzas grant it (Vault's granting policies). */
    readonly grantedBy: Readonly<Partial<Record<Capability, readonly string[]>>>;
    /** The policies whose stanza on this pattern denies. */
    readonly deniedBy: readonly string[];
}

export interface SkippedStanza {
    readonly policy: string;
    /** The path as written, template included. */
    readonly path: string;
    readonly reason: string;
}

export interface Decision {
    /** The path as Vault judges it, leading slashes removed. */
    readonly path: string;
    /** What Vault's sys/capabilities answers for the path: sorted; `["deny"]` when nothing is granted; `["root"]`. */
    readonly capabilities: readonly string[];
    readonly root: boolean;
    /** The rule that decided; none when no rule matches the path, or for the root policy. */
    readonly rule?: DecidingRule;
    /** The other rules that match the path, highest priority first: the deciding rule outranks each of them. */
    readonly outranked: readonly RuleSummary[];
    /** The token's policies, by name. */
    readonly policies: readonly string[];
    /** Templated stanzas that Vault leaves out of this token's policies, because their template failed. */
    readonly skipped: readonly SkippedStanza[];
}

/** The capabilities Vault's sys/capabilities answers for a token holding `policies` (their texts) on `path`. */
export function capabilities(policies: readonly string[], path: string, identity?: Identity): string[] {
    const named = policies.map((text, i) => ({ name: `#${i + 1}`, text }));
    return [...tokenAcl(named, identity).decide(path).capabilities];
}

/** The decision for one path. To judge many paths, read the policies once (readPolicies) and keep the ACL. */
export function decide(
    policies: readonly NamedPolicy[],
    path: string,
    options: { identity?: Identity; operation?: Operation } = {},
): Decision {
    return tokenAcl(policies, options.identity).decide(path, options.operation);
}

/** Whether the decision grants `capability`. */
export function allows(decision: Decision, capability: Capability): boolean {
    return decision.root || decision.capabilities.includes(capability);
}

/** A token's policies, each text read once: a verify run judges thousands of paths against the same few. */
export interface TokenPolicies {
    /** The ACL of a token holding these policies, its templated paths rendered for `identity` (none: no entity). */
    acl(identity?: Identity): TokenAcl;
}

export interface TokenAcl {
    /**
     * The decision for `path`. Without an operation, the path is looked up as sys/capabilities looks it up
     * (a LIST lookup, as acl.go's Capabilities does).
     */
    decide(path: string, operation?: Operation): Decision;
}

/** Reads each policy's text; throws a PolicyTextError naming the policy that Vault would refuse. */
export function readPolicies(policies: readonly NamedPolicy[]): TokenPolicies {
    if (policies.some((p) => p.name === "root")) {
        if (policies.length !== 1) {
            // vault/acl.go NewACL refuses it: a root token holds the root policy alone.
            throw new Error("other policies present along with root");
        }
        return { acl: () => ({ decide: (path) => rootDecision(normalized(path)) }) };
    }
    const parsed = policies.map(({ name, text }) => ({ name, stanzas: parsePolicy(text, name).stanzas }));
    return { acl: (identity = {}) => buildAcl(parsed, identity) };
}

/** The ACL of a token holding `policies`, their templated paths rendered for `identity`. */
export function tokenAcl(policies: readonly NamedPolicy[], identity?: Identity): TokenAcl {
    return readPolicies(policies).acl(identity);
}

interface Rule {
    readonly pattern: string;
    readonly exact: boolean;
    /** Vault's key: the path for exact and `+` rules, the path before its `*` for prefix rules. */
    readonly key: string;
    readonly grants: Set<Capability>;
    deny: boolean;
    readonly policies: string[];
    readonly grantedBy: Map<Capability, string[]>;
    readonly deniedBy: string[];
}

/** A matching wildcard rule, described as acl.go ranks it. */
interface Candidate {
    readonly rule: Rule;
    /**
     * Offset of the first `+`, or of the `*` of a prefix rule. acl.go counts bytes; the text before it is a
     * prefix of the path for every matching rule, so counting UTF-16 units orders them alike.
     */
    readonly firstWildcard: number;
    readonly prefix: boolean;
    readonly wildcards: number;
    /** The pattern without its trailing `*`. */
    readonly stem: string;
}

function buildAcl(policies: ReadonlyArray<{ name: string; stanzas: readonly PolicyStanza[] }>, identity: Identity): TokenAcl {
    const exact = new Map<string, Rule>();
    const prefix = new Map<string, Rule>();
    const segment = new Map<string, Rule>();
    const skipped: SkippedStanza[] = [];
    for (const { name, stanzas } of policies) {
        const rendered = renderPaths(stanzas, identity);
        skipped.push(...rendered.skipped.map(({ stanza, reason }) => ({ policy: name, path: stanza.path, reason })));
        for (const stanza of rendered.stanzas) {
            merge(ruleFor(stanza, { exact, prefix, segment }), name, stanza);
        }
    }
    const names = policies.map((p) => p.name);

    /** The wildcard rules that match `path`, highest priority first. */
    const ranked = (path: string): Rule[] => {
        const parts = path.split("/");
        const candidates: Candidate[] = [...prefix.values()]
            .filter((rule) => path.startsWith(rule.key))
            .map((rule) => ({ rule, firstWildcard: rule.key.length, prefix: true, wildcards: 0, stem: rule.key }));
        for (const rule of segment.values()) {
            const candidate = segmentMatch(rule, parts);
            if (candidate) {
                candidates.push(candidate);
            }
        }
        return candidates.sort((a, b) => compareRanks(b, a)).map((c) => c.rule);
    };
    const matching = (path: string): Rule[] => [...(exact.has(path) ? [exact.get(path)!] : []), ...ranked(path)];

    return {
        decide(path: string, operation: Operation = "list"): Decision {
            const requested = normalized(path);
            const list = operation === "list";
            const trimmed = requested.replace(/\/$/, "");
            // AllowOperation's order: the exact rule; for a LIST, the exact rule without the trailing slash, then
            // the wildcard rules on the path without it; then the wildcard rules on the path.
            const lookups = list ? [requested, trimmed] : [requested];
            const rule =
                lookups.map((p) => exact.get(p)).find((r) => r !== undefined) ??
                [...lookups]
                    .reverse()
                    .map((p) => ranked(p)[0])
                    .find((r) => r !== undefined);
            const others = [...new Set(lookups.flatMap(matching))].filter((r) => r !== rule);
            return {
                path: requested,
                capabilities: rule === undefined || rule.deny || rule.grants.size === 0 ? ["deny"] : sortedGrants(rule),
                root: false,
                rule: rule && decidingRule(rule),
                outranked: others.map(summary),
                policies: names,
                skipped,
            };
        },
    };
}

const normalized = (path: string) => path.replace(/^\/+/, "");

function rootDecision(path: string): Decision {
    return { path, capabilities: ["root"], root: true, outranked: [], policies: ["root"], skipped: [] };
}

/** The rule a stanza belongs to, created empty on first sight, classified as vault/policy.go does. */
function ruleFor(stanza: PolicyStanza, tables: Record<"exact" | "prefix" | "segment", Map<string, Rule>>): Rule {
    const path = stanza.path.replace(/^\//, "");
    const isSegment = path === "+" || path.includes("/+") || path.startsWith("+/");
    const isPrefix = !isSegment && path.endsWith("*");
    const table = isSegment ? tables.segment : isPrefix ? tables.prefix : tables.exact;
    const key = isPrefix ? path.slice(0, -1) : path;
    if (!table.has(key)) {
        table.set(key, {
            pattern: path,
            exact: !isSegment && !isPrefix,
            key,
            grants: new Set(),
            deny: false,
            policies: [],
            grantedBy: new Map(),
            deniedBy: [],
        });
    }
    return table.get(key)!;
}

/** NewACL's merge: a rule that denies takes nothing more; a stanza that denies leaves the rule only deny. */
function merge(rule: Rule, policy: string, stanza: PolicyStanza): void {
    if (!rule.policies.includes(policy)) {
        rule.policies.push(policy);
    }
    if (stanza.capabilities.includes("deny")) {
        rule.deny = true;
        rule.deniedBy.push(policy);
        return;
    }
    // Vault takes nothing more into a denying rule; whatever is added here, a denying rule grants nothing.
    for (const capability of stanza.capabilities as Capability[]) {
        rule.grants.add(capability);
        rule.grantedBy.set(capability, [...(rule.grantedBy.get(capability) ?? []), policy]);
    }
}

/** A `+` rule against the path's segments: its rank when it matches, as CheckAllowedFromNonExactPaths reads it. */
function segmentMatch(rule: Rule, parts: string[]): Candidate | undefined {
    const prefix = rule.key.endsWith("*");
    const stem = prefix ? rule.key.slice(0, -1) : rule.key;
    const wanted = stem.split("/");
    if (parts.length < wanted.length || (!prefix && parts.length !== wanted.length)) {
        return undefined;
    }
    let wildcards = 0;
    for (const [i, part] of wanted.entries()) {
        if (part === "+") {
            wildcards++;
        } else if (part !== parts[i] && !(prefix && i === wanted.length - 1 && parts[i].startsWith(part))) {
            return undefined;
        }
    }
    return { rule, firstWildcard: rule.key.indexOf("+"), prefix, wildcards, stem };
}

/**
 * acl.go's `less` as a sort key: a rule ranks lower when its first wildcard comes earlier, then when it alone
 * ends in `*`, then when it has more `+` segments, then when it is shorter (in bytes, as Go counts).
 */
const rankKey = (c: Candidate) => [c.firstWildcard, c.prefix ? 0 : 1, -c.wildcards, Buffer.byteLength(c.stem)];

/**
 * Positive when a ranks higher than b. Last, the higher stem in sort order ranks higher: two matching stems first
 * differ where one has `+` and the other a literal, so code-unit order is Go's byte order there.
 */
function compareRanks(a: Candidate, b: Candidate): number {
    const [ka, kb] = [rankKey(a), rankKey(b)];
    const at = ka.findIndex((k, i) => k !== kb[i]);
    return at < 0 ? (a.stem < b.stem ? -1 : 1) : ka[at] - kb[at];
}

function sortedGrants(rule: Rule): Capability[] {
    return CAPABILITIES.filter((c) => rule.grants.has(c));
}

function summary(rule: Rule): RuleSummary {
    return {
        pattern: rule.pattern,
        exact: rule.exact,
        capabilities: rule.deny ? ["deny"] : sortedGrants(rule),
        policies: [...rule.policies],
    };
}

function decidingRule(rule: Rule): DecidingRule {
    return {
        ...summary(rule),
        grantedBy: rule.deny ? {} : Object.fromEntries([...rule.grantedBy].map(([c, p]) => [c, [...p]])),
        deniedBy: [...rule.deniedBy],
    };
}

// ---- Messages --------------------------------------------------------------------------------------------------

export interface Explanation {
    readonly granted: boolean;
    /** Why, naming the deciding rule and its policies. */
    readonly reason: string;
    /** What would grant it; never a change to a `deny`, and none when a deny decides. */
    readonly fix?: string;
}

/** Why `capability` on the decision's path is granted or not. */
export function explain(decision: Decision, capability: Capability): Explanation {
    const granted = allows(decision, capability);
    const rule = decision.rule;
    if (decision.root) {
        return { granted, reason: "the root policy grants every capability" };
    }
    if (rule === undefined) {
        const left = decision.skipped.map((s) => `${JSON.stringify(s.path)} in policy ${s.policy} (${s.reason})`);
        return {
            granted,
            reason:
                `no rule of ${policiesOf(decision.policies)} matches "${decision.path}"` +
                (left.length ? `; left out for this token: ${left.join(", ")}` : ""),
            fix: `grant "${capability}" on "${decision.path}" in one of the token's policies`,
        };
    }
    const outranking = decision.outranked.filter((r) => r.capabilities.includes(capability));
    const outranks = outranking.length
        ? `, and it outranks ${outranking.map((r) => `"${r.pattern}" in ${policiesOf(r.policies)}`).join(", ")}`
        : "";
    if (rule.deniedBy.length) {
        const overridden = rule.policies.filter((p) => !rule.deniedBy.includes(p));
        const merged = overridden.length ? `; the deny overrides what ${policiesOf(overridden)} grants on the same path` : "";
        return { granted, reason: `denied by "${rule.pattern}" (deny) in ${policiesOf(rule.deniedBy)}${merged}${outranks}` };
    }
    const grants = rule.capabilities.length ? `grants [${rule.capabilities.join(", ")}]` : "grants nothing";
    const described = `${rule.exact ? "the exact rule" : "the rule"} "${rule.pattern}" in ${policiesOf(rule.policies)} ${grants}`;
    if (granted) {
        return { granted, reason: described };
    }
    return {
        granted,
        reason: described + outranks,
        fix: `add "${capability}" to "${rule.pattern}" in ${policiesOf(rule.policies)}: ${
            rule.exact ? "an exact rule decides its path alone" : "it outranks every other rule on this path"
        }`,
    };
}

const policiesOf = (names: readonly string[]) => (names.length === 1 ? `policy ${names[0]}` : `policies ${names.join(", ")}`);
