// Vault's own word on reads, with --probe: the probe's identity logs in with a role and asks
// sys/capabilities-self for paths. Vault answers for the probe's token only, so a rule on a job's own
// path (a deny on secret/data/default/web/*) never shows in its answer: verify judges the job's path with
// the model, and compares the two where they speak of the same path, trusting Vault when they disagree.
import { decodeJwt } from "jose";
import { allows } from "../policy/vaultAcl";
import { Capability } from "../policy/vaultPolicyText";
import { vault } from "./clients";
import { json } from "./http";
import { jobIdentity, ReadSetting, RoleToken } from "./jobReads";
import { loginWith, revoke } from "./login";
import { RunContext, Target } from "./types";

export interface Question {
    /** The path asked, as the probe's token requests it. */
    readonly path: string;
    readonly capability: Capability;
}

export interface Answer extends Question {
    /** What Vault's sys/capabilities-self answers. */
    readonly vault: readonly string[];
    readonly vaultGrants: boolean;
    /** What the policies' text gives the probe's token, as verify reads it, and the deciding rule. */
    readonly modelGrants: boolean;
    readonly modelSays: readonly string[];
}

/** Vault's answers for the probe's token of `role`; a note instead when it cannot be asked. */
export type VaultWord =
    { readonly answers: readonly Answer[]; readonly note?: undefined } | { readonly answers?: undefined; readonly note: string };

/** Asks Vault, with a token from the probe's login with `role`; undefined without a probe. */
export async function askVault(
    t: Target,
    context: RunContext,
    setting: ReadSetting,
    role: RoleToken,
    questions: (claims: Record<string, unknown>) => Question[],
): Promise<VaultWord | undefined> {
    const jwt = context.probe && (await context.probe.identity()).jwt;
    if (!jwt) {
        return undefined;
    }
    const login = await loginWith(t, jwt, role.role);
    if (!login.token) {
        return { note: `Vault's confirmation not possible: role ${role.role} refuses the probe's identity (${login.refusal})` };
    }
    const claims = decodeJwt(jwt) as Record<string, string>;
    const asked = questions(claims);
    const reply = await vault(t, "sys/capabilities-self", {
        method: "POST",
        token: login.token,
        body: { paths: [...new Set(asked.map((q) => q.path))] },
    });
    await revoke(t, login.token);
    // The default policy lets a token ask; a role with token_no_default_policy gives one that may not.
    if (reply.status !== 200) {
        return { note: `Vault's confirmation not possible: the probe's token of role ${role.role} may not ask sys/capabilities-self` };
    }
    const answer = json(reply) ?? {};
    const acl = role.token.acl(jobIdentity(setting, role, claims));
    return {
        answers: asked.map((q) => {
            const said: string[] = answer[q.path] ?? [];
            const decision = acl.decide(q.path);
            return {
                ...q,
                vault: said,
                vaultGrants: said.includes(q.capability) || said.includes("root"),
                modelGrants: allows(decision, q.capability),
                modelSays: decision.capabilities,
            };
        }),
    };
}

/** What the policies' text gives the probe's token on the answer's path, as verify reads it. */
export const textGives = (a: Answer) => `the policies' text gives [${a.modelSays.join(", ")}]`;

/** Where Vault and the policies' text disagree on a path, told with both answers; Vault's holds. */
export const disagreementShown = (a: Answer) =>
    `Vault answers [${a.vault.join(", ")}] on ${a.path} for the probe's token where ${textGives(a)}: Vault's answer holds`;
