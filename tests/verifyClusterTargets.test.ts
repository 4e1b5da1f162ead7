// What verify checks of a stack over several Nomad clusters (automation/verifyClusters.ts), and how
// vaultnomad-verify reads several clusters from its command line (verify/clustersCli.ts).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterTargets } from "../automation/verifyClusters";
import { entriesOfFile, entryOfAddress } from "../verify/clustersCli";
import { Target } from "../verify/types";
import { FakeStacks } from "./fakeStackStore";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBeastCA\n-----END CERTIFICATE-----";
const EAST = { name: "east", address: "https://nomad-east:4646", token: "east-token", region: "eu", caPem: CA, skipTlsVerify: true };
const WEST = { name: "west", address: "https://nomad-west:4646" };
const BASE = { vaultAddress: "https://vault:8200", nomadToken: "from-env" } as Target;

const stackWith = async (config: Record<string, string>) => {
    const entries = Object.entries({ mode: "external", vaultAddress: "https://vault:8200", vaultToken: "t", ...config });
    const stacks = new FakeStacks().add("prod", {
        config: Object.fromEntries(entries.map(([k, value]) => [`vaultnomad:${k}`, { value }])),
    });
    return stacks.select("prod");
};
const targetsOf = async (config: Record<string, string>) => (await clusterTargets(await stackWith(config), BASE))!;

describe("verify's targets of a stack over several clusters", () => {
    it("are none for a stack of one Nomad", async () => {
        assert.strictEqual(await clusterTargets(await stackWith({ nomadAddress: "https://n:4646" }), BASE), undefined);
    });
    it("reach each cluster with its address, token, region and TLS", async () => {
        const [east] = await targetsOf({ nomadClusters: JSON.stringify([EAST, WEST]) });
        const t = east.target;
        assert.deepStrictEqual(
            [t.nomadAddress, t.nomadToken, t.nomadRegion, t.nomadCaPem, t.nomadSkipVerify, t.vaultAddress],
            [EAST.address, "east-token", "eu", CA, true, "https://vault:8200"],
        );
    });
    it("read a cluster without a token with the stack's NOMAD_TOKEN", async () => {
        const [, west] = await targetsOf({ nomadClusters: JSON.stringify([EAST, WEST]) });
        assert.strictEqual(west.target.nomadToken, "from-env");
    });
    it("expect each cluster's own mount and policy, and declare its role with that policy", async () => {
        const [, west] = await targetsOf({ nomadClusters: JSON.stringify([EAST, WEST]) });
        assert.deepStrictEqual(
            [west.name, west.declaredMount, west.target.jwtPath, west.target.policyName, west.target.declaredRole?.token_policies],
            ["west", "jwt-nomad-west", "jwt-nomad-west", "nomad-workloads-west", ["nomad-workloads-west"]],
        );
    });
    it("expect the one mount of the jwks-pairs layout for every cluster", async () => {
        const targets = await targetsOf({ nomadClusters: JSON.stringify([EAST, WEST]), nomadClustersLayout: "jwks-pairs" });
        assert.deepStrictEqual(
            targets.map((c) => [c.declaredMount, c.target.policyName]),
            [
                ["jwt-nomad", "nomad-workloads"],
                ["jwt-nomad", "nomad-workloads"],
            ],
        );
    });
});

describe("vaultnomad-verify's clusters", () => {
    const file = (content: string) => {
        const at = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clusters-")), "clusters.json");
        fs.writeFileSync(at, content);
        return at;
    };
    it("names an address by name=", () => {
        assert.deepStrictEqual(entryOfAddress("east=https://nomad-east:4646"), {
            name: "east",
            flags: { "nomad-addr": "https://nomad-east:4646" },
        });
    });
    it("names an address by its host otherwise", () => {
        assert.strictEqual(entryOfAddress("https://nomad-west.example.com:4646").name, "nomad-west.example.com");
    });
    it("does not take a = inside an address for a name", () => {
        assert.strictEqual(entryOfAddress("https://nomad:4646/?x=1").name, "nomad");
    });
    it("refuses an entry that is no object", () => {
        assert.throws(() => entriesOfFile(file("[null]")), /entry 0 wants a name/);
        assert.throws(() => entriesOfFile(file('["east"]')), /entry 0 wants a name/);
    });
    it("refuses an empty name, or one that is no string", () => {
        assert.throws(() => entriesOfFile(file('[{"name": "", "nomad-addr": "https://n:4646"}]')), /entry 0 wants a name/);
        assert.throws(() => entriesOfFile(file('[{"name": 5, "nomad-addr": "https://n:4646"}]')), /entry 0 wants a name/);
    });
    it("refuses what is no address", () => {
        assert.throws(() => entryOfAddress("east"), {
            message: "--nomad-addr east: want an address such as https://nomad-east:4646, or name=address.",
        });
    });
    it("refuses a file that is not JSON", () => {
        const at = file("east");
        assert.throws(
            () => entriesOfFile(at),
            (err: Error) => err.message.startsWith(`--clusters ${at}: not a readable JSON file (`),
        );
    });
    it("refuses a file that is not a list of clusters", () => {
        const at = file("{}");
        assert.throws(() => entriesOfFile(at), {
            message: `--clusters ${at}: want a list of clusters, such as [{"name": "east", "nomad-addr": "https://nomad-east:4646"}].`,
        });
    });
    it("refuses an empty list", () => {
        assert.throws(() => entriesOfFile(file("[]")), /want a list of clusters/);
    });
    it("refuses an entry without a nomad-addr", () => {
        assert.throws(
            () => entriesOfFile(file('[{"name": "east"}]')),
            /entry 0 wants a name, a nomad-addr and only nomad-token, nomad-region, nomad-namespace, nomad-cacert, nomad-client-cert, nomad-client-key, nomad-skip-verify\.$/,
        );
    });
    it("refuses an entry without a name", () => {
        assert.throws(() => entriesOfFile(file('[{"nomad-addr": "https://n:4646"}]')), /entry 0 wants a name/);
    });
    it("keeps an entry's own Nomad flags", () => {
        const [east] = entriesOfFile(file('[{"name": "east", "nomad-addr": "https://n:4646", "nomad-token": "t", "nomad-region": "eu"}]'));
        assert.deepStrictEqual(east.flags, { "nomad-addr": "https://n:4646", "nomad-token": "t", "nomad-region": "eu" });
    });
});
