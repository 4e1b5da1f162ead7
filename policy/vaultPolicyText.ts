// A Vault policy's text read as Vault reads it (hashicorp/vault vault/policy.go, ParseACLPolicy): HCL v1 or JSON,
// `path "…" { … }` stanzas with the keys Vault knows, the old `policy = "…"` form mapped to capabilities.
// Synchronous and strict: what Vault would refuse, or what this reader does not know, is an error that names
// the policy and the line.
import { durationSeconds } from "./goDuration";
import { hasTemplate, TemplateError } from "./policyTemplate";

/** The capabilities a stanza can grant, in the order Vault's sys/capabilities sorts them. */
export const CAPABILITIES = ["create", "delete", "list", "patch", "read", "recover", "subscribe", "sudo", "update"] as const;
export type Capability = (typeof CAPABILITIES)[number];
export type Grant = Capability | "deny";

/** The old form, as vault/policy.go maps it; `deny` replaces the capabilities, the others add to them. */
const OLD_POLICIES: Record<string, Grant[]> = {
    read: ["read", "list"],
    write: ["create", "read", "update", "delete", "list"],
    sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

const STANZA_KEYS = [
    "comment",
    "policy",
    "capabilities",
    "allowed_parameters",
    "denied_parameters",
    "required_parameters",
    "min_wrapping_ttl",
    "max_wrapping_ttl",
    "mfa_methods",
    "control_group",
    "subscribe_event_types",
];

export interface PolicyStanza {
    /** The path as written, templates unrendered. */
    readonly path: string;
    readonly line: number;
    /** True when the path holds `{{…}}` templates, rendered per token (policyTemplate.ts). */
    readonly templated: boolean;
    /** What the stanza grants, sorted; `["deny"]` alone when it denies. */
    readonly capabilities: readonly Grant[];
    /** The old `policy = "…"` form, when the stanza uses it. */
    readonly policy?: string;
    // Kept as Vault keeps them; the capabilities do not depend on them.
    readonly comment?: string;
    /** Parameter names lower-cased, as Vault stores them. */
    readonly allowedParameters?: Readonly<Record<string, unknown[]>>;
    readonly deniedParameters?: Readonly<Record<string, unknown[]>>;
    readonly requiredParameters?: readonly string[];
    /** Seconds. */
    readonly minWrappingTtl?: number;
    readonly maxWrappingTtl?: number;
    readonly mfaMethods?: readonly string[];
    readonly controlGroup?: unknown;
    readonly subscribeEventTypes?: readonly string[];
}

export interface ParsedPolicy {
    /** The top-level `name = "…"`, when the text sets one (Vault's policy store uses the name it was written under). */
    readonly name?: string;
    readonly stanzas: readonly PolicyStanza[];
    readonly templated: boolean;
}

export class PolicyTextError extends Error {
    constructor(
        readonly policy: string,
        readonly line: number,
        readonly reason: string,
    ) {
        super(`policy ${policy}, line ${line}: ${reason}`);
    }
}

/** A problem found in a text, before it is known which policy the text is. */
class Problem {
    constructor(
        readonly line: number,
        readonly reason: string,
    ) {}
}

/** The policy's stanzas, in the order written; throws a PolicyTextError naming `name` and the line. */
export function parsePolicy(text: string, name: string): ParsedPolicy {
    try {
        const json = text.trimStart().startsWith("{");
        const reader = new Reader(tokenize(text));
        const items = json ? reader.jsonTop() : reader.body("eof");
        const policy = json ? policyFromJson(items) : policyFromHcl(items);
        return { ...policy, templated: policy.stanzas.some((s) => s.templated) };
    } catch (err) {
        throw err instanceof Problem ? new PolicyTextError(name, err.line, err.reason) : err;
    }
}

// ---- Tokens --------------------------------------------------------------------------------------------------

type TokenType = "ident" | "string" | "number" | "bool" | "{" | "}" | "[" | "]" | "=" | ":" | "," | "eof";

interface Token {
    readonly type: TokenType;
    readonly text: string;
    readonly value?: string | number | boolean;
    readonly line: number;
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", n: "\n", t: "\t", r: "\r" };

const WORD = /-?\d+(\.\d+)?([eE][-+]?\d+)?|[A-Za-z_][\w.-]*/y;

function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let line = 1;
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === "\n") {
            line++;
            i++;
        } else if (/\s/.test(c)) {
            i++;
        } else if (c === "#" || text.startsWith("//", i)) {
            const end = text.indexOf("\n", i);
            i = end === -1 ? text.length : end;
        } else if (text.startsWith("/*", i)) {
            const end = text.indexOf("*/", i + 2);
            if (end === -1) {
                throw new Problem(line, "a /* comment is not closed");
            }
            line += text.slice(i, end).split("\n").length - 1;
            i = end + 2;
        } else if ("{}[]=:,".includes(c)) {
            tokens.push({ type: c as TokenType, text: c, line });
            i++;
        } else if (c === '"') {
            const { value, end } = readString(text, i, line);
            tokens.push({ type: "string", text: text.slice(i, end), value, line });
            i = end;
        } else {
            WORD.lastIndex = i;
            const word = WORD.exec(text)?.[0];
            if (word === undefined) {
                throw new Problem(line, `unexpected ${JSON.stringify(c)}`);
            }
            tokens.push(wordToken(word, line));
            i += word.length;
        }
    }
    tokens.push({ type: "eof", text: "the end of the text", line });
    return tokens;
}

