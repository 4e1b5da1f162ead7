#!/bin/sh
# Starts `vault server -dev` listening on 127.0.0.1:<port> ($1).
# The root token comes from a file that Pulumi uploads into the container, so it never shows in
# `docker inspect` (environment, command line) or in `ps` on the host. The image's own entrypoint
# is not used because it passes the token on the command line.
set -eu
VAULT_DEV_ROOT_TOKEN_ID="$(cat /vault/root-token)"
export VAULT_DEV_ROOT_TOKEN_ID
if command -v su-exec >/dev/null 2>&1; then
  exec su-exec vault vault server -dev -dev-listen-address="127.0.0.1:$1"
fi
exec vault server -dev -dev-listen-address="127.0.0.1:$1"
