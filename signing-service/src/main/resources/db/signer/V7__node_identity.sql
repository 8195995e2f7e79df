-- The node's long-term identity key (Ed25519): it signs every transport key the node publishes in a
-- DKG, refresh or repair, and its peers check those signatures against their pinned roster. The
-- private key is stored only sealed by the vault's key-encryption key (in the HSM in pkcs11 mode).
create table node_identity (
  participant integer primary key,
  public_key bytea not null check (length(public_key) = 32),
  sealed_private_key bytea not null,
  kek_id text not null,
  created_at timestamptz not null
);