function wordToken(word: string, line: number): Token {
    if (/^-?\d/.test(word)) {
        return { type: "number", text: word, value: Number(word), line };
    }
    if (word === "true" || word === "false") {
        return { type: "bool", text: word, value: word === "true", line };
    }
    return { type: "ident", text: word, value: word, line };
}

/** The double-quoted string that starts at `start`: its value and the index after its closing quote. */
function readString(text: string, start: number, line: number): { value: string; end: number } {
    let value = "";
    for (let i = start + 1; i < text.length && text[i] !== "\n"; i++) {
        const c = text[i];
        if (c === '"') {
            return { value, end: i + 1 };
        }
        if (c !== "\\") {
            value += c;
            continue;
        }
        const escaped = text[++i];
        const unicode = escaped === "u" ? /^[0-9a-fA-F]{4}/.exec(text.slice(i + 1))?.[0] : undefined;
        if (unicode !== undefined) {
            value += String.fromCharCode(parseInt(unicode, 16));
            i += 4;
        } else if (Object.hasOwn(ESCAPES, escaped)) {
            value += ESCAPES[escaped];
        } else {
            throw new Problem(line, `the escape \\${escaped} is not one this reader knows`);
        }
    }
    throw new Problem(line, "a string is not closed on its line");
}

// ---- Syntax: HCL v1 and JSON into one shape --------------------------------------------------------------------

type Value =
    | { readonly kind: "literal"; readonly token: Token }
    | { readonly kind: "list"; readonly items: Value[]; readonly line: number }
    | { readonly kind: "object"; readonly items: Item[]; readonly line: number };

interface Item {
    /** `path "a" { … }` has the keys path and a; `name = "x"` has the key name. */
    readonly keys: Token[];
    readonly value: Value;
    /** HCL: written with `=` rather than as a block (JSON has no blocks). */
    readonly assigned?: boolean;
}

/** A token as a message shows it: strings with their quotes, the rest quoted. */
const describe = (token: Token) => (token.type === "eof" || token.type === "string" ? token.text : JSON.stringify(token.text));

class Reader {
    private at = 0;
    constructor(private readonly tokens: Token[]) {}

    private peek(): Token {
        return this.tokens[this.at];
    }

    private take(type?: TokenType): Token {
        const token = this.tokens[this.at];
        if (type !== undefined && token.type !== type) {
            throw new Problem(token.line, `expected "${type}", found ${describe(token)}`);
        }
        this.at++;
        return token;
    }

    /** HCL v1: items one after another, a comma between them allowed, up to `end`. */
    body(end: "}" | "eof"): Item[] {
        const items: Item[] = [];
        while (this.peek().type !== end) {
            items.push(this.item());
            if (this.peek().type === ",") {
                this.take();
            }
        }
        this.take(end);
        return items;
    }

    private item(): Item {
        const keys: Token[] = [];
        while (this.peek().type === "ident" || this.peek().type === "string") {
            keys.push(this.take());
        }
        const next = this.peek();
        if (keys.length === 0) {
            throw new Problem(next.line, `expected a key, found ${describe(next)}`);
        }
        if (next.type === "=" && keys.length === 1) {
            this.take();
            return { keys, value: this.value(), assigned: true };
        }
        if (next.type === "{") {
            const line = this.take().line;
            return { keys, value: { kind: "object", items: this.body("}"), line }, assigned: false };
        }
        throw new Problem(
            next.line,
            `expected ${keys.length === 1 ? '"=" or "{"' : '"{"'} after ${describe(keys.at(-1)!)}, found ${describe(next)}`,
        );
    }

