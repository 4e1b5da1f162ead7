# The vault block of every Nomad client for this Vault setup (clients log tasks in to Vault).
vault {
  enabled               = true
  address               = "VAULT_ADDRESS"
  jwt_auth_backend_path = "JWT_AUTH_PATH"
}
