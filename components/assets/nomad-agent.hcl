# Nomad dev agent of one stack. The words in capitals are filled in by components/nomadDevAgent.ts.

# The docker driver bind-mounts task directories by their host path, so this folder
# has the same path on the host and in the agent's container.
data_dir  = "DATA_DIR"
bind_addr = "127.0.0.1"

ports {
  http = HTTP_PORT
  rpc  = RPC_PORT
  serf = SERF_PORT
}

acl {
  enabled = true
}

vault {
  enabled               = true
  address               = "VAULT_ADDRESS"
  jwt_auth_backend_path = "JWT_AUTH_PATH"

  # Added to every task that asks for Vault; the audience must equal the roles' bound_audiences.
  default_identity {
    aud = ["AUDIENCE"]
    ttl = "IDENTITY_TTL"
  }
}

plugin "docker" {
  config {
    # Several stacks' agents can share one Docker engine. With this collector on, each agent
    # would remove the task containers of the others, which it does not know.
    gc {
      dangling_containers {
        enabled = false
      }
    }
  }
}
