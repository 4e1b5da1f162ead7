path "NOMAD_MOUNT/creds/ROLE_NAME" {
  capabilities = ["read"]
}
