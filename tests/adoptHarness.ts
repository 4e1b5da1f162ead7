// adopt run against a fake cluster, and what it wrote read back: for tests/adopt*.test.ts.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { request } from "../verify/http";
import { roleDrift } from "../verify/roleMeaning";
import { ProgramRun, RecordedResource, runProgram } from "../tools/programRecorder";
import { drive, Run, tempProject } from "./driverHarness";
import { FakeCluster, readBack } from "./fakeCluster";
import { FakeStacks } from "./fakeStackStore";

export interface Adopted {
    readonly result: Run;
    readonly project: string;
    /** Pulumi.prod.yaml's config, by fully qualified key, and import-prod.json. */
    readonly config: Record<string, unknown>;
    readonly imports: { nameTable: Record<string, string>; resources: Array<Record<string, any>> };
}

/** adopt --stack prod against the cluster, in a project folder of its own. */
export async function adoptCluster(
    cluster: FakeCluster,
    args: string[] = [],
    overrides: Parameters<typeof drive>[1] = {},
): Promise<Adopted> {
    const project = tempProject();
    const result = await drive(["adopt", "--stack", "prod", ...args], { env: cluster.env, projectDir: project, ...overrides });
    const read = (file: string) => fs.readFileSync(path.join(project, file), "utf8");
    const written = fs.existsSync(path.join(project, "Pulumi.prod.yaml"));
    return {
        result,
        project,
        config: written ? (yaml.load(read("Pulumi.prod.yaml")) as { config: Record<string, unknown> }).config : {},
        imports: written ? JSON.parse(read("import-prod.json")) : { nameTable: {}, resources: [] },
    };
}

/** The configuration as Pulumi hands it to the program: by short key, structured values as JSON. */
export const shortConfig = (config: Record<string, unknown>) =>
    Object.fromEntries(
        Object.entries(config).map(([key, value]) => [
            key.replace(/^vaultnomad:/, ""),
            typeof value === "string" ? value : JSON.stringify(value),
        ]),
    );

/** The adopted configuration run through the program, with the tokens the stack takes from the environment. */
export const runAdopted = (adopted: Adopted, cluster: FakeCluster): Promise<ProgramRun> =>
    runProgram({
        stack: "prod",
        config: { ...shortConfig(adopted.config), vaultToken: cluster.env.VAULT_TOKEN, nomadToken: cluster.env.NOMAD_TOKEN },
    });

/** What the cluster holds at a Vault path, as Vault answers it. */
export async function vaultData(cluster: FakeCluster, apiPath: string): Promise<Record<string, any>> {
    const reply = await request(`${cluster.env.VAULT_ADDR}/v1/${apiPath}`, { headers: { "X-Vault-Token": cluster.env.VAULT_TOKEN } });
    return JSON.parse(reply.body).data;
}

/** A resource's inputs in Vault's field names (roleType → role_type), without the fields that name it. */
export function vaultFields(resource: RecordedResource, naming: string[]): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(resource.inputs!)
            .filter(([key, value]) => !naming.includes(key) && value !== undefined)
            .map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]),
    );
}

/**
 * The fields of a role Vault holds that the program's inputs do not set, and that differ from what
 * Vault reads back for a role written without them (tests/fakeCluster.ts readBack).
 */
export function unsetButHeld(held: Record<string, unknown>, program: Record<string, unknown>): string[] {
    const unset = readBack({});
    return Object.keys(held).filter(
        (field) => !(field in program) && roleDrift({ [field]: held[field] }, { [field]: unset[field] }).length > 0,
    );
}

/** `import --stack prod` in the project adopt wrote, over a stack store of its own that reads the stack file as a workspace does. */
export async function importAdopted(
    adopted: Adopted,
    cluster: FakeCluster,
    args: string[] = [],
    overrides: Parameters<typeof drive>[1] = {},
): Promise<{ result: Run; stacks: FakeStacks }> {
    const stacks = overrides.stacks ?? new FakeStacks(adopted.project);
    const result = await drive(["import", "--stack", "prod", ...args], {
        env: cluster.env,
        projectDir: adopted.project,
        ...overrides,
        stacks,
    });
    return { result, stacks };
}
