// The checks of `verify`, in the order of the login chain. Each failure names its likely cause and
// the fix; the causes are those users hit (../shared/reference/field-notes.md, part A).
import { nomad, vault } from "./clients";
import { blockedPort, describe, heals, json } from "./http";
import { allocations, lastEvent } from "./nomadState";
import { fail, pass, skip, warn } from "./outcome";
import { Check } from "./types";

/** Why nothing answered at a port Node's fetch will not connect to: not the server's state. */
const portRefused = (address: string) =>
    `Node.js's fetch refuses to connect to port ${new URL(address).port}, whatever listens there: it is one of the Fetch standard's blocked "bad ports". Nothing was asked of the server.`;

export const vaultHealth: Check = {
    id: "vault-health",
    title: "Vault answers, initialised and unsealed",
    needs: [],
    async run(t) {
        const reply = await vault(t, "sys/health", { anonymous: true });
        if (blockedPort(reply)) {
            return fail(
                `${t.vaultAddress}: ${describe(reply)}`,
                portRefused(t.vaultAddress),
                "Point verify at Vault's API address and port (the stack's vaultAddress output, or VAULT_ADDR; Vault listens on 8200 unless configured otherwise).",
            );
        }
        if (reply.status === 0) {
            return fail(
                `${t.vaultAddress}: ${describe(reply)}`,
                "Vault is not running, or listens elsewhere.",
                "docker ps -a; docker logs <stack>-vault; then `npm run stack -- up`.",
                heals(reply),
            );
        }
        const health = json(reply);
        if (typeof health?.version !== "string") {
            return fail(
                `${t.vaultAddress}: ${describe(reply)}`,
                "Something answers there, but not as Vault: its sys/health gave no Vault status (another service, or a proxy with no Vault behind it).",
                "Point verify at Vault's API address (the stack's vaultAddress output, or VAULT_ADDR).",
                heals(reply),
            );
        }
        if (reply.status === 200 && /^1\.16\.1\b/.test(health.version)) {
            return warn(
                `Vault ${health.version} at ${t.vaultAddress}`,
                'Vault 1.16.1 has a JWKS regression: writing the JWT config fails with "error checking jwks URL" or "unexpected signature algorithm" (hashicorp/nomad issue 20298).',
                "Use another Vault version (vaultImage, or upgrade the cluster).",
            );
        }
        if (reply.status === 200) {
            return pass(`Vault ${health.version} at ${t.vaultAddress} is unsealed and active`);
        }
        // http/sys_health.go, from Vault 1.19: 474 a standby that lost its active node, 530 a node
        // removed from its raft cluster. Neither mends by waiting, and neither happens to a dev server.
        if (reply.status === 474) {
            const heartbeat = Math.round((health.last_request_forwarding_heartbeat_ms ?? 0) / 1000);
            return fail(
                `${t.vaultAddress}: a standby that cannot reach its active node (ha_connection_healthy false, last heartbeat ${heartbeat}s ago)`,
                "This Vault is a standby whose request-forwarding connection to the active node is down: it cannot forward requests, logins included, so every task sent to it fails. Waiting does not mend it: the active node is down or unreachable on the cluster port.",
                "On the active node: vault status and vault operator raft list-peers; check the standby can reach its cluster_addr (port 8201 by default, TLS between nodes); meanwhile point VAULT_ADDR at the active node, or at a load balancer that sends only to nodes whose sys/health is 200.",
            );
        }
        if (reply.status === 530) {
            return fail(
                `${t.vaultAddress}: removed from its cluster (removed_from_cluster true)`,
                "This Vault node was removed from its raft cluster (vault operator raft remove-peer, or autopilot's dead-server cleanup) and no longer serves; it does not rejoin by itself.",
                "Point VAULT_ADDR at a node still in the cluster (vault operator raft list-peers there); to bring this node back, clear its raft data and join it again (vault operator raft join).",
            );
        }
        // http/sys_health.go answers 503 only when sealed (501 uninitialised, 429 standby: not ready).
        if (reply.status === 503) {
            return fail(
                `${t.vaultAddress}: sealed`,
                "Vault is sealed; a dev server starts unsealed, so it was sealed by hand or is not the dev server.",
                "Unseal it (vault operator unseal), or recreate it: pulumi up --replace <vault container URN>.",
                true,
            );
        }
        return fail(
            `${t.vaultAddress}: ${describe(reply)}`,
            "Vault is not ready (standby, uninitialised or starting).",
            "Wait and run verify again; docker logs <stack>-vault shows why.",
            heals(reply),
        );
    },
};

export const nomadLeader: Check = {
    id: "nomad-leader",
    title: "Nomad has a leader",
    needs: [],
    async run(t) {
        const reply = await nomad(t, "status/leader");
        const leader = json<string>(reply);
        if (leader) {
            return pass(`leader ${leader}`);
        }
        if (blockedPort(reply)) {
            return fail(
                `${t.nomadAddress}/v1/status/leader: ${describe(reply)}`,
                portRefused(t.nomadAddress),
                "Point verify at Nomad's HTTP API address and port (the stack's nomadAddress output, or NOMAD_ADDR; Nomad listens on 4646 unless configured otherwise).",
            );
        }
        return fail(
            `${t.nomadAddress}/v1/status/leader: ${describe(reply)}`,
            reply.status === 0
                ? "The Nomad agent is not running, or listens elsewhere."
                : "The Nomad server has not elected a leader (still starting, or its raft state is broken).",
            "docker logs <stack>-nomad; a dev agent elects itself within seconds of starting.",
            heals(reply),
        );
    },
};

