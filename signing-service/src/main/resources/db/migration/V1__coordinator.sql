-- The coordinator's database: keys made by DKG (public parts only: no share ever comes here)
-- and a record of every signing request and its outcome.

create table signing_key (
  key_id        text primary key,
  suite         text not null,
  min_signers   integer not null,
  group_key     bytea not null,
  asset         text not null,
  per_tx_max    numeric(39, 0) not null,
  per_day_max   numeric(39, 0) not null,
  destinations  text not null,
  created_at    timestamptz not null
);

create table signing_key_share (
  key_id           text not null references signing_key (key_id),
  participant      integer not null,
  verifying_share  bytea not null,
  primary key (key_id, participant)
);

create table signing_request (
  id          bigserial primary key,
  at          timestamptz not null,
  key_id      text not null,
  request_id  text,
  outcome     text not null,
  signers     text,
  signature   bytea,
  detail      text
);
