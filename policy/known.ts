// `pulumi preview` leaves some values unknown (the JWT accessor and the policy rendered from it,
// tokens, ids). The policy server throws UnknownValueError when a rule reads one, and then reports
// that it could not run the rule; these helpers let a rule check what is known and skip the rest.
import { UnknownValueError } from "@pulumi/policy";

/** What `read` returns, or undefined when it reads a value unknown in preview. */
export function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (err) {
        if (err instanceof UnknownValueError) {
            return undefined;
        }
        throw err;
    }
}

/** A plain copy of `value` without the parts unknown in preview. */
export function knownPart(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map((_, i) => known(() => value[i])).map(knownPart);
    }
    if (value && typeof value === "object") {
        const entries = Object.keys(value).map((key) => [key, known(() => (value as Record<string, unknown>)[key])] as const);
        return Object.fromEntries(entries.filter(([, v]) => v !== undefined).map(([key, v]) => [key, knownPart(v)]));
    }
    return value;
}
