-- Wallets the continuous reconciliation flagged while streaming: they stayed different from legacy
-- after the lag up to the first look had drained. A row is deleted when the wallet reconciles again.
-- Times are the legacy server's clock (first_seen_at: the first look that saw this legacy state).
create table reconciliation_mismatch (
    job_id           uuid        not null references migration_job (id),
    wallet_id        bigint      not null,
    account_id       uuid        not null,
    reason           text        not null,
    detail           text        not null,
    legacy_balance   text,                  -- minor units; null: not representable in the asset
    migrated_balance text        not null,  -- minor units, from the job's commands
    ledger_balance   text,                  -- minor units in ledger-service, when compared
    first_seen_at    timestamptz not null,
    flagged_at       timestamptz not null,
    checked_at       timestamptz not null,  -- the last pass that still found it different
    primary key (job_id, wallet_id)
);

-- Resyncs: a table read again while streaming (a Debezium incremental snapshot, read-only
-- watermarks, signalled in process). rows_total: the table's row count when asked; rows_read: the
-- rows the re-read has brought so far (a batch replayed after a crash counts again).
create table migration_resync (
    id           uuid        primary key,
    job_id       uuid        not null references migration_job (id),
    table_name   text        not null,
    requested_at timestamptz not null,
    rows_total   bigint      not null,
    rows_read    bigint      not null default 0
);
create index migration_resync_job on migration_resync (job_id, requested_at);
