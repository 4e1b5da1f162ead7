// Which of the stack's config values were set with --secret. The language host lists them in
// PULUMI_CONFIG_SECRET_KEYS; the SDK reads that list in runtime.isConfigSecret, which its typings omit.
import * as pulumi from "@pulumi/pulumi";

const runtime = pulumi.runtime as unknown as { isConfigSecret?: (fullKey: string) => boolean };

export function setAsSecret(fullKey: string): boolean {
    if (typeof runtime.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer provides runtime.isConfigSecret: settings/stackConfig.ts needs updating.");
    }
    return runtime.isConfigSecret(fullKey);
}
