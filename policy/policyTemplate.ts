// Templated policy paths rendered as Vault renders them for one token (hashicorp/vault
// sdk/helper/identitytpl/templating.go, PopulateString in ACL mode; vault/policy.go parsePaths). A path whose
// template cannot be rendered is left out of the token's policy, whatever the reason: a missing value, a
// missing alias, no entity, or a value holding `*` or `+`.
import { durationSeconds } from "./goDuration";

export interface IdentityAlias {
    /** The auth mount's accessor, as in `{{identity.entity.aliases.<accessor>.…}}`. */
    readonly mountAccessor: string;
    readonly id?: string;
    readonly name?: string;
    /** For the JWT auth method, the role's claim_mappings: claim values under the names they map to. */
    readonly metadata?: Readonly<Record<string, string>>;
    readonly customMetadata?: Readonly<Record<string, string>>;
}

export interface IdentityGroup {
    readonly id: string;
    readonly name?: string;
    readonly metadata?: Readonly<Record<string, string>>;
    /** Defaults to the root namespace, where the policies are. */
    readonly namespaceId?: string;
}

/** The token's identity, as far as templates read it. A value left out counts as missing. */
export interface Identity {
    readonly entity?: {
        readonly id?: string;
        readonly name?: string;
        readonly metadata?: Readonly<Record<string, string>>;
        readonly aliases?: readonly IdentityAlias[];
    };
    readonly groups?: readonly IdentityGroup[];
    /** For `{{time.now…}}`; defaults to the current time. */
    readonly now?: Date;
}

/** Why Vault could not render a template, in Vault's words. */
export class TemplateError extends Error {}

const NOT_FOUND = "no value could be found for one of the template directives";
const UNBALANCED = "unbalanced templating characters";
const ROOT_NAMESPACE = "root";

/** Whether `text` holds templates; throws a TemplateError when its `{{` and `}}` do not pair up. */
export function hasTemplate(text: string): boolean {
    const [head, ...rest] = text.split("{{");
    checkHead(head);
    rest.forEach(pair);
    return rest.length > 0;
}

/**
 * `text` with each `{{…}}` replaced by the identity's value; throws a TemplateError where Vault fails. Like
 * Vault, it works from left to right: a failing directive is reported before unpaired braces after it.
 */
export function renderTemplate(text: string, identity: Identity): string {
    const [head, ...rest] = text.split("{{");
    checkHead(head);
    let rendered = head;
    for (const piece of rest) {
        const [directive, after] = pair(piece);
        const value = directiveValue(directive.trim(), identity);
        if (/[*+]/.test(value)) {
            throw new TemplateError("globs and wildcards are not allowed in template result");
        }
        rendered += value + after;
    }
    return rendered;
}

export interface Rendered<T> {
    readonly stanzas: T[];
    /** The templated stanzas Vault leaves out for this token, and why. */
    readonly skipped: Array<{ readonly stanza: T; readonly reason: string }>;
}

/** The stanzas with their paths rendered for one token; those whose template fails are skipped. */
export function renderPaths<T extends { readonly path: string; readonly templated: boolean }>(
    stanzas: readonly T[],
    identity: Identity,
): Rendered<T> {
    const rendered: Rendered<T> = { stanzas: [], skipped: [] };
    for (const stanza of stanzas) {
        try {
            rendered.stanzas.push(stanza.templated ? { ...stanza, path: renderTemplate(stanza.path, identity) } : stanza);
        } catch (err) {
            if (!(err instanceof TemplateError)) {
                throw err;
            }
            rendered.skipped.push({ stanza, reason: err.message });
        }
    }
    return rendered;
}

/** Nothing before the first `{{` may close one. */
function checkHead(head: string): void {
    if (head.includes("}}")) {
        throw new TemplateError(UNBALANCED);
    }
}

/** What follows a `{{`: the directive up to its `}}`, and the text after it, which may close nothing more. */
function pair(piece: string): [string, string] {
    const split = piece.split("}}");
    if (split.length !== 2) {
        throw new TemplateError(UNBALANCED);
    }
    return [split[0], split[1]];
}

function directiveValue(directive: string, identity: Identity): string {
    if (directive.startsWith("identity.entity.")) {
        if (identity.entity === undefined) {
            throw new TemplateError("string contains entity template directives but no entity was provided");
        }
        return entityValue(directive.slice("identity.entity.".length), identity.entity);
    }
    if (directive.startsWith("identity.groups.")) {
        if (!identity.groups?.length) {
            throw new TemplateError("string contains groups template directives but no groups were provided");
        }
        return groupValue(directive.slice("identity.groups.".length), identity.groups);
    }
    if (directive.startsWith("time.")) {
        return timeValue(directive.slice("time.".length), identity.now ?? new Date());
    }
    throw new TemplateError(NOT_FOUND);
}

