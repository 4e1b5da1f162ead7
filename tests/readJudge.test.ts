// A task's requests judged for a token, and how verify and the guardrail tell a denied one: the rule that
// decided with its policies, and a fix that never adds beside a deny.
import * as assert from "assert";
import { roleToken, secretRead } from "../policy/kvReads";
import { accessorsIn, judgeTask, ownKvMount, programIdentity, ReadVerdict } from "../policy/readJudge";
import { tokenAcl } from "../policy/vaultAcl";
import { ownValueClaims } from "../verify/jobReads";
import { verdictFix, verdictShown } from "../verify/readMessages";

const path = (p: string, capabilities: string) => `path "${p}" {\n  capabilities = ${capabilities}\n}\n`;
const TEMPLATED = path("kv/data/{{identity.entity.aliases.auth_jwt_1.metadata.nomad_namespace}}/*", '["read"]');
/** The one verdict on the template `secret` read of `at`, for a token holding `policies`. */
const verdictOn = (at: string, policies: Array<[string, string]>): ReadVerdict =>
    judgeTask(
        tokenAcl(
            policies.map(([name, text]) => ({ name, text })),
            programIdentity(["auth_jwt_1"], { namespace: "default", id: "web" }),
        ),
        { Templates: [{ EmbeddedTmpl: `{{ with secret "${at}" }}{{ end }}` }] },
        ownKvMount("kv"),
    )[0];

