// Decoded JSON as Go sees it in Vault's JWT plugin: which values compare equal, and how its error texts print
// them (fmt's %v and %e), so that a message can quote Vault's own words.

/**
 * A number as Vault decodes its API and its storage (encoding/json with UseNumber): the literal text.
 * Numbers in a role's bound_claims are these; the plugin also turns a float claim into one (getClaim).
 */
export class JsonNumber {
    constructor(readonly text: string) {}
    toString(): string {
        return this.text;
    }
    toJSON(): number {
        return Number(this.text);
    }
}

/**
 * A value as the plugin holds it. A JS number is a Go float64 (how a JWT's numbers decode); a bigint stands for
 * a Go int, which no JSON decoding yields but the plugin's own test tables use; null and undefined are Go's nil.
 */
export type GoValue = string | boolean | number | bigint | JsonNumber | null | undefined | GoValue[] | { [key: string]: GoValue };

/** A role's bound claim values as Vault stores them: every number becomes a JsonNumber. */
export function asStoredByVault(value: unknown): GoValue {
    if (typeof value === "number") return new JsonNumber(String(value));
    if (Array.isArray(value)) return value.map(asStoredByVault);
    if (isGoMap(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asStoredByVault(inner)]));
    return value as GoValue;
}

/** A JSON object: a Go map[string]interface{}. */
export function isGoMap(value: unknown): value is { [key: string]: GoValue } {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** Go's `a == b` on two interface values: the same type and value. Two maps or two slices are never equal. */
export function goEquals(a: GoValue, b: GoValue): boolean {
    if (a instanceof JsonNumber && b instanceof JsonNumber) return a.text === b.text;
    return (a ?? null) === (b ?? null);
}

/** fmt's %v. */
export function formatV(value: GoValue): string {
    if (value === null || value === undefined) return "<nil>";
    if (typeof value === "number") return formatFloatV(value);
    if (Array.isArray(value)) return `[${value.map(formatV).join(" ")}]`;
    if (isGoMap(value)) return `map[${sortedEntries(value, (key, inner) => `${key}:${formatV(inner)}`)}]`;
    return String(value);
}

/** fmt's %e, which the plugin's glob error applies to a bound value that is not a string. */
export function formatE(value: GoValue): string {
    return value === null || value === undefined ? "%!e(<nil>)" : formatNestedE(value);
}

function formatNestedE(value: GoValue): string {
    if (value === null || value === undefined) return "<nil>";
    if (typeof value === "number") return exponentForm(value.toExponential(6));
    if (Array.isArray(value)) return `[${value.map(formatNestedE).join(" ")}]`;
    if (isGoMap(value)) return `map[${sortedEntries(value, (key, inner) => `${formatNestedE(key)}:${formatNestedE(inner)}`)}]`;
    return `%!e(${goTypeName(value)}=${String(value)})`;
}

function goTypeName(value: string | boolean | bigint | JsonNumber): string {
    if (value instanceof JsonNumber) return "json.Number";
    return { string: "string", boolean: "bool", bigint: "int" }[typeof value as "string" | "boolean" | "bigint"];
}

// fmt prints map entries sorted by key.
function sortedEntries(map: { [key: string]: GoValue }, entry: (key: string, value: GoValue) => string): string {
    return Object.keys(map)
        .sort()
        .map((key) => entry(key, map[key]))
        .join(" ");
}

// %v of a float64 is %g with the shortest digits, in exponent form when the exponent is below -4 or at least 6.
function formatFloatV(value: number): string {
    if (Object.is(value, -0)) return "-0";
    const shortest = value.toExponential();
    const exponent = Number(shortest.split("e")[1]);
    return exponent < -4 || exponent >= 6 ? exponentForm(shortest) : String(value);
}

// Go writes the exponent with a sign and at least two digits: 1e+06, 4.200000e-05.
function exponentForm(jsExponential: string): string {
    const [mantissa, exponent] = jsExponential.split("e");
    return `${mantissa}e${exponent[0]}${exponent.slice(1).padStart(2, "0")}`;
}
