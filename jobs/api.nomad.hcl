# A sample workload of your own (Pulumi.workloads.example.yaml): a service that reads its API key
# from KV and a dynamic MongoDB user from the database engine, with its own JWT role.

variable "image" {
  type    = string
  default = "busybox:1.36"
}

# Set by the program from the workload's namespace, the stack's KV mount and the workload's role.
variable "namespace" {
  type    = string
  default = "default"
}

variable "kv_mount" {
  type    = string
  default = "kv"
}

variable "vault_role" {
  type    = string
  default = "api-db"
}

job "api" {
  namespace = var.namespace

  group "api" {
    task "api" {
      driver = "docker"

      config {
        image   = var.image
        command = "sh"
        args    = ["-c", "while true; do sleep 3600; done"]
      }

      vault {
        role = var.vault_role
      }

      template {
        data        = <<EOF
API_KEY={{with secret "${var.kv_mount}/data/${var.namespace}/api/config"}}{{.Data.data.api_key}}{{end}}
{{with secret "database/creds/mongo"}}
MONGO_USERNAME={{.Data.username}}
MONGO_PASSWORD={{.Data.password}}
{{end}}
EOF
        destination = "secrets/env"
        env         = true
      }
    }
  }
}
