// Finds secret values that can be read without being marked secret, in inputs and outputs.
import * as pulumi from "@pulumi/pulumi";

/** Paths under `value` where a secret value can be read without being marked secret. */
export async function plaintextPathsOf(secrets: string[], value: unknown, at: string): Promise<string[]> {
    if (pulumi.Output.isInstance(value)) {
        if (await pulumi.isSecret(value)) {
            return [];
        }
        return plaintextPathsOf(secrets, await (value as any).promise(), at);
    }
    if (value instanceof Promise) {
        return plaintextPathsOf(secrets, await value, at);
    }
    if (typeof value === "string") {
        return secrets.some((secret) => value.includes(secret)) ? [at] : [];
    }
    if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const nested = await Promise.all(Object.entries(value).map(([key, v]) => plaintextPathsOf(secrets, v, `${at}.${key}`)));
        return nested.flat();
    }
    return [];
}
