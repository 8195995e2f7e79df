-- Idempotency-Key (IETF draft) on the ledger's money-moving POSTs. A row is claimed before the
-- request runs (response_status null: in flight) and completed with the answer afterwards, so a
-- concurrent retry sees "in flight" (409) and a later one gets the stored answer replayed.
create table ledger_idempotency (
    idem_key        text        primary key,
    request_hash    bytea       not null,
    response_status int,
    content_type    text,
    response_body   bytea,
    started_at      timestamptz not null default now(),
    completed_at    timestamptz
);
