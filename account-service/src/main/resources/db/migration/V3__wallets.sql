-- Wallets: one per holder and asset. The wallet id is also the id of its ledger account, which
-- ledger-service opens on the command written to the outbox with the wallet row.
create table wallet (
    id           uuid        primary key,
    customer_id  uuid        not null references customer (id),
    asset        text        not null,
    status       text        not null check (status in ('OPENING', 'ACTIVE', 'FAILED')),
    reason       text,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    unique (customer_id, asset)
);
