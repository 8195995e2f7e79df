-- Share refresh: the new share of a key is sealed under "<key id>#refresh" (so its AES-GCM
-- associated data differs from the active share's) and described here until the coordinator's
-- test signature with the new shares succeeded and it commits; then the new share replaces the old
-- one and node_key.refresh_id names the generation now active. An abort deletes both.
create table pending_share (
  key_id           text primary key references node_key (key_id),
  refresh_id       text not null,
  verifying_share  bytea not null,
  tested           boolean not null default false,
  created_at       timestamptz not null default now()
);

alter table node_key add column refresh_id text;
