// A task's login, judged as Vault's JWT method judges it (policy/jwtLogin.ts), against the claims Nomad signs for
// this task on this cluster (policy/nomadClaims.ts): its servers' version, the job's own values, the extra claims
// of the servers, the namespace and the task's identity block. With --probe, the probe's real identity shows which
// claims these servers sign and in what shape, and its issuer lets the mount's bound_issuer be judged too.
import { decodeJwt } from "jose";
import { GoValue } from "../policy/goValues";
import { Claims } from "../policy/jwtClaims";
import { judgeLogin, LoginJudgement, LoginRefusal } from "../policy/jwtLogin";
import { identityClaims, namespaceExtraClaimsSupported, NomadClaims, nomadSignsClaim } from "../policy/nomadClaims";
import { allocationNode, JobSpec, namespaceClaims, readsNode, signerFacts, taskIdentityRequest } from "./identityFacts";
import { probeJob } from "./probe";
import { RunContext, Target } from "./types";
import { JobTask } from "./viewTypes";

export type Problem = readonly [evidence: string, cause: string, fix: string];

/**
 * The release a cluster whose servers' version cannot be read is judged as: the first with namespaces' extra claims
 * when its namespaces carry the fields, else the oldest this project supports.
 */
const WITH_NAMESPACE_CLAIMS = "2.0.3";
const OLDEST_SUPPORTED = "1.10.0";

/** Claims that differ with every signature; the probe's say nothing of a job's. */
const PER_SIGNATURE = new Set(["exp", "iat", "jti", "nbf"]);

/**
 * The claims predicted for a job, reshaped by what the servers really signed for the probe: a claim predicted for
 * the probe that it lacks is one these servers do not sign; a claim it carries that was not predicted is one they
 * sign that the prediction does not know (iss, say), taken as the probe has it; likewise the probe's extra claims
 * for a job in the probe's namespace.
 */
export function shapedByProbe(job: NomadClaims, predicted: NomadClaims, real: Claims): Claims {
    const shaped: Record<string, GoValue> = structuredClone(job) as Record<string, GoValue>;
    for (const name of Object.keys(predicted).filter((n) => !Object.hasOwn(real, n) && !PER_SIGNATURE.has(n))) {
        delete shaped[name];
    }
    const fromProbe = ([name]: [string, unknown]) => !Object.hasOwn(predicted, name) && !PER_SIGNATURE.has(name) && name !== "extra_claims";
    for (const [name, value] of Object.entries(real).filter(fromProbe)) {
        shaped[name] = value;
    }
    const [realExtras, predictedExtras] = [real.extra_claims, predicted.extra_claims] as Array<Record<string, GoValue> | undefined>;
    const unpredicted =
        job.nomad_namespace === real.nomad_namespace
            ? Object.entries(realExtras ?? {}).filter(([name]) => !Object.hasOwn(predictedExtras ?? {}, name))
            : [];
    if (unpredicted.length) {
        shaped.extra_claims = { ...Object.fromEntries(unpredicted), ...(job.extra_claims as Record<string, string> | undefined) };
    }
    return shaped;
}

/** The probe's claims and those predicted for it, when verify runs with --probe and the probe has an identity. */
async function probeClaims(t: Target, context: RunContext, version: string) {
    const jwt = context.probe && t.probe && (await context.probe.identity()).jwt;
    if (!jwt) {
        return undefined;
    }
    const spec = probeJob(t.nomadNamespace, t.probe!) as unknown as JobSpec & { TaskGroups: Array<{ Name: string; Tasks: JobTask[] }> };
    const [group] = spec.TaskGroups;
    const facts = {
        signer: { ...(await signerFacts(context.view)), version },
        namespace: await namespaceClaims(context.view, spec.Namespace),
    };
    const predicted = identityClaims(taskIdentityRequest(spec, group.Name, { ...group.Tasks[0], Vault: {} }, facts));
    return { real: decodeJwt(jwt) as Claims, predicted };
}

/** What verify knows of the claims a task's identity carries, and the version they are judged for. */
export interface TaskClaims {
    readonly claims: Claims;
    readonly version: string;
    /** Whether the version is the servers' own (agent/members), rather than inferred. */
    readonly versionRead: boolean;
    /** Whether the probe's real identity shaped them. */
    readonly probed: boolean;
}

export async function taskClaims(t: Target, context: RunContext, job: JobSpec, group: string, task: JobTask): Promise<TaskClaims> {
    const signer = await signerFacts(context.view);
    const namespace = await namespaceClaims(context.view, job.Namespace);
    const version = signer.version ?? (namespace.fieldsSent ? WITH_NAMESPACE_CLAIMS : OLDEST_SUPPORTED);
    const node = readsNode(signer.vaultExtraClaims, namespace.required, namespace.optional)
        ? await allocationNode(context.view, job, group)
        : undefined;
    const claims = identityClaims(taskIdentityRequest(job, group, task, { signer: { ...signer, version }, namespace, node }));
    const probe = await probeClaims(t, context, version);
    const judgedFor = { version, versionRead: signer.version !== undefined };
    return probe
        ? { ...judgedFor, claims: shapedByProbe(claims, probe.predicted, probe.real), probed: true }
        : { ...judgedFor, claims: claims as Claims, probed: false };
}

