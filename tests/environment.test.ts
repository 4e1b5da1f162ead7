// Where the driver keeps state and the secrets passphrase.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveEnvironment } from "../automation/environment";

describe("driver environment", () => {
    let project: string;
    beforeEach(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "vaultnomad-env-"));
    });

    it("keeps state in .pulumi-state/ of the project by default", () => {
        const env = resolveEnvironment(project, {});
        assert.strictEqual(env.envVars.PULUMI_BACKEND_URL, `file://${project}/.pulumi-state`);
    });
    it("generates a passphrase once, readable by its owner only", () => {
        const file = resolveEnvironment(project, {}).envVars.PULUMI_CONFIG_PASSPHRASE_FILE;
        const first = fs.readFileSync(file, "utf8");
        resolveEnvironment(project, {});
        assert.deepStrictEqual([fs.statSync(file).mode & 0o777, fs.readFileSync(file, "utf8"), first.length >= 40], [0o600, first, true]);
    });
    it("says where the passphrase is, and never what it is", () => {
        const env = resolveEnvironment(project, {});
        const passphrase = fs.readFileSync(env.envVars.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8");
        assert.deepStrictEqual(
            [env.passphraseNote?.includes(".pulumi-state/passphrase"), env.passphraseNote?.includes(passphrase)],
            [true, false],
        );
    });
    it("respects the user's passphrase", () => {
        const env = resolveEnvironment(project, { PULUMI_CONFIG_PASSPHRASE: "mine" });
        assert.deepStrictEqual(
            [env.envVars.PULUMI_CONFIG_PASSPHRASE_FILE, fs.existsSync(path.join(project, ".pulumi-state/passphrase"))],
            [undefined, false],
        );
    });
    it("respects the user's backend, and leaves its secrets provider alone", () => {
        const env = resolveEnvironment(project, { PULUMI_BACKEND_URL: "s3://bucket/state" });
        assert.deepStrictEqual([env.backendUrl, env.envVars], ["s3://bucket/state", { PULUMI_BACKEND_URL: "s3://bucket/state" }]);
    });
});
