-- Shared tables every service that moves money has, from platform-common.

-- Events written in the same transaction as the state change they announce; the relay
-- publishes them to Kafka in order per aggregate and stamps published_at.
create table outbox_event (
    seq          bigserial primary key,
    event_id     uuid        not null unique,
    topic        text        not null,
    aggregate_id text        not null,
    event_type   text        not null,
    payload      bytea       not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz
);
create index outbox_event_unpublished on outbox_event (seq) where published_at is null;
create index outbox_event_aggregate_unpublished on outbox_event (aggregate_id, seq)
    where published_at is null;

-- Event ids a consumer has applied, written in the same transaction as the effect, so that a
-- redelivered event has no second effect.
create table inbox_event (
    consumer     text        not null,
    event_id     uuid        not null,
    topic        text        not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, event_id)
);

-- Idempotency-Key records (IETF draft): the key, a hash of the request it came with and the
-- answer given, so that a retry replays the answer and a reuse with another body is refused.
create table idempotency_key (
    scope           text        not null,
    idem_key        text        not null,
    request_hash    bytea       not null,
    response_status int         not null,
    response_body   text        not null,
    created_at      timestamptz not null default now(),
    primary key (scope, idem_key)
);
