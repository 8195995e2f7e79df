-- The legacy wallet on MariaDB/MySQL: the same tables and habits as legacy/postgres/schema.sql.
-- DECIMAL needs a declared scale here; 12 digits after the point leaves room for the amounts
-- with more decimals than the asset has (the migration refuses those, it never rounds).
-- Timestamps are DATETIME: local wall-clock time without a zone. The binlog carries the whole
-- row before and after every change (binlog_row_image=FULL), so no REPLICA IDENTITY is needed.
create table if not exists users (
    id         bigint       not null auto_increment primary key,
    email      varchar(255) not null,
    full_name  varchar(255),
    created_at datetime(6)  not null, -- local time of the legacy data centre
    deleted_at datetime(6)            -- soft delete: the row stays
) engine = InnoDB;

create table if not exists wallets (
    id         bigint         not null auto_increment primary key,
    user_id    bigint         not null, -- no foreign key: the legacy app never declared one
    currency   varchar(8)     not null, -- as the app wrote it: 'USD', 'usd', 'btc' ...
    balance    decimal(38,12) not null, -- the stored running balance the app updates
    created_at datetime(6)    not null,
    updated_at datetime(6)    not null,
    deleted    smallint       not null default 0 -- soft delete flag
) engine = InnoDB;

-- kind: DEP (outside -> wallet_id), WDR (wallet_id -> outside), XFER (wallet_id -> counterparty).
-- status_code: 0 pending, 1 success, 2 failed, 3 reversed, 9 cancelled.
create table if not exists transactions (
    id                     bigint         not null auto_increment primary key,
    wallet_id              bigint         not null,
    counterparty_wallet_id bigint,
    kind                   varchar(8)     not null,
    amount                 decimal(38,12) not null,
    status_code            smallint       not null,
    created_at             datetime(6)    not null,
    updated_at             datetime(6)    not null,
    deleted                smallint       not null default 0,
    key transactions_wallet (wallet_id)
) engine = InnoDB;
