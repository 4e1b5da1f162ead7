// The ACL bootstrap's provider: Nomad's ACL bootstrap over its HTTP API (`POST /v1/acl/bootstrap`),
// with the waiting a fresh agent needs.
// Plain CommonJS: the dynamic provider loads it with plain Node at run time (see ../dynamicProvider.ts).
"use strict";
const { describeFetchError, pollUntilDone } = require("./poll");

/**
 * @typedef {object} BootstrapRequest
 * @property {string} address Nomad's HTTP address, such as http://127.0.0.1:4646.
 * @property {string} secret The management token's secret, chosen by us so that it is known before the call.
 * @property {number} timeoutMs Give up after this long while the agent is not ready (no leader yet, connection refused).
 * @property {string} [agentName] Named in the "already bootstrapped" error, so the user knows what to replace.
 * @property {number} [initialDelayMs] First delay between attempts; it doubles up to 5 s.
 */

/**
 * @typedef {object} BootstrapResult
 * @property {string} accessorId
 * @property {string} secretId
 * @property {boolean} adopted True when the agent had already been bootstrapped with this same secret (a re-run).
 */

class AclBootstrapError extends Error {
    /** @param {string} message */
    constructor(message) {
        super(message);
        this.name = "AclBootstrapError";
    }
}

/**
 * @param {BootstrapRequest} request
 * @returns {Promise<BootstrapResult>}
 */
function bootstrapNomadAcl(request) {
    return pollUntilDone(() => attempt(request), {
        timeoutMs: request.timeoutMs,
        initialDelayMs: request.initialDelayMs,
        onTimeout: (lastProblem, attempts) =>
            new AclBootstrapError(
                `Nomad ACL bootstrap at ${request.address} did not succeed within ${Math.round(request.timeoutMs / 1000)} s ` +
                    `(${attempts} attempts); last answer: ${lastProblem}. Check the Nomad agent's logs ` +
                    `(docker logs ${request.agentName ?? "<nomad container>"}) and raise vaultnomad:readyTimeoutSeconds if it is only slow.`,
            ),
    });
}

/**
 * @param {BootstrapRequest} request
 * @returns {Promise<import("./poll").Attempt<BootstrapResult>>}
 */
async function attempt(request) {
    let response;
    try {
        response = await fetch(`${request.address}/v1/acl/bootstrap`, {
            method: "POST",
            body: JSON.stringify({ BootstrapSecret: request.secret }),
            signal: AbortSignal.timeout(10_000),
        });
    } catch (err) {
        return { retry: `unreachable (${describeFetchError(err)})` };
    }
    const body = await response.text();
    if (response.ok) {
        const token = /** @type {{ AccessorID: string; SecretID: string }} */ (JSON.parse(body));
        return { done: { accessorId: token.AccessorID, secretId: token.SecretID, adopted: false } };
    }
    if (/ACL bootstrap already done/i.test(body)) {
        return { done: await adoptOrExplain(request, body) };
    }
    if (response.status >= 500) {
        // "No cluster leader" and friends: the agent is up but still electing itself.
        return { retry: `HTTP ${response.status} ${body.trim()}` };
    }
    throw new AclBootstrapError(`Nomad ACL bootstrap at ${request.address} was refused: HTTP ${response.status} ${body.trim()}`);
}

/**
 * A re-run against an agent we bootstrapped earlier is fine; anything else needs the user.
 * @param {BootstrapRequest} request
 * @param {string} refusal
 * @returns {Promise<BootstrapResult>}
 */
async function adoptOrExplain(request, refusal) {
    const self = await fetch(`${request.address}/v1/acl/token/self`, {
        headers: { "X-Nomad-Token": request.secret },
        signal: AbortSignal.timeout(10_000),
    });
    if (self.ok) {
        const token = /** @type {{ AccessorID: string; SecretID: string; Type: string }} */ (await self.json());
        if (token.Type === "management") {
            return { accessorId: token.AccessorID, secretId: token.SecretID, adopted: true };
        }
    }
    const resetIndex = /reset index: (\d+)/.exec(refusal)?.[1];
    const agent = request.agentName ?? "<nomad container>";
    throw new AclBootstrapError(
        `Nomad at ${request.address} was already ACL-bootstrapped with a token this stack does not hold` +
            `${resetIndex ? ` (reset index ${resetIndex})` : ""}. To recover, either recreate the agent, which starts with ` +
            `fresh ACL state: \`pulumi up --replace <URN of the container ${agent}>\` (find it with \`pulumi stack --show-urns\`); ` +
            `or, if you hold the existing management token, keep the agent and reset the bootstrap: ` +
            `\`docker exec ${agent} sh -c 'echo ${resetIndex ?? "<reset index>"} > <data_dir>/server/acl-bootstrap-reset'\`, then \`pulumi up\`.`,
    );
}

/** @typedef {{ address: string; agentId: string; agentName: string; bootstrapSecret: string; timeoutSeconds: number }} BootstrapInputs */

/**
 * No provider offers Nomad's ACL bootstrap. Creating this resource bootstraps the agent with a
 * secret generated beforehand; deleting it does nothing, because the ACL state goes with the agent.
 */
const provider = {
    /** @param {BootstrapInputs} inputs */
    async create(inputs) {
        const token = await bootstrapNomadAcl({
            address: inputs.address,
            secret: inputs.bootstrapSecret,
            timeoutMs: inputs.timeoutSeconds * 1000,
            agentName: inputs.agentName,
        });
        return { id: token.accessorId, outs: { ...inputs, accessorId: token.accessorId, secretId: token.secretId } };
    },
    /**
     * @param {string} _id
     * @param {BootstrapInputs} olds
     * @param {BootstrapInputs} news
     */
    async diff(_id, olds, news) {
        const replaces = /** @type {const} */ (["address", "agentId", "bootstrapSecret"]).filter((key) => olds[key] !== news[key]);
        return { changes: replaces.length > 0 || olds.timeoutSeconds !== news.timeoutSeconds, replaces, deleteBeforeReplace: true };
    },
    /**
     * @param {string} _id
     * @param {BootstrapInputs & { accessorId: string; secretId: string }} olds
     * @param {BootstrapInputs} news
     */
    async update(_id, olds, news) {
        return { outs: { ...olds, ...news } };
    },
};

module.exports = { AclBootstrapError, bootstrapNomadAcl, provider };
