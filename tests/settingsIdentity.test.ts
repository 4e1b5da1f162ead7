// The keys that say how Vault reads Nomad's identities (jwtSupportedAlgs, claimMappings,
// jwtAuthDescription), the namespaces key, durations written back as text, and external mode's
// needs for workloads (a Nomad token) and its KV mount (createKvMount).
import * as assert from "assert";
import { ConfigError, durationText, loadSettings, parseDuration, Settings } from "../settings";
import { claimMappingsText, readAlgs, readClaimMappings } from "../settings/identity";
import { readNamespaces } from "../settings/namespaces";
import { WorkloadSpec } from "../settings/workloads";

const fq = (config: Record<string, string>) => Object.fromEntries(Object.entries(config).map(([k, v]) => [`vaultnomad:${k}`, v]));
const EXTERNAL = { mode: "external", vaultAddress: "https://v:8200", vaultToken: "t", nomadAddress: "https://n:4646" };
const WORKER = JSON.stringify([{ jobspec: "tests/fixtures/workloads/worker.nomad.hcl", namespace: "team" }]);

const load = (config: Record<string, string>): Settings => loadSettings(fq(config), "prod", {});
function problemsOf(config: Record<string, string>): string[] {
    try {
        load(config);
        return [];
    } catch (err) {
        assert.ok(err instanceof ConfigError, `not a ConfigError: ${err}`);
        return err.problems;
    }
}
const problems = (read: (p: string[]) => unknown): string[] => {
    const found: string[] = [];
    read(found);
    return found;
};

describe("identity keys", () => {
    describe("jwtSupportedAlgs", () => {
        it("defaults to the tutorial's RS256 and EdDSA, in that order", () => {
            assert.deepStrictEqual(load({}).jwtSupportedAlgs, ["RS256", "EdDSA"]);
        });
        it("keeps the order given, as Vault does (nomad setup vault writes EdDSA first)", () => {
            assert.deepStrictEqual(readAlgs(" EdDSA , RS256", []), ["EdDSA", "RS256"]);
        });
        it("refuses an algorithm Vault does not know, listing those it does", () => {
            assert.deepStrictEqual(
                problems((p) => readAlgs("RS256,HS256,none", p)),
                [
                    'vaultnomad:jwtSupportedAlgs: "HS256", "none": Vault accepts RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA.',
                ],
            );
        });
        it("refuses an algorithm named twice", () => {
            assert.deepStrictEqual(
                problems((p) => readAlgs("RS256,EdDSA,RS256", p)),
                ['vaultnomad:jwtSupportedAlgs: "RS256,EdDSA,RS256" names an algorithm twice.'],
            );
        });
        it("refuses a list without either algorithm Nomad signs with", () => {
            assert.deepStrictEqual(
                problems((p) => readAlgs("ES256,PS256", p)),
                ['vaultnomad:jwtSupportedAlgs: "ES256,PS256": Nomad signs identities with RS256 or EdDSA; accept at least one of them.'],
            );
        });
        it("accepts EdDSA alone, and RS256 alone", () => {
            assert.deepStrictEqual([problems((p) => readAlgs("EdDSA", p)), problems((p) => readAlgs("RS256", p))], [[], []]);
        });
    });

    describe("claimMappings", () => {
        it("defaults to the tutorial's three claims, each to its own name", () => {
            assert.deepStrictEqual(load({}).claimMappings, {
                nomad_namespace: "nomad_namespace",
                nomad_job_id: "nomad_job_id",
                nomad_task: "nomad_task",
            });
        });
        it("maps claim=name to another metadata name, and a bare claim to its own", () => {
            assert.deepStrictEqual(readClaimMappings("nomad_namespace, nomad_job_id ,nomad_group = group", []), {
                nomad_namespace: "nomad_namespace",
                nomad_job_id: "nomad_job_id",
                nomad_group: "group",
            });
        });
        it("refuses an item that is neither claim nor claim=name", () => {
            assert.deepStrictEqual(
                problems((p) => readClaimMappings("nomad_namespace,nomad_job_id,a=b=c,=x,y=,two words", p)),
                [
                    'vaultnomad:claimMappings: "a=b=c" is neither a claim nor claim=metadata.',
                    'vaultnomad:claimMappings: "=x" is neither a claim nor claim=metadata.',
                    'vaultnomad:claimMappings: "y=" is neither a claim nor claim=metadata.',
                    'vaultnomad:claimMappings: "two words" is neither a claim nor claim=metadata.',
                ],
            );
        });
        it("refuses a claim mapped twice", () => {
            assert.deepStrictEqual(
                problems((p) => readClaimMappings("nomad_namespace,nomad_job_id,nomad_task,nomad_task=task", p)),
                ["vaultnomad:claimMappings: maps the claim nomad_task twice."],
            );
        });
        it("refuses mappings without the metadata the templated policy reads", () => {
            assert.deepStrictEqual(
                problems((p) => readClaimMappings("nomad_namespace=ns,nomad_task", p)),
                [
                    "vaultnomad:claimMappings: the templated policy reads the alias metadata nomad_namespace: map the claim nomad_namespace to it.",
                    "vaultnomad:claimMappings: the templated policy reads the alias metadata nomad_job_id: map the claim nomad_job_id to it.",
                ],
            );
        });
        it("writes a map back as the text it reads", () => {
            const mappings = { nomad_namespace: "nomad_namespace", nomad_job_id: "nomad_job_id", nomad_group: "group" };
            assert.deepStrictEqual(
                [claimMappingsText(mappings), readClaimMappings(claimMappingsText(mappings), [])],
                ["nomad_namespace,nomad_job_id,nomad_group=group", mappings],
            );
        });
    });

    describe("jwtAuthDescription", () => {
        it("is none unless set", () => {
            assert.deepStrictEqual(
                [load({}).jwtAuthDescription, load({ jwtAuthDescription: "JWT auth backend for Nomad" }).jwtAuthDescription],
                [undefined, "JWT auth backend for Nomad"],
            );
        });
    });

    describe("durations written back", () => {
        const cases: Array<[number, string]> = [
            [1800, "30m"],
            [3600, "1h"],
            [5400, "1h30m"],
            [3661, "1h1m1s"],
            [90, "1m30s"],
            [45, "45s"],
            [0, "0s"],
        ];
        cases.forEach(([seconds, text]) => {
            it(`${seconds} s as ${text}, which parseDuration reads back`, () => {
                assert.deepStrictEqual([durationText(seconds), parseDuration(durationText(seconds))], [text, seconds]);
            });
        });
    });
});

