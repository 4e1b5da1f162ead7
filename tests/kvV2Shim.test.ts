// consul-template's KV v2 path rewrites, against its own test table (tests/fixtures/consul-template/).
import * as assert from "assert";
import { shimKvV2ListPath, shimKvV2Path } from "../policy/kvV2Shim";
import { consulTemplateFixture } from "./consulTemplateFixtures";

const table = consulTemplateFixture("shim-kv-v2-path");

describe("KV v2 shims", () => {
    describe("shimKvV2Path (TestShimKVv2Path)", () => {
        for (const row of table.rows) {
            it(row.name, () => {
                assert.strictEqual(shimKvV2Path(row.path, row.mountPath, row.clientNamespace), row.expected);
            });
        }
        // Rows beyond upstream's table, for the branches it leaves untried.
        it("inserts data/ after a namespaced mount given in full", () => {
            assert.strictEqual(shimKvV2Path("a/b/c/secret/", "a/b/c/secret/", "a/b"), "a/b/c/secret/data");
        });
        it("keeps a mount path that is the namespace itself", () => {
            assert.strictEqual(shimKvV2Path("a/b/foo", "a/b/", "a/b"), "a/b/data/foo");
        });
    });

    // dependency/vault_list.go shimKvV2ListPath has no test table upstream: these rows follow its code.
    describe("shimKvV2ListPath", () => {
        it("inserts metadata/ after the mount", () => {
            assert.strictEqual(shimKvV2ListPath("secret/default/web", "secret/"), "secret/metadata/default/web");
        });
        it("leaves a path with metadata/ as it is", () => {
            assert.strictEqual(shimKvV2ListPath("secret/metadata/default/web", "secret/"), "secret/metadata/default/web");
        });
        it("lists the mount's metadata/ for the mount itself", () => {
            assert.strictEqual(shimKvV2ListPath("secret", "secret/"), "secret/metadata");
        });
        it("inserts metadata/ before a data/ segment too", () => {
            assert.strictEqual(shimKvV2ListPath("secret/data/default", "secret/"), "secret/metadata/data/default");
        });
        it("leaves a segment that only starts with metadata alone, as upstream's prefix test does", () => {
            assert.strictEqual(shimKvV2ListPath("secret/metadatafoo", "secret/"), "secret/metadatafoo");
        });
        it("takes a mount path given without its slash", () => {
            assert.strictEqual(shimKvV2ListPath("secret/default", "secret"), "secret/metadata/default");
        });
    });
});
