// Vault's refusal of a login, read for its cause. The texts are those Vault really sends inside
// {"errors":[...]}: vault-plugin-auth-jwt path_login.go, hashicorp/cap jwt/jwt.go and jwt/keyset.go
// (which wraps go-oidc's "fetching keys oidc: get keys failed: …").

export interface Diagnosis {
    readonly cause: string;
    readonly fix: string;
}

export interface LoginContext {
    readonly jwtPath: string;
    readonly role: string;
    readonly jwksUrl?: string;
    readonly kid?: string;
    readonly aud?: string[];
    readonly boundAudiences?: string[];
    /** Whether this machine's fetch of the JWKS has the identity's kid (then Vault's keys are stale). */
    readonly kidServedHere?: boolean;
}

const UP = "then `npm run stack -- up`";

export function diagnoseRefusal(message: string, c: LoginContext): Diagnosis {
    const url = c.jwksUrl ?? `the jwks_url of auth/${c.jwtPath}/config`;
    const rules: Array<[RegExp, (match: RegExpExecArray) => Diagnosis]> = [
        [
            /certificate required/i,
            () => ({
                cause: `Nomad asks Vault for a client certificate when Vault fetches ${url} (tls.verify_https_client), and Vault's JWT method cannot present one.`,
                fix: "Serve the JWKS where no client certificate is required (a proxy in front of Nomad), or give Vault static keys (jwtValidationPubkeys).",
            }),
        ],
        [
            /x509|unknown authority|failed to verify certificate/i,
            () => ({
                cause: `Vault does not trust the certificate of ${url}: jwks_ca_pem of auth/${c.jwtPath}/config is empty or is not the CA that signed Nomad's certificate.`,
                fix: `Set Nomad's CA: pulumi config set nomadCaPem -- "$(cat nomad-ca.pem)", ${UP}.`,
            }),
        ],
        [
            // go-oidc: "get keys failed: <status> <body>" for an answer, "get keys failed <error>" for none.
            /get keys failed: (\d{3})/,
            ([, status]) => ({
                cause: `${url} answers Vault with HTTP ${status}: a wrong path or port (it must be <nomad address>/.well-known/jwks.json).`,
                fix: `Correct jwksUrl (or nomadHttpPort), ${UP}.`,
            }),
        ],
        [
            /connection refused|no such host|i\/o timeout|dial tcp|deadline exceeded|network is unreachable/i,
            () => ({
                cause: `Vault cannot reach ${url} from its own network: nothing listens there as Vault sees it (inside a container, localhost is the container itself).`,
                fix: `Point jwksUrl at an address Vault's network reaches, ${UP}.`,
            }),
        ],
        [
            /failed to verify id token signature|verifying token signature/i,
            () =>
                c.kidServedHere
                    ? {
                          cause: `Vault verifies with a key set it fetched earlier: kid ${c.kid ?? "?"} is served at ${url} now, but Vault's cached keys lack it (Vault caches the JWKS, on every HA node; vault issue 9912).`,
                          fix: `Write the auth config again so every Vault node fetches the keys afresh: ${UP.replace("then ", "")} (or vault write auth/${c.jwtPath}/config with the same values).`,
                      }
                    : {
                          cause: `No key Vault fetched from ${url} verifies the identity: its kid ${c.kid ?? "?"} is not served there (a diverged keyring, a rotation not yet propagated, or jwks_url of another cluster).`,
                          fix: "Compare `nomad operator root keyring list` on every server with the JWKS; wait for propagation, or point jwks_url at this cluster.",
                      },
        ],
        [
            /token is expired/i,
            () => ({
                cause: "Vault judges the identity expired on its own clock: the hosts' clocks differ by more than the role's clock_skew_leeway, or the identity outlived its TTL.",
                fix: "Sync the hosts' clocks (chrony/NTP); see the identity check for the skew.",
            }),
        ],
        [
            /not yet valid|issued in the future/i,
            () => ({
                cause: "Vault's clock is behind the Nomad server that signed the identity, by more than the role's clock_skew_leeway.",
                fix: "Sync the hosts' clocks (chrony/NTP).",
            }),
        ],
        [
            /aud|audience/i,
            () => ({
                cause: `The identity's aud [${(c.aud ?? []).join(", ")}] is not among role ${c.role}'s bound_audiences [${(c.boundAudiences ?? []).join(", ")}].`,
                fix:
                    "Set the same audience on the agents' vault.default_identity.aud and the role: pulumi config set audience <aud>, " +
                    UP +
                    ".",
            }),
        ],
        [
            /could not be found/i,
            () => ({ cause: `The role ${c.role} does not exist at auth/${c.jwtPath}/role/${c.role}.`, fix: `Create it: ${UP}.` }),
        ],
        [
            /invalid subject/i,
            () => ({
                cause: `Role ${c.role} has a bound_subject the identity's sub does not match: a role update left an old field behind.`,
                fix: "Write the whole role again (npm run stack -- refresh, then up); the role check lists the fields that differ.",
            }),
        ],
        [
            /error validating claims/i,
            () => ({
                cause: `The identity's claims do not satisfy role ${c.role}'s bound_claims.`,
                fix: "vault read auth/" + c.jwtPath + "/role/" + c.role + "; compare bound_claims with the job's namespace, job and task.",
            }),
        ],
        [
            /no handler for route|unsupported path/i,
            () => ({
                cause: `Vault serves no auth method at auth/${c.jwtPath}/: the JWT mount is missing or at another path.`,
                fix: `Mount it (${UP}), or set jwtAuthPath to the mount the agents use.`,
            }),
        ],
    ];
    for (const [pattern, diagnose] of rules) {
        const match = pattern.exec(message);
        if (match) {
            return diagnose(match);
        }
    }
    return {
        cause: "Vault refused the probe's identity; its message above says why.",
        fix: "See the identity check, and the role's bound claims.",
    };
}