describe("external mode with workloads", () => {
    it("needs a Nomad token, which registers the jobs", () => {
        assert.deepStrictEqual(problemsOf({ ...EXTERNAL, workloads: WORKER }), [
            "vaultnomad:nomadToken: workloads need a Nomad token that may register jobs and namespaces. Fix: pulumi config set --secret nomadToken …, or export NOMAD_TOKEN.",
        ]);
    });
    it("accepts them with a Nomad token", () => {
        assert.deepStrictEqual(load({ ...EXTERNAL, nomadToken: "n", workloads: WORKER }).workloads.length, 1);
    });
    it("names both needs of the token when the Nomad secrets engine is asked for too", () => {
        assert.deepStrictEqual(problemsOf({ ...EXTERNAL, nomadSecretsEngine: "true", workloads: WORKER }).length, 2);
    });
    it("leaves the KV mount to the cluster unless createKvMount is set", () => {
        assert.deepStrictEqual([load(EXTERNAL).createKvMount, load({ ...EXTERNAL, createKvMount: "true" }).createKvMount], [false, true]);
    });
    it("refuses createKvMount in demo mode, which always creates its KV mount", () => {
        assert.deepStrictEqual(problemsOf({ createKvMount: "true" }), [
            "vaultnomad:createKvMount is used only in external mode; this stack is in demo mode. Fix: pulumi config rm createKvMount",
        ]);
    });
});

describe("the namespaces key", () => {
    const workload = (namespace: string) => ({ namespace }) as WorkloadSpec;
    const read = (value: unknown, namespaces = ["team"]) => {
        const found: string[] = [];
        const result = readNamespaces(typeof value === "string" ? value : JSON.stringify(value), namespaces.map(workload), found);
        return { result, problems: found };
    };

    it("is empty when unset", () => {
        assert.deepStrictEqual(
            [read(undefined as unknown as string), readNamespaces(undefined, [], [])],
            [{ result: {}, problems: [] }, {}],
        );
    });
    it("gives each namespace a workload runs in its description", () => {
        assert.deepStrictEqual(read({ team: { description: "Team A's jobs" } }), {
            result: { team: { description: "Team A's jobs" } },
            problems: [],
        });
    });
    it("refuses what is not a map, pointing to structured config", () => {
        const message = "vaultnomad:namespaces: must map namespace names to { description }, as structured config (see docs/workloads.md).";
        assert.deepStrictEqual([read("team").problems, read(["team"]).problems], [[message], [message]]);
    });
    it("refuses a namespace no workload runs in", () => {
        assert.deepStrictEqual(read({ ops: { description: "x" } }), {
            result: {},
            problems: ["vaultnomad:namespaces.ops: no workload runs in namespace ops; remove it."],
        });
    });
    it("refuses the default namespace, which the program never creates", () => {
        assert.deepStrictEqual(read({ default: { description: "x" } }, ["default"]).problems, [
            "vaultnomad:namespaces.default: the program never creates the default namespace, which every cluster has; remove it.",
        ]);
    });
    it("refuses an entry without a text description, or with other fields", () => {
        assert.deepStrictEqual(
            [read({ team: "x" }).problems, read({ team: { description: 7 } }).problems, read({ team: { description: "x", quota: "q" } })],
            [
                ['vaultnomad:namespaces.team: must be { description: "…" }.'],
                ['vaultnomad:namespaces.team: must be { description: "…" }.'],
                { result: {}, problems: ["vaultnomad:namespaces.team: quota: unknown field; a namespace has description."] },
            ],
        );
    });
    it("is read with the workloads when the stack loads", () => {
        const settings = load({
            ...EXTERNAL,
            nomadToken: "n",
            workloads: WORKER,
            namespaces: JSON.stringify({ team: { description: "Team" } }),
        });
        assert.deepStrictEqual(settings.namespaces, { team: { description: "Team" } });
    });
});

describe("PEM keys", () => {
    const PEM = "-----BEGIN CERTIFICATE-----\nMIIBnomadCA\n-----END CERTIFICATE-----\n";
    it("keep their text as given, trailing newline included, which Vault stores as it is", () => {
        const settings = load({
            ...EXTERNAL,
            nomadCaPem: PEM,
            nomadClientCertPem: PEM,
            nomadClientKeyPem: PEM.replace(/CERTIFICATE/g, "PRIVATE KEY"),
        });
        assert.deepStrictEqual(
            [settings.nomad?.caPem, settings.nomad?.clientCertPem, settings.nomad?.clientKeyPem?.endsWith("-----\n")],
            [PEM, PEM, true],
        );
    });
    it("while other text is trimmed", () => {
        assert.strictEqual(load({ ...EXTERNAL, nomadRegion: " eu \n" }).nomad?.region, "eu");
    });
});
