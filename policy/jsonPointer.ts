// JSON pointers as Vault's JWT plugin follows them into a token's claims (mitchellh/pointerstructure v1.2.1,
// Get and Parse): RFC 6901 escapes, map keys by exact name, list indices as Go reads an integer.
import { GoValue, isGoMap } from "./goValues";

/** The value at `pointer` (which starts with "/") inside `document`, or undefined where the path leads nowhere. */
export function pointerGet(document: GoValue, pointer: string): GoValue {
    let current = document;
    for (const part of pointer.slice(1).split("/").map(unescapePart)) {
        if (Array.isArray(current)) {
            // An index out of range reads undefined, as pointerstructure's out-of-range error reads nothing.
            const index = listIndex(part);
            current = index === undefined ? undefined : current[Number(index)];
        } else if (isGoMap(current) && Object.hasOwn(current, part)) {
            current = current[part];
        } else {
            return undefined;
        }
    }
    return current;
}

// "~1" is "/" and then "~0" is "~", in that order, as RFC 6901 says.
function unescapePart(part: string): string {
    return part.replaceAll("~1", "/").replaceAll("~0", "~");
}

// A Go integer literal as strconv.ParseInt(s, 0, 64) reads it: a sign, then decimal, 0x, 0o, 0b or a leading-0
// octal, with single underscores between digits.
const GO_INTEGER = /^([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|(0(?:_?[0-7])*)|[1-9](?:_?[0-9])*)$/;

/** A list index as pointerstructure coerces a part (mapstructure.WeakDecode): "" is 0, otherwise a Go integer literal. */
export function listIndex(part: string): bigint | undefined {
    if (part === "") return 0n;
    const match = GO_INTEGER.exec(part);
    if (!match) return undefined;
    const [, sign, literal, octal] = match;
    // BigInt reads 0x, 0o and 0b itself but takes "017" as decimal; Go takes it as octal.
    const magnitude = BigInt(octal ? `0o${octal.replaceAll("_", "")}` : literal.replaceAll("_", ""));
    return sign === "-" ? -magnitude : magnitude;
}
