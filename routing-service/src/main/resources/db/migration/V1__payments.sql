-- A payment and the steps it went through. Amounts are integer minor units of the asset.
create table payment (
    id               uuid primary key,
    payer_account_id uuid           not null,
    payee_account_id uuid           not null,
    amount           numeric(39, 0) not null check (amount > 0),
    asset            text           not null,
    reference        text,
    status           text           not null,
    reason           text,
    created_at       timestamptz    not null,
    updated_at       timestamptz    not null,
    check (payer_account_id <> payee_account_id)
);
create index payment_status on payment (status, created_at);

create table payment_history (
    payment_id uuid        not null references payment (id),
    seq        int         not null,
    status     text        not null,
    reason     text,
    at         timestamptz not null,
    primary key (payment_id, seq)
);
