// The Vault functions a consul-template template calls (`secret`, `secrets`, `pkiCert`), found the way Go's
// text/template reads a template: actions between the delimiters, strings that may hold a delimiter, comments,
// trim markers, keywords, variable declarations, parentheses and pipelines.

export const VAULT_FUNCTIONS = ["secret", "secrets", "pkiCert"] as const;
export type VaultFunction = (typeof VAULT_FUNCTIONS)[number];

/** An argument: a string literal's value, or the template text that computes it. */
export type Argument = { readonly value: string } | { readonly expression: string };

export interface TemplateCall {
    readonly name: VaultFunction;
    readonly args: readonly Argument[];
}

export interface Delimiters {
    /** Nomad's template `left_delimiter` (API `LeftDelim`); "" or undefined is Go's default "{{". */
    readonly left?: string;
    readonly right?: string;
}

/** Every call of a Vault function in the template, in the order of the template text. */
export function vaultCalls(template: string, delimiters: Delimiters = {}): TemplateCall[] {
    return actions(template, delimiters.left || "{{", delimiters.right || "}}").flatMap((action) => callsIn(pipeline(action)));
}

/** The text inside each action, without trim markers; comments are left out. None when an action is not closed: Go refuses the template. */
function actions(text: string, left: string, right: string): string[] {
    const found: string[] = [];
    let start = text.indexOf(left);
    while (start >= 0) {
        const inside = start + left.length;
        const body = /^-\s/.test(text.slice(inside)) ? inside + 2 : inside;
        const comment = text.startsWith("/*", body);
        const end = comment ? commentEnd(text, body, right) : actionEnd(text, body, right);
        if (end === -1) {
            return [];
        }
        if (!comment) {
            found.push(text.slice(body, end).replace(/\s-$/, ""));
        }
        start = text.indexOf(left, end + right.length);
    }
    return found;
}

function commentEnd(text: string, from: number, right: string): number {
    const close = text.indexOf("*/", from);
    return close === -1 ? -1 : text.indexOf(right, close);
}

/** Where the action ends: the first right delimiter outside a quoted string. */
function actionEnd(text: string, from: number, right: string): number {
    for (let i = from; i < text.length; i++) {
        if (text.startsWith(right, i)) {
            return i;
        }
        if (QUOTES.includes(text[i])) {
            i = closingQuote(text, i);
        }
    }
    return -1;
}

const QUOTES = "\"'`";

/** The index of the quote that closes the one at `open` (escapes count in "…" and '…', not in `…`). */
function closingQuote(text: string, open: number): number {
    for (let i = open + 1; i < text.length; i++) {
        if (text[i] === "\\" && text[open] !== "`") {
            i++;
        } else if (text[i] === text[open]) {
            return i;
        }
    }
    return text.length;
}

interface Token {
    readonly kind: "string" | "word" | "(" | ")" | "|" | ":=";
    readonly start: number;
    readonly end: number;
}

function tokens(action: string): Token[] {
    const found: Token[] = [];
    for (let i = 0; i < action.length; i++) {
        const c = action[i];
        if (QUOTES.includes(c)) {
            const end = closingQuote(action, i) + 1;
            found.push({ kind: "string", start: i, end });
            i = end - 1;
        } else if ("()|".includes(c)) {
            found.push({ kind: c as Token["kind"], start: i, end: i + 1 });
        } else if (":=".includes(c)) {
            // `$x := …`, `$x = …`, `$k, $v := …`: what follows is the pipeline
            found.push({ kind: ":=", start: i, end: i + 1 });
        } else if (/\S/.test(c)) {
            const end = action.slice(i).search(/[\s"'`()|:=]|$/) + i;
            found.push({ kind: "word", start: i, end });
            i = end - 1;
        }
    }
    return found;
}

interface Operand {
    readonly start: number;
    readonly end: number;
    /** A string literal's value. */
    readonly value?: string;
    /** A parenthesised pipeline. */
    readonly inner?: Command[];
}
type Command = Operand[];

interface Pipeline {
    readonly action: string;
    readonly commands: Command[];
}

// Keywords that open an action whose pipeline follows: `{{ with secret "…" }}`, `{{ else if secrets "…" }}`.
const KEYWORDS = ["if", "else", "with", "range"];

function pipeline(action: string): Pipeline {
    // Go accepts keywords only at the start of an action.
    const words = tokens(action).filter((token) => !KEYWORDS.includes(action.slice(token.start, token.end)));
    const cursor = { tokens: words, next: 0 };
    return { action, commands: commands(action, cursor) };
}

/** The commands of a pipeline, up to the `)` that closes it or the end of the action. */
function commands(action: string, cursor: { tokens: Token[]; next: number }): Command[] {
    let found: Command[] = [[]];
    while (cursor.next < cursor.tokens.length) {
        const token = cursor.tokens[cursor.next++];
        if (token.kind === ")") {
            break;
        } else if (token.kind === ":=") {
            found = [[]]; // the declared variables are not commands
        } else if (token.kind === "|") {
            found.push([]);
        } else if (token.kind === "(") {
            const inner = commands(action, cursor);
            found.at(-1)!.push({ start: token.start, end: cursor.tokens[cursor.next - 1].end, inner });
        } else {
            found.at(-1)!.push({
                start: token.start,
                end: token.end,
                value: token.kind === "string" ? literal(action.slice(token.start, token.end)) : undefined,
            });
        }
    }
    return found.filter((command) => command.length > 0);
}

/** A Go string literal's value; undefined for a character constant and for escapes JSON does not share with Go (\x, \a, \v, octal). */
function literal(quoted: string): string | undefined {
    if (quoted[0] === "`") {
        return quoted.slice(1, -1);
    }
    try {
        return JSON.parse(quoted) as string;
    } catch {
        return undefined;
    }
}

function callsIn({ action, commands }: Pipeline): TemplateCall[] {
    const text = (from: Operand, to: Operand) => action.slice(from.start, to.end);
    const argument = (operands: Operand[]): Argument =>
        operands.length === 1 && operands[0].value !== undefined
            ? { value: operands[0].value }
            : { expression: text(operands[0], operands.at(-1)!) };
    return commands.flatMap((command, i) => {
        const [head, ...rest] = command;
        const name = text(head, head) as VaultFunction;
        // In `a | f x`, f gets a's result as its last argument.
        const piped = i > 0 ? [argument(commands[i - 1])] : [];
        const own = VAULT_FUNCTIONS.includes(name) ? [{ name, args: [...rest.map((operand) => argument([operand])), ...piped] }] : [];
        return [...own, ...command.flatMap((operand) => (operand.inner ? callsIn({ action, commands: operand.inner }) : []))];
    });
}
