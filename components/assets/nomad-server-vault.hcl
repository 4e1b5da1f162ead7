# The vault block of every Nomad server for this Vault setup (servers sign the identities).
vault {
  enabled = true

  default_identity {
    aud = ["AUDIENCE"]
    ttl = "IDENTITY_TTL"
  }
}
