// A parsed jobspec's tasks (policy/hcl.ts parseHcl) in the shape Nomad's API returns them, for what asks Vault:
// templates with their delimiters, and secret blocks, inherited from the job and the group as jobspec2 does.
import { NomadSecret, NomadTask } from "./vaultRequests";

export interface JobspecTask {
    readonly job: string;
    readonly namespace: string;
    readonly group: string;
    readonly task: NomadTask;
}

type Blocks = Record<string, Array<Record<string, any>>>;

export function jobspecTasks(parsed: Record<string, any>): JobspecTask[] {
    const found: JobspecTask[] = [];
    for (const [job, jobBlocks] of Object.entries((parsed.job ?? {}) as Blocks)) {
        for (const jobBlock of jobBlocks) {
            for (const [group, groupBlocks] of Object.entries((jobBlock.group ?? {}) as Blocks)) {
                for (const groupBlock of groupBlocks) {
                    for (const [name, taskBlocks] of Object.entries((groupBlock.task ?? {}) as Blocks)) {
                        for (const body of taskBlocks) {
                            const task = {
                                Name: name,
                                Templates: templates(body),
                                Secrets: inherited(secrets(jobBlock), secrets(groupBlock), secrets(body)),
                            };
                            found.push({ job, namespace: jobBlock.namespace ?? "default", group, task });
                        }
                    }
                }
            }
        }
    }
    return found;
}

/**
 * jobspec2 (hcl_conversions.go, parse_job.go): the job's secret blocks follow every task's own; the group's go to the
 * tasks that have none. (A task with its own gets those twice instead, and Nomad refuses the job: "Duplicate secret".)
 */
function inherited(job: NomadSecret[], group: NomadSecret[], own: NomadSecret[]): NomadSecret[] {
    return [...(own.length > 0 ? own : group), ...job];
}

function secrets(block: Record<string, any>): NomadSecret[] {
    return Object.entries((block.secret ?? {}) as Blocks).flatMap(([Name, blocks]) =>
        blocks.map((secret) => ({ Name, Provider: secret.provider ?? "", Path: secret.path ?? "", Config: secret.config?.[0] ?? null })),
    );
}

/** Delimiters as Nomad's API fills them in (api/tasks.go Template.Canonicalize). */
function templates(body: Record<string, any>): NonNullable<NomadTask["Templates"]> {
    return ((body.template ?? []) as Array<Record<string, string | undefined>>).map((template) => ({
        EmbeddedTmpl: template.data ?? "",
        LeftDelim: template.left_delimiter ?? "{{",
        RightDelim: template.right_delimiter ?? "}}",
    }));
}