    /** A literal, a list or an object; JSON's objects have members, HCL's have items. */
    private value(json = false): Value {
        const token = this.take();
        if (token.type === "string" || token.type === "number" || token.type === "bool") {
            return { kind: "literal", token };
        }
        if (token.type === "[") {
            return { kind: "list", items: this.list(() => this.value(json)), line: token.line };
        }
        if (token.type === "{") {
            return { kind: "object", items: json ? this.jsonMembers() : this.body("}"), line: token.line };
        }
        throw new Problem(token.line, `expected a value, found ${describe(token)}`);
    }

    /** Values separated by commas up to `]`, a trailing comma allowed. */
    private list(element: () => Value): Value[] {
        const items: Value[] = [];
        while (this.peek().type !== "]") {
            items.push(element());
            if (this.peek().type !== "]") {
                this.take(",");
            }
        }
        this.take("]");
        return items;
    }

    /** JSON: one object, and nothing after it. */
    jsonTop(): Item[] {
        this.take("{");
        const items = this.jsonMembers();
        this.take("eof");
        return items;
    }

    private jsonMembers(): Item[] {
        const items: Item[] = [];
        while (this.peek().type !== "}") {
            if (items.length > 0) {
                this.take(",");
            }
            const key = this.take("string");
            this.take(":");
            items.push({ keys: [key], value: this.value(true) });
        }
        this.take("}");
        return items;
    }
}

const lineOf = (value: Value) => (value.kind === "literal" ? value.token.line : value.line);

// ---- Meaning: Vault's keys, values and the capabilities they give -----------------------------------------------

interface RawStanza {
    readonly path: string;
    readonly line: number;
    readonly body: Item[];
}

function policyFromHcl(items: Item[]): Omit<ParsedPolicy, "templated"> {
    let name: string | undefined;
    const raw: RawStanza[] = [];
    for (const item of items) {
        const [key, ...labels] = item.keys;
        if (key.value === "name" && item.assigned) {
            name = text(item.value, "name");
        } else if (key.value === "name") {
            throw new Problem(key.line, 'the name is written name = "<name>"');
        } else if (key.value === "path" && labels.length === 1 && !item.assigned) {
            raw.push({ path: String(labels[0].value), line: key.line, body: (item.value as { items: Item[] }).items });
        } else if (key.value === "path") {
            throw new Problem(key.line, 'a path stanza is written path "<path>" { … }');
        } else {
            throw new Problem(key.line, `invalid key ${describe(key)}: a policy holds only name and path`);
        }
    }
    return { name, stanzas: raw.map(stanza) };
}

function policyFromJson(items: Item[]): Omit<ParsedPolicy, "templated"> {
    let name: string | undefined;
    const raw: RawStanza[] = [];
    for (const { keys, value } of items) {
        if (keys[0].value === "name") {
            name = text(value, "name");
        } else if (keys[0].value === "path") {
            const groups = value.kind === "list" ? value.items : [value];
            for (const group of groups) {
                for (const {
                    keys: [path],
                    value: block,
                } of objectItems(group, '"path"')) {
                    raw.push(...jsonBlocks(String(path.value), block));
                }
            }
        } else {
            throw new Problem(keys[0].line, `invalid key ${describe(keys[0])}: a policy holds only name and path`);
        }
    }
    return { name, stanzas: raw.map(stanza) };
}

/** A JSON path's stanza; Vault's JSON reader flattens a stanza whose every value is an object, and misreads it. */
function jsonBlocks(path: string, block: Value): RawStanza[] {
    const items = objectItems(block, `path ${JSON.stringify(path)}`);
    if (items.length > 0 && items.every((i) => i.value.kind === "object")) {
        throw new Problem(
            lineOf(block),
            `path ${JSON.stringify(path)}: Vault's JSON reader misreads a stanza whose values are all objects`,
        );
    }
    return [{ path, line: lineOf(block), body: items }];
}

