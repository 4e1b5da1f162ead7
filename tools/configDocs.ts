// What `npm run docs` generates: Pulumi.yaml's config schema and docs/configuration.md's table (from
// settings/keys.ts), the README's outputs table and Performance block, docs/policy-pack.md's rules.
import { CONFIG_KEYS, KeySpec } from "../settings/keys";

export const TABLE_START = "<!-- config-table:start (npm run docs) -->";
export const TABLE_END = "<!-- config-table:end -->";
export const OUTPUTS_START = "<!-- outputs-table:start (npm run docs) -->";
export const OUTPUTS_END = "<!-- outputs-table:end -->";
export const PERFORMANCE_START = "<!-- performance:start (npm run docs) -->";
export const PERFORMANCE_END = "<!-- performance:end -->";
export const POLICY_START = "<!-- policy-table:start (npm run docs) -->";
export const POLICY_END = "<!-- policy-table:end -->";

/** The policy pack's rules, from their own names and descriptions. */
export function policyTable(policies: ReadonlyArray<{ name: string; description?: string }>): string {
    return ["| rule | what it checks |", "|---|---|", ...policies.map((p) => `| \`${p.name}\` | ${p.description} |`)].join("\n");
}

/** What Pulumi.yaml declares for each key. */
export function projectConfigSchema(): Record<string, { type: string; default: string | number | boolean; description: string }> {
    return Object.fromEntries(
        Object.entries(CONFIG_KEYS).map(([key, spec]: [string, KeySpec]) => [
            key,
            {
                type: spec.kind,
                default: spec.default,
                description: spec.secret ? `${spec.description} Set it with --secret.` : spec.description,
            },
        ]),
    );
}

export function configTable(): string {
    const rows = Object.entries(CONFIG_KEYS).map(([key, spec]: [string, KeySpec]) => {
        const fallback = spec.default === "" ? "" : `\`${spec.default}\``;
        return `| \`${key}\` | ${spec.scope} | ${spec.kind}${spec.secret ? ", secret" : ""} | ${fallback} | ${spec.description} |`;
    });
    return ["| key | mode | type | default | meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** `text` with the part between `start` and `end` replaced by `body`. */
export function replaceBetween(text: string, start: string, end: string, body: string): string {
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
        throw new Error(`no section between ${start} and ${end}`);
    }
    return `${text.slice(0, from + start.length)}\n\n${body}\n\n${text.slice(to)}`;
}
