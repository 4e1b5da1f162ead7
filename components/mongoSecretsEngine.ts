import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";

/** The tutorial's creation statement: read/write on admin, read on foo. */
export const MONGO_CREATION_STATEMENT = '{ "db": "admin", "roles": [{ "role": "readWrite" }, {"role": "read", "db": "foo"}] }';
export const MONGO_ROLE = "mongo";
/** Where the engine is mounted, and where tasks read dynamic credentials. */
export const MONGO_MOUNT = "database";
export const MONGO_CREDS_PATH = `${MONGO_MOUNT}/creds/${MONGO_ROLE}`;

export interface MongoSecretsEngineArgs {
    /** MongoDB's host:port as Vault reaches it. */
    readonly mongoHostPort: string;
    /** The root password the mongo job was started with. */
    readonly rootPassword: pulumi.Input<string>;
    /** What must exist before Vault connects to MongoDB (the mongo job); the mount need not wait. */
    readonly connectAfter?: pulumi.Input<pulumi.Resource>[];
    readonly defaultTtlSeconds: number;
    readonly maxTtlSeconds: number;
}

/**
 * Step 5 of the tutorial: the database secrets engine, its MongoDB connection, and the `mongo`
 * role that issues dynamic users. Vault checks the connection when it is written, so the
 * connection waits for `connectAfter` (the healthy mongo job).
 */
export class MongoSecretsEngine extends pulumi.ComponentResource {
    /** Where tasks read dynamic credentials: database/creds/mongo. */
    public readonly credsPath: pulumi.Output<string>;

    constructor(name: string, args: MongoSecretsEngineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vaultnomad:index:MongoSecretsEngine", name, {}, opts);

        const mount = new vault.Mount(`${name}-mount`, { path: MONGO_MOUNT, type: "database" }, { parent: this });
        const connection = new vault.database.SecretBackendConnection(
            `${name}-connection`,
            {
                backend: mount.path,
                name: "mongo",
                pluginName: "mongodb-database-plugin",
                allowedRoles: [MONGO_ROLE],
                mongodb: {
                    // Vault fills in {{username}} and {{password}} itself.
                    connectionUrl: `mongodb://{{username}}:{{password}}@${args.mongoHostPort}/admin`,
                    username: "root",
                    password: pulumi.secret(args.rootPassword),
                },
            },
            { parent: this, dependsOn: args.connectAfter },
        );
        const role = new vault.database.SecretBackendRole(
            `${name}-role`,
            {
                backend: mount.path,
                name: MONGO_ROLE,
                dbName: connection.name,
                creationStatements: [MONGO_CREATION_STATEMENT],
                defaultTtl: args.defaultTtlSeconds,
                maxTtl: args.maxTtlSeconds,
            },
            { parent: this },
        );

        this.credsPath = pulumi.interpolate`${mount.path}/creds/${role.name}`;
        this.registerOutputs({ credsPath: this.credsPath });
    }
}
