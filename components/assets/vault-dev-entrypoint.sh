#!/bin/sh
# Starts `vault server -dev` listening on 127.0.0.1:<port> ($1), with the root token read from the
# file $2. Pulumi uploads that file into the container, so the token never shows in `docker inspect`
# (environment, command line) or in `ps` on the host; the image's own entrypoint is not used because
# it passes the token on the command line.
# The container starts as root, because the file is root's (mode 0400) and Vault 2 images start as
# their `vault` user; Vault then runs as `vault` where the image has su-exec.
# A dev server never locks memory (its built-in configuration sets disable_mlock), so images that no
# longer let Vault lock memory (2.2 and later) need nothing more.
set -eu
VAULT_DEV_ROOT_TOKEN_ID="$(cat "$2")"
export VAULT_DEV_ROOT_TOKEN_ID
if command -v su-exec >/dev/null 2>&1; then
  exec su-exec vault vault server -dev -dev-listen-address="127.0.0.1:$1"
fi
exec vault server -dev -dev-listen-address="127.0.0.1:$1"
