# The tutorial's MongoDB job. Its root password is read from Vault with the task's workload identity,
# through the nomad-workloads role and its templated policy (kv/data/<namespace>/<job>/*).

variable "mongo_image" {
  type    = string
  default = "mongo:7"
}

# The namespace and KV mount the templated policy grants: kv/data/<namespace>/<job>/…
variable "namespace" {
  type    = string
  default = "default"
}

variable "kv_mount" {
  type    = string
  default = "kv"
}

# Host port on 127.0.0.1; differs per stack so that several stacks share one host.
variable "mongo_port" {
  type    = number
  default = 27017
}

job "mongo" {
  namespace = var.namespace

  group "db" {
    network {
      port "db" {
        static = var.mongo_port
        to     = 27017
      }
    }

    service {
      provider = "nomad"
      name     = "mongo"
      port     = "db"
    }

    task "mongo" {
      driver = "docker"

      config {
        image = var.mongo_image
        ports = ["db"]
      }

      vault {}

      template {
        data        = <<EOF
MONGO_INITDB_ROOT_USERNAME=root
MONGO_INITDB_ROOT_PASSWORD={{with secret "${var.kv_mount}/data/${var.namespace}/mongo/config"}}{{.Data.data.root_password}}{{end}}
EOF
        destination = "secrets/env"
        env         = true
      }
    }
  }
}
