// Nomad against Vault: the agent's identity audience, and the roles jobs ask for.
import * as docker from "@pulumi/docker";
import { StackValidationPolicy } from "@pulumi/policy";
import * as vault from "@pulumi/vault";
import * as nomad from "../nomad";
import { jobVaultBlocks, parseHcl } from "./hcl";
import { known, knownPart } from "./known";

/** The `default_identity` audiences of every Nomad agent configuration uploaded into a container. */
async function agentAudiences(
    args: Parameters<StackValidationPolicy["validateStack"]>[0],
): Promise<Array<{ agent: string; aud: string[] }>> {
    const found = [];
    for (const container of args.resources.filter((r) => r.isType(docker.Container))) {
        const uploads = (known(() => container.props.uploads) ?? []) as Array<{ file: string; content?: string }>;
        for (let i = 0; i < uploads.length; i++) {
            // The Vault dev server's root token file is unknown in preview; an agent's configuration is not.
            const content = known(() => uploads[i].content);
            if (content && /default_identity/.test(content)) {
                const config = await parseHcl(content);
                const identity = config.vault?.[0]?.default_identity?.[0];
                found.push({ agent: container.props.name as string, aud: (identity?.aud ?? []) as string[] });
            }
        }
    }
    return found;
}

export const agentAudienceMatchesRoles: StackValidationPolicy = {
    name: "agent-audience-matches-roles",
    description:
        'The audience of each Nomad agent\'s default_identity is bound by every JWT role (otherwise: "audience claim does not match any expected audience").',
    validateStack: async (args, reportViolation) => {
        const roles = args.resources.filter((r) => r.isType(vault.jwt.AuthBackendRole)).map((r) => r.props);
        for (const { agent, aud } of await agentAudiences(args)) {
            for (const role of roles) {
                const bound: string[] = role.boundAudiences ?? [];
                if (!aud.some((a) => bound.includes(a))) {
                    reportViolation(
                        `Nomad agent ${agent} signs identities for [${aud.join(", ")}], but role ${role.roleName} binds [${bound.join(", ")}].`,
                    );
                }
            }
        }
    },
};

export const jobsUseExistingRoles: StackValidationPolicy = {
    name: "jobs-use-existing-roles",
    description:
        "Every job that uses Vault names a JWT role of the stack (or relies on the default role), and sets no vault.policies, which workload identity ignores.",
    validateStack: async (args, reportViolation) => {
        const roles = new Set(args.resources.filter((r) => r.isType(vault.jwt.AuthBackendRole)).map((r) => r.props.roleName as string));
        const defaults = args.resources
            .filter((r) => r.isType(vault.jwt.AuthBackend))
            .map((r) => r.props.defaultRole as string | undefined);
        for (const job of args.resources.filter((r) => r.isType(nomad.Job))) {
            const spec = known(() => [job.props.jobspec as string, knownPart(job.props.hcl2?.vars)] as const);
            for (const { job: jobName, task, vault: block } of spec ? await jobVaultBlocks(spec[0], spec[1] as any) : []) {
                const role: string | undefined = block.role ?? defaults.find(Boolean);
                if (!role) {
                    reportViolation(`Task ${task} of job ${jobName} uses Vault without a role, and no JWT auth method has a default role.`);
                } else if (!roles.has(role)) {
                    reportViolation(`Task ${task} of job ${jobName} uses Vault role "${role}", which the stack does not define.`);
                }
                if (block.policies !== undefined) {
                    reportViolation(
                        `Task ${task} of job ${jobName} sets vault.policies, which workload identity ignores: grant through the role's policies.`,
                    );
                }
            }
        }
    },
};
