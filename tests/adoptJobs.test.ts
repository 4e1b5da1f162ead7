// adopt and the jobs that use Vault: each taken from the source Nomad keeps of it, with the role it
// logs in with and its namespace; each it cannot take as it is listed with the reason, the rest
// adopted all the same.
import * as assert from "assert";
import { renderGrants } from "../components/jobVaultRole";
import { EXIT } from "../automation/exitCodes";
import { roleDrift } from "../verify/roleMeaning";
import { ProgramRun } from "../tools/programRecorder";
import { Adopted, adoptCluster, runAdopted, unsetButHeld, vaultData, vaultFields } from "./adoptHarness";
import { FakeCluster, NOMAD_SETUP_VAULT, startFakeCluster } from "./fakeCluster";
import { World } from "./fakeStack";

/** A job's source: one task reading `secret` through `vault` (an HCL block body), in `namespace`. */
function jobspec(id: string, options: { namespace?: string; vault?: string; secret?: string; variables?: string } = {}): string {
    const template = options.secret
        ? `
      template {
        data        = "TOKEN={{with secret \\"${options.secret}\\"}}{{.Data.data.token}}{{end}}"
        destination = "secrets/env"
        env         = true
      }`
        : "";
    return `${options.variables ?? ""}job "${id}" {${options.namespace ? `\n  namespace = "${options.namespace}"` : ""}
  group "${id}" {
    task "${id}" {
      driver = "docker"

      vault {${options.vault ?? ""}}${template}
    }
  }
}
`;
}

const template = (secret: string) => `TOKEN={{with secret "${secret}"}}{{.Data.data.token}}{{end}}`;
type FakeJob = World["jobs"][number];

/** A job of the fake Nomad and the source it keeps. */
const job = (id: string, fields: Partial<FakeJob>, source?: string): FakeJob => ({
    ID: id,
    Namespace: "default",
    ...fields,
    ...(source ? { Submission: { Source: source } } : {}),
});