/** A string value: missing or empty is not found. */
function present(value: string | undefined): string {
    if (!value) {
        throw new TemplateError(NOT_FOUND);
    }
    return value;
}

/** A map's value: a missing key is not found, an empty value is rendered empty. */
function entry(map: Readonly<Record<string, string>> | undefined, key: string): string {
    if (map === undefined || !Object.hasOwn(map, key)) {
        throw new TemplateError(NOT_FOUND);
    }
    return map[key];
}

/** `a.b.c` split at its first dot, or undefined when it has none. */
function firstDot(text: string): [string, string] | undefined {
    const at = text.indexOf(".");
    return at < 0 ? undefined : [text.slice(0, at), text.slice(at + 1)];
}

function entityValue(selector: string, entity: NonNullable<Identity["entity"]>): string {
    if (selector.startsWith("aliases.")) {
        const split = firstDot(selector.slice("aliases.".length));
        if (split === undefined) {
            throw new TemplateError("invalid alias selector");
        }
        const alias = entity.aliases?.find((a) => a.mountAccessor === split[0]);
        if (alias === undefined) {
            throw new TemplateError("alias not found");
        }
        return aliasValue(split[1], alias);
    }
    // `metadata` and `groups.names|ids` name a map or a list, which ACL paths cannot hold: not found.
    return ownValue(selector, entity);
}

function aliasValue(selector: string, alias: IdentityAlias): string {
    if (selector.startsWith("custom_metadata.")) {
        return entry(alias.customMetadata, selector.slice("custom_metadata.".length));
    }
    return ownValue(selector, alias);
}

/** `id`, `name` and `metadata.<key>`, which an entity and its aliases both have; anything else is not found. */
function ownValue(
    selector: string,
    holder: { readonly id?: string; readonly name?: string; readonly metadata?: Readonly<Record<string, string>> },
): string {
    if (selector === "id") {
        return present(holder.id);
    }
    if (selector === "name") {
        return present(holder.name);
    }
    if (selector.startsWith("metadata.")) {
        return entry(holder.metadata, selector.slice("metadata.".length));
    }
    throw new TemplateError(NOT_FOUND);
}

function groupValue(selector: string, groups: readonly IdentityGroup[]): string {
    const selected = firstDot(selector);
    if (selected === undefined || (selected[0] !== "ids" && selected[0] !== "names")) {
        throw new TemplateError("invalid groups selector");
    }
    const [by, rest] = selected;
    const accessed = firstDot(rest);
    if (accessed === undefined) {
        throw new TemplateError("invalid groups accessor");
    }
    const [wanted, attribute] = accessed;
    // By name, only the policy's namespace's groups count; by ID, any.
    const group = groups.find((g) => (by === "ids" ? g.id : (g.namespaceId ?? ROOT_NAMESPACE) === ROOT_NAMESPACE && g.name) === wanted);
    if (group === undefined) {
        throw new TemplateError(`entity is not a member of group ${JSON.stringify(wanted)}`);
    }
    if (attribute === "id") {
        return group.id;
    }
    if (attribute === "name") {
        return present(group.name);
    }
    if (attribute.startsWith("metadata.")) {
        return entry(group.metadata, attribute.slice("metadata.".length));
    }
    throw new TemplateError(NOT_FOUND);
}

/** `now`, `now.plus.<duration>` or `now.minus.<duration>`, read as Go's strings.SplitN(selector, ".", 3). */
function timeValue(selector: string, now: Date): string {
    const [what, more] = firstDot(selector) ?? [selector, undefined];
    if (what !== "now") {
        throw new TemplateError(`invalid time selector ${JSON.stringify(what)}`);
    }
    let seconds = now.getTime() / 1000;
    if (more !== undefined) {
        const operation = firstDot(more);
        if (operation === undefined) {
            throw new TemplateError("missing time operand");
        }
        const [operator, operand] = operation;
        const duration = durationOf(operand);
        if (operator !== "plus" && operator !== "minus") {
            throw new TemplateError(`invalid time operator ${JSON.stringify(operator)}`);
        }
        seconds += operator === "plus" ? duration : -duration;
    }
    return String(Math.floor(seconds));
}

function durationOf(operand: string): number {
    const seconds = durationSeconds(operand);
    if (seconds === undefined) {
        throw new TemplateError(`invalid duration: time: invalid duration ${JSON.stringify(operand)}`);
    }
    return seconds;
}
