-- Merchant webhooks: where a merchant receives its payments' final statuses, and every
-- delivery with each of its attempts (the delivery log).

-- The signing secret is needed in clear to sign (HMAC), so it is stored encrypted
-- (AES-256-GCM under tpw.account.webhooks.encryption-key, nonce || ciphertext), not hashed.
create table webhook_subscription (
    id              uuid        primary key,
    customer_id     uuid        not null references customer (id),
    url             text        not null,
    secret_sealed   bytea       not null,
    enabled         boolean     not null default true,
    created_at      timestamptz not null
);
create index webhook_subscription_customer on webhook_subscription (customer_id);

-- One delivery per subscription and event: a redelivered event adds none.
create table webhook_delivery (
    id              uuid        primary key,
    subscription_id uuid        not null references webhook_subscription (id),
    event_id        uuid        not null,
    event_type      text        not null,
    payload         text        not null,
    status          text        not null check (status in ('PENDING', 'DELIVERED', 'DEAD')),
    -- attempts made in all; round_start: attempts when the current round began (creation or
    -- the last replay). A round has at most attempts-max attempts, then the delivery is DEAD.
    attempts        int         not null default 0,
    round_start     int         not null default 0,
    next_attempt_at timestamptz not null,
    created_at      timestamptz not null,
    delivered_at    timestamptz,
    unique (subscription_id, event_id)
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where status = 'PENDING';
create index webhook_delivery_subscription on webhook_delivery (subscription_id, created_at);

create table webhook_attempt (
    delivery_id     uuid        not null references webhook_delivery (id),
    attempt         int         not null,
    at              timestamptz not null,
    http_status     int,
    error           text,
    duration_ms     bigint      not null,
    primary key (delivery_id, attempt)
);
