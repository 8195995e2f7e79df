-- Legacy users as last seen, each with the platform customer it is imported as (LegacyIds), so that
-- a customer command is sent once per change of the row and never again for a replayed batch.
-- created_at: the legacy local time read in the job's zone. A hard DELETE (its event carries only the
-- key) marks a stored user deleted; one never seen is not stored.
create table legacy_user (
    job_id       uuid    not null references migration_job (id),
    user_id      bigint  not null,
    customer_id  uuid    not null,
    email        text,
    display_name text,
    created_at   timestamptz not null,
    deleted      boolean not null,
    primary key (job_id, user_id)
);

-- What account-service was last asked to hold for each wallet (null: not imported yet, e.g. an
-- orphan wallet whose user was never seen): a wallet is imported again only when this changes.
alter table legacy_wallet
    add column imported_customer_id uuid,
    add column imported_deleted     boolean;
create index legacy_wallet_user on legacy_wallet (job_id, user_id);

-- The cutover's no-overdraft limit (a new status LIMITING between RECONCILING and SWITCHED): how many wallet accounts got it, how long setting it took, and
-- the wallets the ledger could not give it (overdrawn at cutover), which stay not payable.
alter table migration_cutover
    add column accounts_limited bigint,
    add column limits_ms        bigint,
    add column wallets_held     uuid[];
