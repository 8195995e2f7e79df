-- Migration jobs, their CDC offsets, what they saw of the legacy wallet, the ledger commands they
-- issued and the rows they refused. The legacy database itself is only ever read.

create table migration_job (
    id                    uuid primary key,
    name                  text        not null,
    source_url            text        not null,
    source_user           text        not null,
    source_password       text        not null,
    tables                text        not null, -- comma-separated legacy tables
    legacy_zone           text        not null, -- the zone legacy local times are in
    slot_name             text        not null unique,
    publication_name      text        not null,
    dry_run               boolean     not null,
    phase                 text        not null,
    error                 text,
    rows_total            bigint,
    rows_snapshotted      bigint      not null default 0,
    events_streamed       bigint      not null default 0,
    last_event_source_at  timestamptz,
    last_event_applied_at timestamptz,
    last_lag_ms           bigint,
    snapshot_completed_at timestamptz,
    created_at            timestamptz not null,
    updated_at            timestamptz not null
);

-- The Debezium engine's offsets (JdbcOffsetStore): Connect's serialized key and value.
create table cdc_offset (
    job_id       uuid        not null references migration_job (id),
    offset_key   bytea       not null,
    offset_value bytea,
    updated_at   timestamptz not null,
    primary key (job_id, offset_key)
);

-- Legacy wallets as last seen, and the ledger account each one maps to.
create table legacy_wallet (
    job_id        uuid    not null references migration_job (id),
    wallet_id     bigint  not null,
    user_id       bigint,
    currency      text    not null,
    asset         text,                    -- null: the currency is not a platform asset
    balance       text    not null,        -- the stored legacy balance, as written
    balance_minor numeric(39, 0),          -- null: not representable in the asset's scale
    deleted       boolean not null,
    account_id    uuid    not null,
    primary key (job_id, wallet_id)
);

-- Legacy transactions as last seen and what the migration made of each.
-- state: STAGED (snapshotted, not yet mapped), POSTED, REVERSED, SKIPPED (moved no money),
-- REFUSED (see migration_failure), DUPLICATE (an exact copy of an earlier row).
create table legacy_tx (
    job_id                 uuid      not null references migration_job (id),
    tx_id                  bigint    not null,
    wallet_id              bigint    not null,
    counterparty_wallet_id bigint,
    kind                   text      not null,
    amount                 text      not null,
    status_code            int       not null,
    created_local          timestamp not null,
    deleted                boolean   not null,
    fingerprint            text      not null,
    state                  text      not null,
    primary key (job_id, tx_id)
);
create index legacy_tx_fingerprint on legacy_tx (job_id, fingerprint, tx_id);
create index legacy_tx_staged on legacy_tx (job_id, tx_id) where state = 'STAGED';

-- Every ledger transfer the job asked for, once per idempotency key (legacy:<table>:<pk>...).
-- kind: TRANSACTION, REVERSAL, OPENING (an opening-balance difference against suspense).
create table ledger_command (
    job_id            uuid           not null references migration_job (id),
    idem_key          text           not null,
    transfer_id       uuid           not null,
    kind              text           not null,
    debit_account_id  uuid           not null,
    credit_account_id uuid           not null,
    debit_wallet_id   bigint         not null, -- 0: not a legacy wallet
    credit_wallet_id  bigint         not null,
    amount            numeric(39, 0) not null check (amount > 0),
    asset             text           not null,
    occurred_at       timestamptz    not null,
    created_at        timestamptz    not null,
    primary key (job_id, idem_key),
    unique (job_id, transfer_id)
);
create index ledger_command_debit on ledger_command (job_id, debit_wallet_id);
create index ledger_command_credit on ledger_command (job_id, credit_wallet_id);

-- Rows the migration would not carry across as they are, with the reason.
create table migration_failure (
    job_id       uuid        not null references migration_job (id),
    source_table text        not null,
    source_pk    text        not null,
    reason       text        not null,
    detail       text        not null,
    seen_at      timestamptz not null,
    primary key (job_id, source_table, source_pk, reason)
);