describe("a read judged for a token", () => {
    describe("judgeTask", () => {
        it("judges the path Vault receives, data/ inserted on the stack's KV v2 mount", () => {
            assert.strictEqual(verdictOn("kv/default/web/config", [["web", TEMPLATED]]).request.path, "kv/data/default/web/config");
        });
        it("leaves a path on a KV v1 mount as written", () => {
            const [verdict] = judgeTask(
                tokenAcl([]),
                { Templates: [{ EmbeddedTmpl: '{{ with secret "kv/a" }}{{ end }}' }] },
                ownKvMount("kv", 1),
            );
            assert.strictEqual(verdict.request.path, "kv/a");
        });
        it("leaves out a request whose path the template computes", () => {
            const verdicts = judgeTask(
                tokenAcl([]),
                { Templates: [{ EmbeddedTmpl: '{{ with secret (env "P") }}{{ end }}' }] },
                ownKvMount("kv"),
            );
            assert.deepStrictEqual(verdicts, []);
        });
        it("judges a write for update", () => {
            const [verdict] = judgeTask(
                tokenAcl([{ name: "pki", text: path("pki/issue/nomad", '["update"]') }]),
                { Templates: [{ EmbeddedTmpl: '{{ with secret "pki/issue/nomad" "common_name=a" }}{{ end }}' }] },
                ownKvMount("kv"),
            );
            assert.deepStrictEqual([verdict.request.capability, verdict.explanation.granted], ["update", true]);
        });
    });

    describe("the program's identity and mounts", () => {
        it("renders a templated rule for the job on every accessor the policy names", () => {
            assert.deepStrictEqual(accessorsIn(`${TEMPLATED}${TEMPLATED.replace("auth_jwt_1", "auth_jwt_2")}${TEMPLATED}`), [
                "auth_jwt_1",
                "auth_jwt_2",
            ]);
        });
        it("maps the task into nomad_task when it is known", () => {
            assert.deepStrictEqual(programIdentity(["a"], { namespace: "n", id: "j" }, "t").entity!.aliases![0].metadata, {
                nomad_namespace: "n",
                nomad_job_id: "j",
                nomad_task: "t",
            });
        });
        it("leaves nomad_task out when the task is not known", () => {
            assert.deepStrictEqual(programIdentity(["a"], { namespace: "n", id: "j" }).entity!.aliases![0], {
                mountAccessor: "a",
                name: "j",
                metadata: { nomad_namespace: "n", nomad_job_id: "j" },
            });
        });
        it("knows no KV mount for a path outside the stack's", () => {
            assert.deepStrictEqual([ownKvMount("kv")("kv/a"), ownKvMount("kv")("kvx/a")], [{ mount: "kv/", version: 2 }, undefined]);
        });
        it("signs vault_role for a task whose vault block names a role", () => {
            const task = { Name: "web", Vault: { Role: "web-role" } };
            assert.deepStrictEqual(ownValueClaims({ namespace: "default", id: "web" }, task), {
                nomad_namespace: "default",
                nomad_job_id: "web",
                nomad_task: "web",
                vault_role: "web-role",
            });
        });
        it("signs no vault_role for a task on the default role", () => {
            assert.strictEqual("vault_role" in ownValueClaims({ namespace: "default", id: "web" }, { Name: "web", Vault: {} }), false);
        });
    });

    describe("the pack's token of a role", () => {
        const texts = new Map<string, string | undefined>([
            ["web", TEMPLATED],
            ["pending", undefined],
        ]);
        it("leaves out a policy the stack does not write", () => {
            const role = roleToken(["web", "elsewhere"], texts)!;
            assert.strictEqual(secretRead(role, { namespace: "default", id: "web" }, "kv/data/default/x").readable, true);
        });
        it("is not known while one of its policies is unknown", () => {
            assert.strictEqual(roleToken(["web", "pending"], texts), undefined);
        });
        it("says why a secret is not readable, naming the rule", () => {
            const read = secretRead(roleToken(["web"], texts)!, { namespace: "team", id: "web" }, "kv/data/default/x");
            assert.deepStrictEqual([read.readable, read.reason], [false, 'no rule of policy web matches "kv/data/default/x"']);
        });
    });

    describe("verify's words", () => {
        const STALE = TEMPLATED.replace("auth_jwt_1", "auth_jwt_0");
        it("counts the templated rules Vault leaves out, with their policies and reasons", () => {
            const verdict = verdictOn("kv/data/default/a", [
                ["one", STALE],
                ["two", STALE.replace("metadata.nomad_namespace", "metadata.missing")],
            ]);
            assert.strictEqual(
                verdictShown(verdict),
                'read kv/data/default/a: no rule of policies one, two matches "kv/data/default/a"; Vault leaves 2 templated rule(s) of one, two out of this token (alias not found)',
            );
        });
        it("tells how to have Vault render the templated rules it leaves out, naming their policies and reasons", () => {
            const verdict = verdictOn("kv/data/default/a", [
                ["one", STALE],
                ["two", TEMPLATED.replace("metadata.nomad_namespace", "metadata.missing")],
            ]);
            assert.strictEqual(
                verdictFix(verdict, "web", ["kv/data/default/web/*"]),
                "role web: Vault leaves templated rules of one, two out of this job's token (alias not found; no value could be found for one of the template directives): render the policy for the JWT mount's current accessor (see accessor-drift), and map the claims it names in the role's claim_mappings",
            );
        });
        it("counts the templated rules left out for different reasons", () => {
            const verdict = verdictOn("kv/data/default/a", [
                ["one", STALE],
                ["two", TEMPLATED.replace("metadata.nomad_namespace", "metadata.missing")],
            ]);
            assert.match(
                verdictShown(verdict),
                /; Vault leaves 2 templated rule\(s\) of one, two out of this token \(alias not found; no value could be found for one of the template directives\)$/,
            );
        });
        it("leaves out of its words the templated rules that could not match the path, as the default policy's", () => {
            const verdict = verdictOn("kv/data/other/a", [
                ["default", path("identity/entity/id/{{identity.entity.id}}", '["read"]')],
                ["web", TEMPLATED],
            ]);
            assert.deepStrictEqual(
                [verdictShown(verdict), verdictFix(verdict, "web", [])],
                [
                    'read kv/data/other/a: no rule of policies default, web matches "kv/data/other/a"',
                    'role web: grant "read" on "kv/data/other/a" in one of the token\'s policies',
                ],
            );
        });
        it("names every policy whose deny decides, and asks for no grant beside it", () => {
            const deny = path("kv/data/default/*", '["deny"]');
            const verdict = verdictOn("kv/data/default/a", [
                ["freeze", deny],
                ["incident", deny],
            ]);
            assert.strictEqual(
                verdictFix(verdict, "web", []),
                '"kv/data/default/*" denies in policies freeze, incident, and a deny wins over every grant on its path: the read works only once role web no longer holds that deny, or the secret lives where no deny applies',
            );
        });
        it("names the paths the role grants the job where no rule matches", () => {
            const verdict = verdictOn("kv/data/other/a", [["web", TEMPLATED]]);
            assert.strictEqual(
                verdictFix(verdict, "web", ["kv/data/default/web", "kv/data/default/web/*"]),
                'role web: grant "read" on "kv/data/other/a" in one of the token\'s policies, or move the secret under a path role web grants this job (kv/data/default/web, kv/data/default/web/*)',
            );
        });
        it("names no path to move to when the role grants the job none", () => {
            const verdict = verdictOn("kv/data/other/a", [["web", TEMPLATED]]);
            assert.strictEqual(
                verdictFix(verdict, "web", []),
                'role web: grant "read" on "kv/data/other/a" in one of the token\'s policies',
            );
        });
        it("adds the capability to the rule that decides without it, naming no path to move to", () => {
            const verdict = verdictOn("kv/data/default/a", [["web", path("kv/data/default/a", '["list"]')]]);
            assert.strictEqual(
                verdictFix(verdict, "web", ["kv/data/default/web/*"]),
                'role web: add "read" to "kv/data/default/a" in policy web: an exact rule decides its path alone',
            );
        });
    });
});
