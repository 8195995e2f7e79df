-- Legacy users and wallets that a migration job imports (migration-service's commands
-- tpw.account.legacy-customer-import-requested.v1 and ...legacy-wallet-import-requested.v1), and
-- the job's cutover record that makes their wallets payable.

-- legacy_ref: legacy:users:<pk>; null for a customer made on the platform. It is unique per job,
-- not overall: two legacy databases migrated into one platform both have a user 1 (their jobs
-- use other id namespaces, so the customer ids differ; the id is the identity). legacy_deleted: the
-- legacy user is soft-deleted, so none of its wallets is ever made payable by a cutover (once set,
-- an import never clears it). import_note: why the import left something out (a legacy e-mail
-- that another customer holds already).
alter table customer
    add column legacy_ref       text,
    add column migration_job_id uuid,
    add column legacy_deleted   boolean not null default false,
    add column import_note      text,
    add constraint customer_legacy check ((legacy_ref is null) = (migration_job_id is null)),
    add constraint customer_legacy_ref unique (migration_job_id, legacy_ref);

-- MIGRATING: imported, its ledger account exists (wallet id = ledger account id, opened by the
-- migration), not payable until its job's cutover. HELD: not payable, and a cutover does not make
-- it payable unless held_for says the cutover held it:
--   LEGACY_DELETED    the legacy wallet or its user is soft-deleted (for good)
--   LEGACY_DUPLICATE  a second legacy wallet of one asset of one holder (for good: operations
--                     merge its balance into the holder's wallet of that asset)
--   CUTOVER_OVERDRAWN listed in the cutover's walletsHeld (the ledger could not give it its
--                     no-overdraft limit); a later SWITCHED of the job looks at it again
alter table wallet drop constraint wallet_status_check;
alter table wallet
    add constraint wallet_status_check
        check (status in ('OPENING', 'ACTIVE', 'FAILED', 'MIGRATING', 'HELD')),
    add column legacy_ref       text,
    add column migration_job_id uuid,
    add column held_for         text
        check (held_for in ('LEGACY_DELETED', 'LEGACY_DUPLICATE', 'CUTOVER_OVERDRAWN')),
    add constraint wallet_held check ((status = 'HELD') = (held_for is not null)),
    add constraint wallet_legacy check ((legacy_ref is null) = (migration_job_id is null)),
    -- Per job, as for customers (legacy:wallets:1 is in every legacy database).
    add constraint wallet_legacy_ref unique (migration_job_id, legacy_ref),
    add constraint wallet_imported check (status not in ('MIGRATING', 'HELD') or legacy_ref is not null);

-- Still one wallet per holder and asset, but a wallet held for good (a deleted or second legacy
-- wallet) no longer counts: legacy data has both, and their ledger accounts hold money.
alter table wallet drop constraint wallet_customer_id_asset_key;
create unique index wallet_holder_asset on wallet (customer_id, asset)
    where held_for is null or held_for = 'CUTOVER_OVERDRAWN';
create index wallet_migration_job on wallet (migration_job_id, status, id)
    where migration_job_id is not null;

-- A wallet command whose customer has not been imported yet (the two commands travel on two
-- topics, so nothing orders them): kept here, newest command wins, and imported when the
-- customer's command arrives.
create table legacy_wallet_pending (
    wallet_id    uuid        primary key,
    customer_id  uuid        not null,
    job_id       uuid        not null,
    asset        text        not null,
    legacy_ref   text        not null,
    deleted      boolean     not null,
    parked_at    timestamptz not null
);
create index legacy_wallet_pending_customer on legacy_wallet_pending (customer_id);
create index legacy_wallet_pending_job on legacy_wallet_pending (job_id);

-- The latest cutover record of each job (SWITCHED or ROLLED_BACK), so that a wallet imported after
-- it gets the state the cutover gave the job's other wallets, and an older record is not applied
-- over a newer one.
create table legacy_cutover (
    job_id        uuid        primary key,
    status        text        not null check (status in ('SWITCHED', 'ROLLED_BACK')),
    wallets_held  uuid[]      not null,
    recorded_at   timestamptz not null,
    applied_at    timestamptz not null
);