describe("adopt, the jobs", function () {
    this.timeout(60_000);
    let cluster: FakeCluster;
    let adopted: Adopted;
    let document: any;
    let run: ProgramRun;
    const byName = (name: string) => run.resources.find((r) => r.name === name)!;
    const reasonOf = (id: string) => document.leftOut.find((l: { job: string }) => l.job === id)?.reason;

    before(async () => {
        cluster = await startFakeCluster(NOMAD_SETUP_VAULT);
        const { world } = cluster;
        const reporterSecret = "secret/data/team/reporter/config";
        world.namespaces = [
            { Name: "team", Description: "Team A's jobs" },
            { Name: "ops", Description: "", Meta: { owner: "ops" } },
        ];
        world.jobRoles = {
            "reporter-db": {
                policy: renderGrants([{ path: reporterSecret, capabilities: ["read"] }]),
                role: {
                    ...world.role!,
                    bound_claims: { nomad_job_id: "reporter", nomad_namespace: "team" },
                    token_policies: ["reporter-db"],
                },
            },
            "wide-open": {
                policy: renderGrants([{ path: "secret/data/shared", capabilities: ["read"] }]),
                role: { ...world.role!, token_policies: ["wide-open"] },
            },
        };
        world.jobs.push(
            job(
                "reporter",
                { Namespace: "team", Role: "reporter-db", Templates: [template(reporterSecret)] },
                jobspec("reporter", { namespace: "team", vault: '\n        role = "reporter-db"\n      ', secret: reporterSecret }),
            ),
            job("explicit", { Role: "nomad-workloads" }, jobspec("explicit", { vault: '\n        role = "nomad-workloads"\n      ' })),
            job("versioned", { Version: 3 }, jobspec("versioned", { variables: 'variable "image" {\n  type = string\n}\n\n' })),
            job("web", {}),
            job("nightly/periodic-1700000000", { ParentID: "nightly" }, jobspec("nightly")),
            job("legacy", { Submission: { Source: '{"Job": {}}', Format: "json" } }),
            job("filed", { Submission: { Source: jobspec("filed"), Variables: 'image = "busybox"' } }),
            job("audit", { Namespace: "ops" }, jobspec("audit", { namespace: "ops" })),
            job("shared", { Role: "wide-open" }, jobspec("shared", { vault: '\n        role = "wide-open"\n      ' })),
            job(
                "reader",
                { Templates: [template("secret/data/elsewhere/config")] },
                jobspec("reader", { secret: "secret/data/elsewhere/config" }),
            ),
            job("api", { Namespace: "team" }, jobspec("api", { namespace: "team" })),
        );
        const versioned = world.jobs.find((j) => j.ID === "versioned")!;
        versioned.Submission = { ...versioned.Submission!, VariableFlags: { image: "busybox:1.36" } };
        adopted = await adoptCluster(cluster, ["--json"]);
        document = JSON.parse(adopted.result.out);
        run = await runAdopted(adopted, cluster);
    });
    after(() => cluster.close());

    it("adopts the jobs it can take, whatever the others", () => {
        assert.deepStrictEqual(
            [adopted.result.code, document.workloads],
            [EXIT.ok, ["default/api", "team/reporter", "default/explicit", "default/versioned"]],
        );
    });
    it("leaves out a job whose source Nomad does not keep, saying so and how to fix it", () => {
        assert.match(
            reasonOf("default/web"),
            /^Nomad keeps no source of its version 0 \(HTTP 404 job source not found\): it was registered without one .* Resubmit it with `nomad job run`, then adopt again\.$/,
        );
    });
    it("leaves out a periodic or dispatched child, which Nomad runs from its parent", () => {
        assert.strictEqual(
            reasonOf("default/nightly/periodic-1700000000"),
            "a periodic or dispatched child of nightly: Nomad runs it from its parent.",
        );
    });
    it("leaves out a job submitted as JSON", () => {
        assert.match(reasonOf("default/legacy"), /^submitted as json; the program registers HCL2 jobspecs/);
    });
    it("leaves out a job submitted with a variables file", () => {
        assert.match(reasonOf("default/filed"), /^submitted with a variables file \(-var-file\)/);
    });
    it("leaves out a job in a namespace with more than a description", () => {
        assert.strictEqual(
            reasonOf("ops/audit"),
            "its namespace ops has Meta, which the program cannot express (it writes a namespace's description).",
        );
    });
    it("leaves out a job whose role binds no claims of it", () => {
        assert.match(
            reasonOf("default/shared"),
            /^its role wide-open differs from what the program writes for a job's role: bound_claims is null, where the program writes \{"nomad_namespace":"default","nomad_job_id":"shared"\}\.$/,
        );
    });
    it("leaves out a job the guardrail refuses, with the guardrail's words", () => {
        assert.match(
            reasonOf("default/reader"),
            /^jobspec: task reader reads secret\/data\/elsewhere\/config, which the templated policy of nomad-workloads does not let job reader read/,
        );
    });
    it("leaves out the second of two jobs with one ID in two namespaces", () => {
        assert.match(reasonOf("team/api"), /^jobspec: job api also runs in namespace default/);
    });
    it("takes a job's own role with the grants of its policy", () => {
        const reporter = (adopted.config["vaultnomad:workloads"] as any[]).find((w) => w.namespace === "team");
        assert.deepStrictEqual(reporter.role, {
            name: "reporter-db",
            grants: [{ path: "secret/data/team/reporter/config", capabilities: ["read"] }],
        });
    });
    it("writes that role as the cluster holds it, field by field, and its policy to the byte", async () => {
        const held = await vaultData(cluster, "auth/jwt-nomad/role/reporter-db");
        const program = vaultFields(byName("reporter-db-role"), ["backend", "roleName"]);
        const policy = await vaultData(cluster, "sys/policies/acl/reporter-db");
        assert.deepStrictEqual(
            [roleDrift(held, program), unsetButHeld(held, program), byName("reporter-db-policy").inputs!.policy],
            [[], [], policy.policy],
        );
    });
    it("imports the role, its policy, the job and its namespace, with their IDs", () => {
        const ids = Object.fromEntries(adopted.imports.resources.filter((r) => r.id).map((r) => [r.logicalName ?? r.name, r.id]));
        assert.deepStrictEqual(
            [ids["reporter-db-policy"], ids["reporter-db-role"], ids["reporter-job"], ids["jobs-namespace-team"]],
            ["reporter-db", "auth/jwt-nomad/role/reporter-db", "reporter@team", "team"],
        );
    });
    it("writes the namespace's description, as the program then writes it", () => {
        assert.deepStrictEqual(
            [adopted.config["vaultnomad:namespaces"], byName("jobs-namespace-team").inputs!.description],
            [{ team: { description: "Team A's jobs" } }, "Team A's jobs"],
        );
    });
    it("takes a job that names the default role in its vault block as on the default role", () => {
        const explicit = (adopted.config["vaultnomad:workloads"] as any[]).find((w) => /job "explicit"/.test(w.source));
        assert.deepStrictEqual(
            [explicit.role, byName("explicit-job").inputs!.jobspec.includes('role = "nomad-workloads"')],
            [undefined, true],
        );
    });
    it("reads the source of the job's current version, and its variables", () => {
        const versioned = byName("versioned-job").inputs!;
        assert.deepStrictEqual(
            [versioned.jobspec.startsWith('variable "image"'), versioned.hcl2],
            [true, { vars: { image: "busybox:1.36" } }],
        );
    });
    it("imports nothing of the jobs it leaves out", () => {
        const left = ["web", "legacy", "filed", "audit", "shared", "reader", "wide-open", "jobs-namespace-ops"];
        assert.deepStrictEqual(
            adopted.imports.resources.filter((r) => left.some((name) => (r.logicalName ?? r.name).startsWith(name))),
            [],
        );
    });
});
