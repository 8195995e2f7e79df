-- A signer node's own database: the keys it holds a share of (public parts and the policy it
-- enforces), the sealed shares, and the append-only audit of every signing decision.

create table node_key (
  key_id            text primary key,
  suite             text not null,
  participant       integer not null check (participant > 0),
  min_signers       integer not null,
  max_signers       integer not null,
  group_key         bytea not null,
  verifying_share   bytea not null,
  asset             text not null,
  per_tx_max        numeric(39, 0) not null check (per_tx_max >= 0),
  per_day_max       numeric(39, 0) not null check (per_day_max >= 0),
  created_at        timestamptz not null default now()
);

create table node_key_destination (
  key_id       text not null references node_key (key_id),
  destination  text not null,
  primary key (key_id, destination)
);

create table sealed_share (
  key_id       text not null,
  participant  integer not null,
  kek_id       text not null,
  sealed       bytea not null,
  created_at   timestamptz not null default now(),
  primary key (key_id, participant)
);

create table signing_audit (
  id              bigserial primary key,
  at              timestamptz not null,
  key_id          text not null,
  session_id      text,
  request_id      text,
  asset           text,
  amount          numeric(39, 0),
  destination     text,
  message_sha256  bytea,
  decision        text not null check (decision in ('SIGNED', 'REFUSED')),
  reason          text
);

create index signing_audit_day on signing_audit (key_id, at) where decision = 'SIGNED';

-- The audit is evidence: rows are only ever added.
create function signing_audit_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'signing_audit is append-only';
end;
$$;

create trigger signing_audit_no_update before update or delete on signing_audit
  for each row execute function signing_audit_append_only();
create trigger signing_audit_no_truncate before truncate on signing_audit
  for each statement execute function signing_audit_append_only();
