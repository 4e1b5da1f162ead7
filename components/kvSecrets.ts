import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";

/** A value the component generates: a password of letters and digits (safe in a connection URL). */
export interface GeneratedPassword {
    /** Suffix of the password's resource name, such as "mongo-root-password". */
    readonly generate: string;
    readonly length: number;
}

export interface KvEntry {
    /** Suffix of the entry's resource name, such as "mongo-config". */
    readonly key: string;
    /** Path under the mount, such as "default/mongo/config": the templated policy grants `<namespace>/<job>/*`. */
    readonly name: string;
    /** Key → value; every value is stored as a secret. */
    readonly data: Record<string, pulumi.Input<string> | GeneratedPassword>;
}

export interface KvSecretsArgs {
    /** Mount path of the KV v2 engine; the templated policy grants `<mount>/data/<namespace>/<job>/*`. */
    readonly mount: string;
    /** Create the mount (true by default); false when it exists already and holds other secrets too. */
    readonly createMount?: boolean;
    readonly entries: KvEntry[];
}

const isGenerated = (value: unknown): value is GeneratedPassword => typeof value === "object" && value !== null && "generate" in value;

/** Step 4 of the tutorial: KV v2 at `kv/`, holding each workload's secrets (the mongo root password). */
export class KvSecrets extends pulumi.ComponentResource {
    /** Each entry's resource, by its key: a job waits for its own entries only. */
    public readonly secrets: ReadonlyMap<string, vault.kv.SecretV2>;
    /** Each entry's values (secrets), by its key, then the value's key. */
    public readonly values: ReadonlyMap<string, Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: KvSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:KvSecrets", name, {}, opts);

        // An existing mount is only named: the entries are written into it, and destroy leaves it.
        const mountPath =
            args.createMount === false
                ? pulumi.output(args.mount)
                : new vault.Mount(`${name}-mount`, { path: args.mount, type: "kv", options: { version: "2" } }, { parent: this }).path;
        const secrets = new Map<string, vault.kv.SecretV2>();
        const values = new Map<string, Record<string, pulumi.Output<string>>>();
        for (const entry of args.entries) {
            const data = Object.fromEntries(
                Object.entries(entry.data).map(([key, value]) => [
                    key,
                    pulumi.secret(
                        isGenerated(value)
                            ? new random.RandomPassword(
                                  `${name}-${value.generate}`,
                                  { length: value.length, special: false },
                                  { parent: this },
                              ).result
                            : value,
                    ),
                ]),
            );
            values.set(entry.key, data);
            secrets.set(
                entry.key,
                new vault.kv.SecretV2(
                    `${name}-${entry.key}`,
                    { mount: mountPath, name: entry.name, dataJson: pulumi.secret(pulumi.jsonStringify(data)) },
                    { parent: this },
                ),
            );
        }

        this.secrets = secrets;
        this.values = values;
        this.registerOutputs({ mount: mountPath });
    }
}
