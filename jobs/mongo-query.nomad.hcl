# The tutorial's batch job: it logs in to Vault with the mongo-dynamic-secret role, takes dynamic
# MongoDB credentials from database/creds/mongo, and prints its connection status to its log.

variable "mongo_image" {
  type    = string
  default = "mongo:7"
}

variable "namespace" {
  type    = string
  default = "default"
}

# The JWT role whose bound claims name this job and namespace.
variable "vault_role" {
  type    = string
  default = "mongo-dynamic-secret"
}

job "mongo-query" {
  namespace = var.namespace
  type      = "batch"

  group "mongo-query" {
    task "mongo-query" {
      driver = "docker"

      config {
        image   = var.mongo_image
        command = "mongosh"
        args = [
          "--username", "${MONGO_USERNAME}",
          "--password", "${MONGO_PASSWORD}",
          "--eval", "db.runCommand({connectionStatus : 1})",
          "--quiet",
          "${MONGO_URL}",
        ]
        # The dev agent registers the mongo service on 127.0.0.1; only the host's network
        # namespace reaches that address (a bridged container's 127.0.0.1 is itself).
        network_mode = "host"
      }

      vault {
        role = var.vault_role
      }

      template {
        data        = <<EOF
{{with secret "database/creds/mongo"}}
MONGO_USERNAME={{.Data.username}}
MONGO_PASSWORD={{.Data.password}}
{{end}}
{{range nomadService 1 (env "NOMAD_ALLOC_ID") "mongo"}}
MONGO_URL=mongodb://{{.Address}}:{{.Port}}
{{end}}
EOF
        destination = "secrets/env"
        env         = true
      }
    }
  }
}
