path "database/creds/mongo" {
  capabilities = ["read"]
}
