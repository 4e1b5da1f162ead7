// What the real providers would compute for each resource type, so that the program's outputs
// resolve to realistic values under mocks.

import * as crypto from "crypto";

export const MOCK_ACCESSOR = "auth_jwt_d34481ad";

/** Vault gives each mount its own accessor: the stack's one mount has MOCK_ACCESSOR, a cluster's mount one from its path. */
export const mockAccessor = (path: string) =>
    /-nomad-[a-z0-9-]+$/.test(path) ? `auth_jwt_${crypto.createHash("sha256").update(path).digest("hex").slice(0, 8)}` : MOCK_ACCESSOR;

export function computedState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-secret-${name}` };
        case "random:index/randomUuid:RandomUuid":
            return { result: "7f10099a-936c-3f3a-8783-f0980493e54b" };
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:${name}`, repoDigest: `${inputs.name}@sha256:${name}` };
        case "vault:jwt/authBackend:AuthBackend":
            return { accessor: mockAccessor(inputs.path) };
        case "vault:kv/secretV2:SecretV2":
            return { path: `${inputs.mount}/data/${inputs.name}` };
        case "nomad:index/aclToken:AclToken":
            return { accessorId: `accessor-${name}`, secretId: `mock-secret-${name}` };
        case "vault:index/nomadSecretBackend:NomadSecretBackend":
            return { backend: inputs.backend ?? "nomad" };
        case "pulumi-nodejs:dynamic/vaultnomad:AclBootstrap":
            return { accessorId: "d1de8625-8556-0932-a25c-3aa71bfc0134", secretId: inputs.bootstrapSecret };
        case "nomad:index/job:Job": {
            const [, jobName] = /job\s+"([^"]+)"/.exec(inputs.jobspec) ?? [];
            return { name: jobName, namespace: "default", status: "running" };
        }
        default:
            return {};
    }
}
