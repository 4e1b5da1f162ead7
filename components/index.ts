export * from "./vaultDevServer";
export * from "./nomadDevAgent";
export * from "./nomadAclBootstrap";
export * from "./workloadIdentity";
export * from "./kvSecrets";
export * from "./nomadJob";
export * from "./mongoSecretsEngine";
export * from "./jobVaultRole";
