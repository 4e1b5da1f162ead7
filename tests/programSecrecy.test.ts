// Which workload secrets the stack file encrypts, as program/secrecy.ts reads them beside Pulumi's config.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { storedWorkloads } from "../program/secrecy";

describe("workloads as the stack file stores them", () => {
    let project: string;
    beforeEach(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-secrecy-"));
    });
    const stackFile = (text: string) => fs.writeFileSync(path.join(project, "Pulumi.prod.yaml"), text);

    it("are the encrypted leaves of vaultnomad:workloads, as written", () => {
        stackFile(
            "config:\n  vaultnomad:workloads:\n    - jobspec: jobs/api.nomad.hcl\n      secrets:\n        config:\n          api_key:\n            secure: v1:abc\n",
        );
        assert.deepStrictEqual(storedWorkloads("prod", project), [
            { jobspec: "jobs/api.nomad.hcl", secrets: { config: { api_key: { secure: "v1:abc" } } } },
        ]);
    });
    it("are unknown when the stack has no file", () => {
        assert.strictEqual(storedWorkloads("prod", project), undefined);
    });
    it("are unknown when the stack file is empty", () => {
        stackFile("");
        assert.strictEqual(storedWorkloads("prod", project), undefined);
    });
    it("are unknown when the stack file has no config", () => {
        stackFile("encryptionsalt: v1:salt\n");
        assert.strictEqual(storedWorkloads("prod", project), undefined);
    });
    it("are read from the project's own stack files by default", () => {
        const workloads = storedWorkloads("workloads.example") as Array<{ secrets?: Record<string, Record<string, unknown>> }>;
        assert.ok(
            workloads.some((w) =>
                Object.values(w.secrets ?? {}).some((data) =>
                    Object.values(data).some((v) => typeof v === "object" && v !== null && "secure" in v),
                ),
            ),
            JSON.stringify(workloads),
        );
    });
});