/** The login of a task's identity with its role, as Vault would judge it. */
export function judgeTaskLogin(
    role: string,
    roleData: Record<string, any>,
    known: TaskClaims,
    mountConfig: Record<string, any>,
): LoginJudgement {
    // The issuer is known only from a real identity: the servers' oidc_issuer is not in their API.
    const boundIssuer = known.probed ? mountConfig.bound_issuer || undefined : undefined;
    return judgeLogin({ ...roleData, name: role, user_claim: roleData.user_claim ?? "" }, known.claims, { boundIssuer });
}

/** Where the job's own values are named in a fix. */
export interface JobNames {
    readonly namespace: string;
    readonly id: string;
    readonly task: string;
}

/** A refusal as a problem of the job check: the refusal's own sentence, and why it happens and what mends it. */
export function loginProblem(refusal: LoginRefusal, known: TaskClaims, job: JobNames): Problem {
    const [cause, fix] = explain(refusal, known, job);
    return [`task ${job.task}: ${refusal.message}`, cause, fix];
}

const SIGNED = "nomad_namespace, nomad_job_id, nomad_task or nomad_service, vault_role, or an extra claim as /extra_claims/<name>";

function explain(r: LoginRefusal, known: TaskClaims, job: JobNames): [cause: string, fix: string] {
    const refused = "Vault refuses this job's login";
    if (r.check === "bound_claims" && r.has === undefined) {
        return missingClaim(r, known, job);
    }
    switch (r.check) {
        case "bound_claims":
            return [
                `Role ${r.role} admits other workloads only: ${refused}.`,
                `Use a role whose bound_claims admit ${job.namespace}/${job.id}, or widen ${r.role}'s bound_claims.`,
            ];
        case "bound_audiences":
            return [
                `The servers sign this task's identity for an audience role ${r.role} does not bind: ${refused}.`,
                "Give the servers' vault.default_identity.aud (or the task's identity) the role's audience, then resubmit the job.",
            ];
        case "bound_issuer":
            return [
                `${refused}: the mount's bound_issuer is not the servers' oidc_issuer.`,
                `Set bound_issuer of the mount to ${JSON.stringify(r.has)}, or clear it.`,
            ];
        case "bound_subject":
            return [
                `${refused}: bound_subject admits one workload's identity only.`,
                `Clear ${r.role}'s bound_subject; bind nomad_namespace and nomad_job_id instead.`,
            ];
        default:
            return [
                `${refused}: the role reads a claim this identity does not carry as it needs (${r.check}).`,
                `Point ${r.role}'s ${r.check} at a claim Nomad signs as a string: ${SIGNED}.`,
            ];
    }
}

function missingClaim(r: LoginRefusal, known: TaskClaims, job: JobNames): [cause: string, fix: string] {
    const extra = /^\/extra_claims\/(.+)/.exec(r.claim)?.[1];
    if (extra !== undefined) {
        const fromNamespace = namespaceExtraClaimsSupported(known.version);
        return [
            `The identity carries no extra claim "${extra}": ${nomadRelease(known)} signs extra claims from the servers' vault.default_identity.extra_claims${fromNamespace ? ", the namespace's required_extra_claims, and the optional_extra_claims the identity block names" : " only (namespaces' extra claims need Nomad 2.0.3)"}.`,
            fromNamespace
                ? `Add ${extra} to namespace ${job.namespace}'s required_extra_claims, or to its optional_extra_claims and to task ${job.task}'s identity { extra_claims = ["${extra}"] }; then resubmit the job.`
                : `Add ${extra} to the servers' vault.default_identity.extra_claims, or upgrade Nomad to 2.0.3 or later for namespaces' extra claims.`,
        ];
    }
    if (!nomadSignsClaim(known.version, r.claim)) {
        return [
            `${nomadRelease(known)} never signs "${r.claim}" in a workload identity: role ${r.role} admits no Nomad workload, and every login with it fails.`,
            `Bind ${r.role} to claims Nomad signs: ${SIGNED}.`,
        ];
    }
    return [
        `Nomad signs "${r.claim}" for other workloads, but not in this task's identity: Vault refuses its login.`,
        `Use a role whose bound_claims this task's identity carries, or give the task what the claim names (vault.role for vault_role).`,
    ];
}

/** The release the claims were judged for, and how it was known when the servers did not say. */
const nomadRelease = (known: TaskClaims) =>
    known.versionRead ? `Nomad ${known.version}` : `Nomad (taken as ${known.version}: agent/members gave no version)`;
