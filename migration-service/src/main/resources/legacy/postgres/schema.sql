-- The legacy wallet as it runs today: the reference source the migration is built and tested
-- against. It keeps the habits of the real thing on purpose: no foreign keys, a stored running
-- balance beside the history, amounts as NUMERIC without a fixed scale (10, 10.5, 10.500000 all
-- occur), local wall-clock timestamps without a zone, numeric status codes and soft deletes.
create table if not exists users (
    id         bigserial primary key,
    email      varchar(255) not null,
    full_name  varchar(255),
    created_at timestamp    not null, -- local time of the legacy data centre
    deleted_at timestamp              -- soft delete: the row stays
);

create table if not exists wallets (
    id         bigserial primary key,
    user_id    bigint      not null, -- no foreign key: the legacy app never declared one
    currency   varchar(8)  not null, -- as the app wrote it: 'USD', 'usd', 'btc' ...
    balance    numeric     not null, -- the stored running balance the app updates
    created_at timestamp   not null,
    updated_at timestamp   not null,
    deleted    smallint    not null default 0 -- soft delete flag
);

-- kind: DEP (outside -> wallet_id), WDR (wallet_id -> outside), XFER (wallet_id -> counterparty).
-- status_code: 0 pending, 1 success, 2 failed, 3 reversed, 9 cancelled.
create table if not exists transactions (
    id                     bigserial primary key,
    wallet_id              bigint      not null,
    counterparty_wallet_id bigint,
    kind                   varchar(8)  not null,
    amount                 numeric     not null,
    status_code            smallint    not null,
    created_at             timestamp   not null,
    updated_at             timestamp   not null,
    deleted                smallint    not null default 0
);
create index if not exists transactions_wallet on transactions (wallet_id);

-- Logical decoding sends the whole old row on UPDATE and DELETE only with REPLICA IDENTITY FULL;
-- the migration needs it to see what a row was before a status or amount changed.
alter table wallets replica identity full;
alter table transactions replica identity full;