export const nomadToken: Check = {
    id: "nomad-token",
    title: "The stack's Nomad token is a valid management token",
    needs: ["nomad-leader"],
    async run(t) {
        if (!t.nomadToken) {
            return skip("no Nomad token", "NOMAD_TOKEN=<management token> in the environment");
        }
        const reply = await nomad(t, "acl/token/self");
        const token = json(reply);
        // Nomad's errors are plain text: a token read back is one Nomad knows.
        if (token?.Type === "management") {
            return pass(`management token ${token.AccessorID}`);
        }
        // A cluster's operator may hand verify a read-only token (docs/verify.md: its Nomad policy).
        if (reply.status === 200 && t.source === "cluster") {
            return pass(`client token ${token.AccessorID} with policies [${(token.Policies ?? []).join(", ")}]`);
        }
        return fail(
            `acl/token/self: ${describe(reply)}`,
            "The agent does not know the stack's token: it was recreated with fresh ACL state, or bootstrapped by someone else.",
            "pulumi up --replace <nomad-acl-bootstrap URN> bootstraps the current agent again.",
            heals(reply),
        );
    },
};

export const mongoHealthy: Check = {
    id: "mongo-healthy",
    sampleWorkload: true,
    title: "The mongo job's allocation is running and healthy",
    needs: ["nomad-token"],
    async run(t) {
        const allocs = await allocations(t, "mongo");
        const healthy = allocs.find((a) => a.ClientStatus === "running" && a.DeploymentStatus?.Healthy === true);
        if (healthy) {
            return pass(`allocation ${String(healthy.ID).slice(0, 8)} running, healthy`);
        }
        const latest = allocs[0];
        return fail(
            latest ? `allocation ${String(latest.ID).slice(0, 8)} ${latest.ClientStatus}; ${lastEvent(latest)}` : "no allocation",
            "The mongo task did not start; a template error here means it could not read kv/data/default/mongo/config with its workload identity.",
            "nomad alloc status <id> (or the evidence above); check the nomad-workloads role and policy, then `npm run stack -- up`.",
            !latest || ["pending", "running"].includes(latest.ClientStatus),
        );
    },
};

export const mongoQuery: Check = {
    id: "mongo-query",
    sampleWorkload: true,
    title: "mongo-query completed and connected with dynamic credentials",
    needs: ["nomad-token"],
    async run(t) {
        const [latest] = await allocations(t, "mongo-query");
        if (!latest) {
            return fail("no allocation", "mongo-query was never placed.", "npm run stack -- up", true);
        }
        const id = String(latest.ID);
        if (latest.ClientStatus !== "complete") {
            return fail(
                `allocation ${id.slice(0, 8)} ${latest.ClientStatus}; ${lastEvent(latest)}`,
                "mongo-query did not finish: it could not log in with the mongo-dynamic-secret role, read database/creds/mongo, or reach MongoDB.",
                "Read the evidence above; check the role's bound claims and the policy, then rerun: nomad job run -check-index 0 or `pulumi up --replace <mongo-query job URN>`.",
                ["pending", "running"].includes(latest.ClientStatus),
            );
        }
        const logs = await nomad(t, `client/fs/logs/${id}?task=mongo-query&type=stdout&plain=true&origin=start`, { namespaced: true });
        const user = /user: '([^']+)'/.exec(logs.body)?.[1];
        if (/ok: 1/.test(logs.body) && user) {
            return pass(`allocation ${id.slice(0, 8)} complete; authenticated as ${user}`);
        }
        return fail(
            `allocation ${id.slice(0, 8)} complete; output: ${logs.body.trim().slice(0, 160) || "(empty)"}`,
            "The query ran but did not report a successful connection.",
            "nomad alloc logs " + id,
        );
    },
};

export const dbCreds: Check = {
    id: "db-creds",
    sampleWorkload: true,
    title: "Vault issues dynamic MongoDB credentials (lease revoked after)",
    needs: ["vault-health"],
    async run(t) {
        const reply = await vault(t, "database/creds/mongo");
        const leaseId: string | undefined = json(reply)?.lease_id;
        // Vault's errors carry no lease: a lease is its 200.
        if (!leaseId) {
            return fail(
                `database/creds/mongo: ${describe(reply)}`,
                "Vault cannot create a MongoDB user: the connection's root credentials or address are wrong, or MongoDB is down.",
                "vault read database/config/mongo; check the mongo job, then `npm run stack -- up`.",
                heals(reply),
            );
        }
        const revoke = await vault(t, "sys/leases/revoke", { method: "PUT", body: { lease_id: leaseId } });
        // Vault answers a revoke it made with 204 and no body (vault/logical_system.go handleRevoke returns no response).
        return pass(`lease ${leaseId} issued, ${revoke.status === 204 ? "revoked" : `not revoked (${describe(revoke)})`}`);
    },
};
