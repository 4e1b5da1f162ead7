// The dynamic providers as Pulumi's plugin runs them: serialised the way pulumi.dynamic.Resource
// does, then loaded by plain Node (no ts-node) in the project folder, and called against a fake Nomad.
import * as assert from "assert";
import { execFile } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import { jwksCheckProvider } from "../components/jwksCheck";
import { aclBootstrapProvider } from "../components/nomadAclBootstrap";
import { PROJECT_ROOT } from "../tools/programRecorder";
import { FakeServer, fakeServer } from "./fakeHttp";

const SECRET = "7f10099a-936c-3f3a-8783-f0980493e54b";
const ACCESSOR = "d1de8625-8556-0932-a25c-3aa71bfc0134";

/** As the dynamic-provider plugin does (require-from-string): compiled as a module with no file name. */
const PLUGIN_LOADER = `
const Module = require("module");
const [texts, calls] = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
    const results = [];
    for (const [i, text] of texts.entries()) {
        const m = new Module("", undefined);
        m.paths = Module._nodeModulePaths(".");
        m._compile(text, "");
        results.push(await m.exports.handler().create(calls[i]));
    }
    console.log(JSON.stringify(results));
})().catch((err) => { console.error(err); process.exit(1); });
`;

function runInPlainNode(texts: string[], inputs: object[]): Promise<any[]> {
    return new Promise((resolve, reject) => {
        const child = execFile(process.execPath, ["-e", PLUGIN_LOADER], { cwd: PROJECT_ROOT, env: {} }, (err, stdout, stderr) =>
            err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
        );
        child.stdin!.end(JSON.stringify([texts, inputs]));
    });
}

describe("dynamic providers, serialised and run by plain Node", function () {
    this.timeout(30_000);
    let nomad: FakeServer;
    let texts: string[];
    before(async () => {
        nomad = await fakeServer((req) =>
            req.url === "/v1/acl/bootstrap"
                ? { status: 200, body: { AccessorID: ACCESSOR, SecretID: SECRET } }
                : { status: 200, body: { keys: [{ kid: "k1", kty: "RSA" }] } },
        );
        // The same call pulumi.dynamic.Resource makes for each provider.
        texts = await Promise.all(
            [aclBootstrapProvider, jwksCheckProvider].map(
                async (provider) => (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text,
            ),
        );
    });
    after(() => nomad.close());

    it("serialise small: the implementation is loaded at run time, not captured", () => {
        assert.deepStrictEqual(
            texts.map((text) => [text.length < 4000, /components\/runtime\/\w+\.js/.test(text), text.includes("fetch(")]),
            [
                [true, true, false],
                [true, true, false],
            ],
        );
    });
    it("create bootstraps Nomad's ACLs and checks the JWKS, outside this process", async () => {
        const inputs = [
            { address: nomad.address, agentId: "c1", agentName: "vaultnomad-dev-nomad", bootstrapSecret: SECRET, timeoutSeconds: 5 },
            { url: `${nomad.address}/.well-known/jwks.json`, timeoutSeconds: 5 },
        ];
        const [acl, jwks] = await runInPlainNode(texts, inputs);
        assert.deepStrictEqual(
            [acl.id, acl.outs.secretId, jwks.outs.keys, nomad.requests.map((r) => r.url)],
            [ACCESSOR, SECRET, 1, ["/v1/acl/bootstrap", "/.well-known/jwks.json"]],
        );
    });
});
