// The jobspecs, the agent configuration and the Vault policies, parsed with a real HCL parser
// and compared with the tutorial's own files.
import * as assert from "assert";
import { readProjectFile, renderTemplate } from "../components/assets";
import { resolveJobspec } from "../policy/hcl";
import { renderAgentConfig } from "../components/nomadDevAgent";
import { renderWorkloadsPolicy } from "../components/workloadIdentity";
import { ProgramRun, runProgram } from "../tools/programRecorder";
import { MOCK_ACCESSOR } from "../tools/mockState";
import { parseHcl, seedHcl } from "./seed";

const AGENT = {
    httpPort: 4646,
    rpcPort: 4647,
    serfPort: 4648,
    vaultAddress: "http://127.0.0.1:8200",
    jwtAuthPath: "jwt-nomad",
    audience: "vault.io",
    identityTtl: "1h",
    dataDir: "/tmp/vaultnomad/vaultnomad-dev/nomad",
};

/** The single task of a parsed jobspec. */
function task(job: Record<string, any>, jobName: string): Record<string, any> {
    const group = Object.values(job.job[jobName][0].group)[0] as any[];
    return (Object.values(group[0].task)[0] as any[])[0];
}

describe("HCL files", function () {
    this.timeout(60_000);
    let shared: Promise<ProgramRun> | undefined;
    /** One program run for the tests that read what the program registers. */
    const program = () => (shared ??= runProgram());

    describe("templated nomad-workloads policy", () => {
        it("is the tutorial's policy, placeholder for placeholder", async () => {
            const ours = renderTemplate(readProjectFile("components/assets/nomad-workloads.policy.hcl"), { KV_MOUNT: "kv" });
            assert.deepStrictEqual(await parseHcl(ours), await parseHcl(seedHcl("vault-policy-nomad-workloads.hcl")));
        });
        it("puts the accessor in all five places and leaves no placeholder", () => {
            const rendered = renderWorkloadsPolicy("auth_jwt_0123abcd");
            assert.deepStrictEqual([rendered.split("auth_jwt_0123abcd").length - 1, rendered.includes("AUTH_METHOD_ACCESSOR")], [5, false]);
        });
        it("keeps the tutorial's four path stanzas after rendering", async () => {
            const parsed = await parseHcl(renderWorkloadsPolicy("auth_jwt_0123abcd"));
            assert.strictEqual(Object.keys(parsed.path).length, 4);
        });
        it("is registered with the auth method's own accessor", async () => {
            const run = await program();
            const policy = run.ofType("vault:index/policy:Policy").find((p) => p.inputs!.name === "nomad-workloads")!;
            assert.strictEqual(policy.inputs!.policy, renderWorkloadsPolicy(MOCK_ACCESSOR));
        });
    });

    it("the mongo-dynamic-secret policy is the tutorial's", async () => {
        const run = await program();
        const ours = await parseHcl(run.one("vault:index/policy:Policy", "mongo-dynamic-secret-policy").inputs!.policy);
        assert.deepStrictEqual(ours, await parseHcl(seedHcl("vault-policy-mongo-dynamic-secret.hcl")));
    });

    describe("Nomad agent configuration", () => {
        let config: Record<string, any>;
        before(async () => {
            config = await parseHcl(renderAgentConfig(AGENT));
        });

        it("enables ACLs, as the tutorial's nomad.hcl", async () => {
            const seed = await parseHcl(seedHcl("nomad.hcl"));
            assert.deepStrictEqual(config.acl, seed.acl);
        });
        it("has the tutorial's vault block and default identity", async () => {
            const seed = await parseHcl(seedHcl("nomad.hcl"));
            const { jwt_auth_backend_path: _path, ...vault } = config.vault[0];
            assert.deepStrictEqual(vault, seed.vault[0]);
        });
        it("names the JWT auth path that Vault mounts", () => {
            assert.strictEqual(config.vault[0].jwt_auth_backend_path, "jwt-nomad");
        });
        it("listens on the stack's ports, on 127.0.0.1 only", () => {
            assert.deepStrictEqual([config.bind_addr, config.ports[0]], ["127.0.0.1", { http: 4646, rpc: 4647, serf: 4648 }]);
        });
        it("keeps its data where the docker driver can bind-mount it", () => {
            assert.strictEqual(config.data_dir, AGENT.dataDir);
        });
        it("leaves other stacks' task containers alone", () => {
            assert.strictEqual(config.plugin.docker[0].config[0].gc[0].dangling_containers[0].enabled, false);
        });
    });

    describe("jobspecs", () => {
        for (const [file, jobName] of [
            ["mongo.nomad.hcl", "mongo"],
            ["mongo-query.nomad.hcl", "mongo-query"],
        ]) {
            describe(file, () => {
                let ours: Record<string, any>;
                /** Ours as Nomad reads it with the variables' defaults, which are the tutorial's values. */
                let resolved: Record<string, any>;
                let seed: Record<string, any>;
                before(async () => {
                    ours = await parseHcl(readProjectFile(`jobs/${file}`));
                    resolved = await parseHcl(await resolveJobspec(readProjectFile(`jobs/${file}`)));
                    seed = await parseHcl(seedHcl(file));
                });

                it(`declares the job ${jobName}, in the namespace its variable names`, () => {
                    assert.deepStrictEqual([Object.keys(ours.job), ours.job[jobName][0].namespace], [[jobName], "${var.namespace}"]);
                });
                it("defaults to the tutorial's namespace", () => {
                    assert.strictEqual(resolved.job[jobName][0].namespace, seed.job[jobName][0].namespace);
                });
                it("has the tutorial's job type", () => {
                    assert.strictEqual(ours.job[jobName][0].type, seed.job[jobName][0].type);
                });
                it("reads Vault through the tutorial's vault block, with its defaults", () => {
                    assert.deepStrictEqual(task(resolved, jobName).vault, task(seed, jobName).vault);
                });
                it("renders the tutorial's template, byte for byte, with its defaults", () => {
                    assert.deepStrictEqual(task(resolved, jobName).template, task(seed, jobName).template);
                });
                it("runs the tutorial's command, with the image from a variable", () => {
                    const { image, network_mode: _mode, ...config } = task(ours, jobName).config[0];
                    const { image: _seedImage, ...seedConfig } = task(seed, jobName).config[0];
                    assert.deepStrictEqual([image, config], ["${var.mongo_image}", seedConfig]);
                });
                it("defaults its image variable to the tutorial's image", () => {
                    assert.strictEqual(ours.variable.mongo_image[0].default, task(seed, jobName).config[0].image);
                });
            });
        }

        it("mongo publishes its port from a variable that defaults to the tutorial's", async () => {
            const ours = await parseHcl(readProjectFile("jobs/mongo.nomad.hcl"));
            const port = ours.job.mongo[0].group.db[0].network[0].port.db[0];
            assert.deepStrictEqual([port.static, port.to, ours.variable.mongo_port[0].default], ["${var.mongo_port}", 27017, 27017]);
        });
        it("mongo registers the tutorial's service", async () => {
            const ours = await parseHcl(readProjectFile("jobs/mongo.nomad.hcl"));
            const seed = await parseHcl(seedHcl("mongo.nomad.hcl"));
            assert.deepStrictEqual(ours.job.mongo[0].group.db[0].service, seed.job.mongo[0].group.db[0].service);
        });
        it("mongo-query reaches the mongo service's 127.0.0.1 address from the host network", async () => {
            const ours = await parseHcl(readProjectFile("jobs/mongo-query.nomad.hcl"));
            assert.strictEqual(task(ours, "mongo-query").config[0].network_mode, "host");
        });
    });
});