function stanza({ path, line, body }: RawStanza): PolicyStanza {
    const where = `path ${JSON.stringify(path)}`;
    let templated: boolean;
    try {
        templated = hasTemplate(path);
    } catch (err) {
        throw err instanceof TemplateError ? new Problem(line, `${where}: ${err.message}`) : err;
    }
    const fields = new Map<string, Item>();
    for (const item of body) {
        const key = String(item.keys[0].value);
        if (!STANZA_KEYS.includes(key) || item.keys.length > 1) {
            throw new Problem(item.keys[0].line, `${where}: invalid key ${describe(item.keys[0])}`);
        }
        if (fields.has(key)) {
            throw new Problem(item.keys[0].line, `${where}: ${key} is set twice (Vault has deprecated duplicate keys)`);
        }
        fields.set(key, item);
    }
    const value = (key: string) => fields.get(key)?.value;
    const strings = (key: string) => listOf(value(key), `${where}: ${key}`, (v) => text(v, `${where}: ${key}`));
    const string = (key: string) => (value(key) === undefined ? undefined : text(value(key)!, `${where}: ${key}`));
    const written = strings("capabilities");
    const policy = string("policy");
    if (path.includes("+*")) {
        throw new Problem(line, `${where}: invalid use of wildcards ('+*' is forbidden)`);
    }
    const common = {
        path,
        line,
        templated,
        policy,
        comment: string("comment"),
        allowedParameters: parameters(value("allowed_parameters"), `${where}: allowed_parameters`),
        deniedParameters: parameters(value("denied_parameters"), `${where}: denied_parameters`),
        requiredParameters: strings("required_parameters"),
        mfaMethods: strings("mfa_methods"),
        subscribeEventTypes: strings("subscribe_event_types"),
        controlGroup: value("control_group") === undefined ? undefined : plain(value("control_group")!),
    };
    const grants = grantsOf(written ?? [], policy, where, line);
    if (grants.includes("deny")) {
        // Vault stops reading a denying stanza here: its wrapping TTLs are never checked.
        return { ...common, capabilities: ["deny"] };
    }
    const minWrappingTtl = ttl(value("min_wrapping_ttl"), "min_wrapping_ttl", where);
    const maxWrappingTtl = ttl(value("max_wrapping_ttl"), "max_wrapping_ttl", where);
    if (minWrappingTtl && maxWrappingTtl && maxWrappingTtl < minWrappingTtl) {
        throw new Problem(line, `${where}: max_wrapping_ttl cannot be less than min_wrapping_ttl`);
    }
    return { ...common, capabilities: [...new Set(grants)].sort() as Capability[], minWrappingTtl, maxWrappingTtl };
}

/** The stanza's grants in the order Vault reads them: the old form first mapped, then each capability checked. */
function grantsOf(written: string[], policy: string | undefined, where: string, line: number): Grant[] {
    let capabilities: string[] = written;
    if (policy === "deny") {
        capabilities = ["deny"];
    } else if (policy) {
        if (!Object.hasOwn(OLD_POLICIES, policy)) {
            throw new Problem(line, `${where}: invalid policy ${JSON.stringify(policy)}`);
        }
        capabilities = [...written, ...OLD_POLICIES[policy]];
    }
    const grants: Grant[] = [];
    for (const capability of capabilities) {
        if (capability === "deny") {
            return ["deny"];
        }
        if (!(CAPABILITIES as readonly string[]).includes(capability)) {
            throw new Problem(line, `${where}: invalid capability ${JSON.stringify(capability)}`);
        }
        grants.push(capability as Capability);
    }
    return grants;
}

function text(value: Value, key: string): string {
    if (value.kind !== "literal" || value.token.type !== "string") {
        throw new Problem(lineOf(value), `${key}: expected a string`);
    }
    return value.token.value as string;
}

function listOf<T>(value: Value | undefined, key: string, element: (v: Value) => T): T[] | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (value.kind !== "list") {
        throw new Problem(lineOf(value), `${key}: expected a list`);
    }
    return value.items.map(element);
}

function objectItems(value: Value, key: string): Item[] {
    if (value.kind !== "object") {
        throw new Problem(lineOf(value), `${key}: expected an object`);
    }
    return value.items;
}

function parameters(value: Value | undefined, key: string): Record<string, unknown[]> | undefined {
    if (value === undefined) {
        return undefined;
    }
    return Object.fromEntries(
        objectItems(value, key).map((item) => [String(item.keys[0].value).toLowerCase(), listOf(item.value, key, plain)!]),
    );
}

/** A value as plain data: parameter values and control groups are kept, not judged. */
function plain(value: Value): unknown {
    if (value.kind === "literal") {
        return value.token.value;
    }
    if (value.kind === "list") {
        return value.items.map(plain);
    }
    return Object.fromEntries(value.items.map((item) => [item.keys.map((k) => k.value).join("."), plain(item.value)]));
}

function ttl(value: Value | undefined, key: string, where: string): number | undefined {
    if (value === undefined) {
        return undefined;
    }
    const raw = value.kind === "literal" ? value.token.value : undefined;
    const seconds = typeof raw === "number" ? Math.trunc(raw) : typeof raw === "string" ? durationSeconds(raw) : undefined;
    if (seconds === undefined) {
        throw new Problem(lineOf(value), `${where}: ${key} is not a duration`);
    }
    return seconds;
}
