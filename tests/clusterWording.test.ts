// A check's fix as it reads for a cluster set up without this program (verify/clusterWording.ts).
import * as assert from "assert";
import { clusterFix, clusterTitle } from "../verify/clusterWording";

describe("a fix, said of a cluster", () => {
    it("speaks of the cluster's own setup instead of the stack's", () => {
        assert.strictEqual(
            clusterFix("Restore the role (npm run stack -- refresh, then up)."),
            "Restore the role (vault write the role with every field).",
        );
    });
    it("leaves no blank before the punctuation a removed stack phrase was followed by", () => {
        assert.strictEqual(clusterFix("Correct jwksUrl (or nomadHttpPort) (nomadHttpPort) ."), "Correct jwks_url of auth/<mount>/config.");
    });
    it("closes the gap a removed stack phrase leaves between words", () => {
        assert.strictEqual(
            clusterFix("Both agents run (here both containers use the host's network) on one host."),
            "Both agents run on one host.",
        );
    });
    it("leaves no blank at the ends where a stack phrase was", () => {
        assert.strictEqual(clusterFix("(nomadHttpPort) Check the address"), "Check the address");
    });
});

describe("a check's title, said of a cluster", () => {
    it("asks for a valid Nomad token, not the stack's management token", () => {
        assert.strictEqual(clusterTitle("The stack's Nomad token is a valid management token"), "The Nomad token is valid");
    });
    it("compares with what --expect declares", () => {
        assert.strictEqual(clusterTitle("The role is what the stack declares"), "The role is what --expect declares");
    });
});
