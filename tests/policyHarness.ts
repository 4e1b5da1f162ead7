// Runs policy rules directly, as the pulumi-policy-aws tests do: no PolicyPack, no engine.
import {
    PolicyResource,
    unknownCheckingProxy,
    UnknownValueError,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { POLICIES } from "../policy/policies";
import { ProgramRun, runProgram } from "../tools/programRecorder";

export interface PlainResource {
    type: string;
    name: string;
    props: Record<string, any>;
}

class NotApplicable extends Error {}

const urnOf = (r: PlainResource) => `urn:pulumi:dev::vaultnomad::${r.type}::${r.name}`;

function configOf(policy: { configSchema?: { properties?: Record<string, any> } }, config: Record<string, unknown>) {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => [key, schema.default]),
    );
    return { ...defaults, ...config };
}

const isType = (type: string) => (cls: { __pulumiType?: string }) => cls.__pulumiType === type;

function policyResource(r: PlainResource): PolicyResource {
    return {
        type: r.type,
        name: r.name,
        urn: urnOf(r),
        // As the policy server hands them over: reading a value unknown in preview throws.
        props: unknownCheckingProxy(r.props),
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        dependencies: [],
        propertyDependencies: {},
        isType: isType(r.type) as any,
        asType: ((cls: { __pulumiType?: string }) => (isType(r.type)(cls) ? r.props : undefined)) as any,
    };
}

/** The violations a policy reports for these resources (each resource, or the stack at once). */
export async function violations(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    resources: PlainResource[],
    config: Record<string, unknown> = {},
): Promise<string[]> {
    const found: string[] = [];
    const report = (message: string) => found.push(message);
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };
    const getConfig = (() => configOf(policy, config)) as any;
    try {
        if ("validateStack" in policy) {
            const args: StackValidationArgs = { resources: resources.map(policyResource), getConfig, notApplicable, stackTags: new Map() };
            await policy.validateStack(args, report);
        } else {
            const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const r of resources) {
                const args = { ...policyResource(r), getConfig, notApplicable, stackTags: new Map() } as unknown as ResourceValidationArgs;
                for (const validate of validations) {
                    await Promise.resolve()
                        .then(() => validate?.(args, report))
                        .catch((err) => {
                            if (err instanceof UnknownValueError) {
                                found.push(`can't run ${policy.name} on ${r.name} during preview: ${(err as Error).message}`);
                            } else if (!(err instanceof NotApplicable)) {
                                throw err;
                            }
                        });
                }
            }
        }
    } catch (err) {
        if (err instanceof UnknownValueError) {
            // What the policy server reports then, instead of running the rule.
            found.push(`can't run ${policy.name} during preview: ${(err as Error).message}`);
        } else if (!(err instanceof NotApplicable)) {
            throw err;
        }
    }
    return found;
}

/** The program's resources as a policy sees them in preview: their inputs, secrets unwrapped. */
export async function happyPath(): Promise<PlainResource[]> {
    return plainResources(await runProgram());
}

/** A run's custom resources with their inputs, as a policy sees them. */
const plainResources = (run: ProgramRun): PlainResource[] =>
    run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: r.inputs ?? {} }));

/** What every rule of the policy pack finds wrong in a run. */
export async function packViolations(run: ProgramRun): Promise<string[]> {
    return (await Promise.all(POLICIES.map((p) => violations(p, plainResources(run))))).flat();
}

/** The engine's sentinel for a value not known until the update (pulumi-policy's unknownStringValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function withUnknowns(value: any): any {
    if (Array.isArray(value)) {
        return value.map(withUnknowns);
    }
    if (value && typeof value === "object") {
        return pulumi.isUnknown(value) ? UNKNOWN : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnknowns(v)]));
    }
    return value;
}

/** The program's resources as a policy sees them in `pulumi preview` of a new stack: computed values unknown. */
export async function previewPath(config: Record<string, string> = {}): Promise<PlainResource[]> {
    const run = await runProgram({ preview: true, config });
    return run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, props: withUnknowns(r.inputs ?? {}) }));
}

/** A copy of `resources` in which the resource `name` has its props changed by `change`. */
export function changed(resources: PlainResource[], name: string, change: (props: Record<string, any>) => void): PlainResource[] {
    return resources.map((r) => {
        if (r.name !== name) {
            return r;
        }
        const props = structuredClone(r.props);
        change(props);
        return { ...r, props };
    });
}
