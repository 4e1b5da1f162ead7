// Nomad's ACL bootstrap over its HTTP API (`POST /v1/acl/bootstrap`), with the waiting a fresh agent needs.
// Only Node built-ins and the global `fetch`: Pulumi serialises this code into the dynamic provider.
import { Attempt, describeFetchError, pollUntilDone } from "./poll";

export interface BootstrapRequest {
    /** Nomad's HTTP address, such as http://127.0.0.1:4646. */
    readonly address: string;
    /** The management token's secret, chosen by us so that it is known before the call. */
    readonly secret: string;
    /** Give up after this long while the agent is not ready (no leader yet, connection refused). */
    readonly timeoutMs: number;
    /** Named in the "already bootstrapped" error, so the user knows what to replace. */
    readonly agentName?: string;
    /** First delay between attempts; it doubles up to 5 s. */
    readonly initialDelayMs?: number;
}

export interface BootstrapResult {
    readonly accessorId: string;
    readonly secretId: string;
    /** True when the agent had already been bootstrapped with this same secret (a re-run). */
    readonly adopted: boolean;
}

export class AclBootstrapError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AclBootstrapError";
    }
}

export function bootstrapNomadAcl(request: BootstrapRequest): Promise<BootstrapResult> {
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

async function attempt(request: BootstrapRequest): Promise<Attempt<BootstrapResult>> {
    let response: Response;
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
        const token = JSON.parse(body) as { AccessorID: string; SecretID: string };
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

/** A re-run against an agent we bootstrapped earlier is fine; anything else needs the user. */
async function adoptOrExplain(request: BootstrapRequest, refusal: string): Promise<BootstrapResult> {
    const self = await fetch(`${request.address}/v1/acl/token/self`, {
        headers: { "X-Nomad-Token": request.secret },
        signal: AbortSignal.timeout(10_000),
    });
    if (self.ok) {
        const token = (await self.json()) as { AccessorID: string; SecretID: string; Type: string };
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
