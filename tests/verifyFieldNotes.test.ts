// The field failures users hit on the Nomad → Vault login chain, one scenario each: verify names the
// cause with the concrete value, path or key that is wrong and the value it should have.
import * as assert from "assert";
import { CheckResult, verify } from "../verify/run";
import { FakeServer, fakeServer } from "./fakeHttp";
import { checkOnly, FakeStack, jwksOf, KEYS, nomadApi, probeIdentity, startFakeStack, World } from "./fakeStack";

describe("verify: field failures, diagnosed by cause", function () {
    this.timeout(20_000);
    let stack: FakeStack;
    let world: World;
    const extra: FakeServer[] = [];
    beforeEach(async () => {
        stack = await startFakeStack();
        ({ world } = stack);
    });
    afterEach(async () => {
        await Promise.all([stack.close(), ...extra.splice(0).map((s) => s.close())]);
    });
    const check = (id: string): Promise<CheckResult> => checkOnly(stack.target(), id);
    const failure = async (id: string) => {
        const result = await check(id);
        return `${result.status}: ${result.evidence} | ${result.cause}`;
    };

    it("signature failure: the identity's kid is not in the JWKS, naming both", async () => {
        world.probe = probeIdentity(KEYS.rogue);
        assert.match(
            await failure("identity"),
            new RegExp(`^fail: kid ${KEYS.rogue.kid} is not among the JWKS's \\[${KEYS.rsa.kid}, ${KEYS.ed25519.kid}\\]`),
        );
    });
    it("a diverged server keyring: names the server and the kids it serves", async () => {
        let address = "";
        const server = await fakeServer((req) => nomadApi(world, { server: true, jwks: jwksOf(KEYS.rogue), address: () => address })(req));
        address = server.address;
        extra.push(server);
        world.otherAgents.push(server.address.replace("http://", ""));
        assert.match(await failure("jwks-from-vault"), new RegExp(`; ${server.address} serves \\[${KEYS.rogue.kid}\\] \\|`));
    });
    it("Vault verifying with a stale cached key set: names the kid served now and Vault's cache", async () => {
        world.vaultCachedKids = ["0ld0ld00-0000-0000-0000-000000000000"];
        assert.match(await failure("login-and-role"), new RegExp(`Vault's cached keys lack it`));
    });
    it("Vault 1.16.1: warns of its JWKS regression, naming the version", async () => {
        world.vaultVersion = "1.16.1";
        assert.match(await failure("vault-health"), /^warn: Vault 1\.16\.1 at .* \| Vault 1\.16\.1 has a JWKS regression/);
    });
    it("a JWKS URL on localhost Vault cannot reach: names the URL and the container pitfall", async () => {
        const closed = await fakeServer(() => ({ status: 200 }));
        await closed.close();
        world.jwksUrl = `${closed.address}/.well-known/jwks.json`;
        assert.strictEqual(
            await failure("jwks-from-vault"),
            `fail: ${world.jwksUrl} from Vault: no answer (ECONNREFUSED) | Vault cannot reach Nomad at that address. From inside a container, localhost is the container itself.`,
        );
    });
    it("an audience mismatch: names the agents' aud and the role's bound_audiences", async () => {
        world.agentAudience = ["nomad.io"];
        assert.match(
            await failure("audience"),
            /agent default_identity\.aud \[nomad\.io\], role nomad-workloads bound_audiences \[vault\.io\]/,
        );
    });
    it("an identity for another audience: names its aud and the role's", async () => {
        world.probe = probeIdentity(KEYS.rsa, { aud: "nomad.io" });
        assert.match(await failure("identity"), /^fail: aud \[nomad\.io\], role nomad-workloads bound_audiences \[vault\.io\]/);
    });
    it("one job ID in two namespaces: names the job and both namespaces", async () => {
        world.jobs.push({ ID: "mongo", Namespace: "team", Templates: [] });
        assert.match(await failure("collisions"), /^warn: mongo in default, team \|/);
    });
    it("a secret outside the job's path: names the job, the denied path and that no rule matches it", async () => {
        world.jobs.push({ ID: "web", Namespace: "default", Templates: ['{{with secret "kv/default/mongo/config"}}{{end}}'] });
        assert.match(
            await failure("capabilities"),
            /^fail: denied: default\/web: read kv\/data\/default\/mongo\/config \(template secret "kv\/default\/mongo\/config"\): no rule of policies default, nomad-workloads matches/,
        );
    });
    it("a policy on a re-created mount's old accessor: names both accessors", async () => {
        world.policyAccessor = "auth_jwt_0ld0ld00";
        assert.match(await failure("accessor-drift"), /names \[auth_jwt_0ld0ld00\], the mount's accessor is auth_jwt_d34481ad/);
    });
    it("agents logging in at another JWT path: names the agent's path and Vault's mounts", async () => {
        world.agentJwtPath = "jwt";
        assert.match(await failure("audience"), /jwt_auth_backend_path "jwt"; Vault's auth mounts: jwt-nomad, token \|/);
    });
    it("a missing role: names the role's path", async () => {
        world.role = undefined;
        assert.match(
            await failure("audience"),
            /^fail: auth\/jwt-nomad\/role\/nomad-workloads: HTTP 404 \{"errors":\[\]\} \| The role nomad-workloads is missing/,
        );
    });
    it("Vault not enabled on an agent: names the agent", async () => {
        world.vaultEnabled = false;
        assert.match(await failure("agents"), new RegExp(`^fail: vault disabled on \\[${stack.nomad.address}\\]`));
    });
    it("a job submitted before default_identity: names the job and its task", async () => {
        world.jobs[0].NoIdentity = true;
        assert.match(await failure("collisions"), /^fail: default\/mongo: task\(s\) mongo have no vault_default identity \|/);
    });
    it("clock skew: names the seconds past exp and the role's leeway", async () => {
        world.vaultClockOffset = 3_900;
        // The probe's identity was signed when the world was made: a second may have passed since.
        assert.match(await failure("identity"), /^fail: Vault's clock is 30[01]s after exp \(clock_skew_leeway 60s;/);
    });
    it("tokens that are not periodic: names the period and explicit_max_ttl", async () => {
        world.tokenPeriod = 0;
        assert.match(await failure("login-and-role"), /^fail: token period 0s, explicit_max_ttl 0s \|.*lease expired/);
    });
    it("agents in another Vault namespace: names the agent's namespace and the stack's", async () => {
        world.agentVaultNamespace = "team-a";
        const result = await verify({ ...stack.target(), vaultNamespace: "platform" });
        const agents = result.find((r) => r.id === "agents")!;
        assert.match(agents.evidence, /: vault\.namespace "team-a"; the stack's is "platform"$/);
    });
    it("a role update that left bound_subject behind: names the field and its value", async () => {
        world.role = { ...world.role!, bound_subject: "global:default:old:web:web:vault_default" };
        assert.match(
            await failure("login-and-role"),
            /^fail: bound_subject: Vault has "global:default:old:web:web:vault_default", the stack declares none \|/,
        );
    });
    it("Vault's refusal of a changed subject: names bound_subject", async () => {
        world.loginError = "error validating token: invalid subject (sub) claim";
        assert.match(await failure("login-and-role"), /has a bound_subject the identity's sub does not match/);
    });
});
