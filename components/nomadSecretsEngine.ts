import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import * as nomad from "../nomad";
import { readProjectFile, renderTemplate } from "./assets";

export interface NomadSecretsEngineArgs {
    /** Nomad's address as Vault reaches it. */
    readonly nomadAddress: pulumi.Input<string>;
    /** PEM CA of Nomad's HTTPS certificate, for Vault. */
    readonly nomadCaPem?: string;
    /** The Vault role, and the name of the Nomad ACL policy behind it. */
    readonly role: string;
    /** Mount path of the engine, "nomad" by default. */
    readonly mount?: string;
}

/**
 * Vault's Nomad secrets engine (seed 004): Vault hands out short-lived Nomad tokens for a role.
 * Vault gets a management token of its own, created here, not the bootstrap token; Nomad resources
 * use the `nomad` provider passed in `opts.providers`, Vault ones the `vault` provider.
 */
export class NomadSecretsEngine extends pulumi.ComponentResource {
    /** The Vault path that issues tokens: <mount>/creds/<role>. */
    public readonly credsPath: pulumi.Output<string>;

    constructor(name: string, args: NomadSecretsEngineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:NomadSecretsEngine", name, {}, opts);
        const mount = args.mount ?? "nomad";

        const aclPolicy = new nomad.AclPolicy(
            `${name}-acl-policy`,
            {
                name: args.role,
                description: "Tokens Vault issues for its role of the same name.",
                rulesHcl: readProjectFile("components/assets/nomad-operator.acl.hcl"),
            },
            { parent: this },
        );
        const managementToken = new nomad.AclToken(
            `${name}-token`,
            { name: "vault-nomad-secrets-engine", type: "management" },
            { parent: this },
        );
        const backend = new vault.NomadSecretBackend(
            `${name}-backend`,
            {
                backend: mount,
                address: args.nomadAddress,
                token: pulumi.secret(managementToken.secretId),
                caCert: args.nomadCaPem,
                description: "Short-lived Nomad tokens",
            },
            { parent: this },
        );
        const role = new vault.NomadSecretRole(
            `${name}-role`,
            { backend: backend.backend.apply((b) => b ?? mount), role: args.role, type: "client", policies: [aclPolicy.name] },
            { parent: this },
        );
        new vault.Policy(
            `${name}-policy`,
            {
                name: `${args.role}-creds`,
                policy: renderTemplate(readProjectFile("components/assets/nomad-creds.policy.hcl"), {
                    NOMAD_MOUNT: mount,
                    ROLE_NAME: args.role,
                }),
            },
            { parent: this },
        );

        this.credsPath = pulumi.interpolate`${mount}/creds/${role.role}`;
        this.registerOutputs({ credsPath: this.credsPath });
    }
}
