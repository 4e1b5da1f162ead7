# Nomad ACL policy behind the Vault Nomad secrets engine's role: operate jobs, read the rest.
namespace "*" {
  policy = "write"
}

node {
  policy = "read"
}

agent {
  policy = "read"
}
