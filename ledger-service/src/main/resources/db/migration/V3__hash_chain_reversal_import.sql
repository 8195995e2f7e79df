-- A hash chain over committed batches, reversals and imported history.
--
-- Every batch that writes transfers gets one ledger_chain row, written in the batch's own
-- transaction: seq (1, 2, 3 ... in commit order), the hash of the row before it and the SHA-256
-- of that hash plus the canonical encoding of the batch's transfers and entries (docs/
-- ledger-service.md, "Hash chain"). A transfer names its batch by batch_id. Rewriting a transfer or
-- an entry behind the triggers' back changes the content of its batch, so that a verify finds the
-- first batch whose recomputed hash differs from the stored one.

create table ledger_chain (
    seq          bigint      primary key check (seq >= 1),
    batch_id     uuid        not null unique,
    prev_hash    bytea       not null check (length(prev_hash) = 32),
    hash         bytea       not null check (length(hash) = 32),
    transfers    int         not null check (transfers >= 1),
    entries      int         not null check (entries >= 0),
    created_at   timestamptz not null
);

create trigger ledger_chain_append_only before update or delete on ledger_chain
    for each row execute function ledger_refuse_change();
create trigger ledger_chain_no_truncate before truncate on ledger_chain
    for each statement execute function ledger_refuse_change();

-- Transfers written before this migration have no batch (verify counts them as pre-chain); every
-- later one must have one. NOT VALID: the check applies to new and updated rows only.
alter table ledger_transfer
    add column batch_id uuid,
    add constraint ledger_transfer_in_a_batch check (batch_id is not null) not valid;
create index ledger_transfer_batch on ledger_transfer (batch_id);

-- A reversal is a SINGLE transfer the other way that names the transfer it reverses. Reversals of
-- one transfer never add up to more than its amount (checked at commit by the trigger below, and
-- before by the service, which answers EXCEEDS_REVERSIBLE_AMOUNT).
alter table ledger_transfer
    add column reverses_id uuid references ledger_transfer (id),
    add constraint ledger_transfer_reversal_posts check (reverses_id is null or kind = 'SINGLE');
create index ledger_transfer_reverses on ledger_transfer (reverses_id) where reverses_id is not null;

create function ledger_reversal_within_original() returns trigger language plpgsql as $$
declare
    original numeric(39,0);
    reversed numeric;
begin
    select amount into original from ledger_transfer where id = new.reverses_id;
    select coalesce(sum(amount), 0) into reversed from ledger_transfer
     where reverses_id = new.reverses_id;
    if reversed > original then
        raise exception 'ledger: reversals of % add up to % > its amount %',
            new.reverses_id, reversed, original using errcode = 'P0001';
    end if;
    return null;
end;
$$;
create constraint trigger ledger_reversal_within_original after insert on ledger_transfer
    deferrable initially deferred
    for each row when (new.reverses_id is not null)
    execute function ledger_reversal_within_original();

-- Imported history (migration): created_at is the historical time the legacy system booked the
-- transfer, legacy_ref its reference there. Imports are applied in time order per account: the
-- service refuses one older than the newest import already on either of its accounts.
alter table ledger_transfer
    add column legacy_ref text check (length(legacy_ref) between 1 and 128);
create index ledger_transfer_legacy_ref on ledger_transfer (legacy_ref) where legacy_ref is not null;
create index ledger_transfer_imported_debit on ledger_transfer (debit_account_id, created_at)
    where legacy_ref is not null;
create index ledger_transfer_imported_credit on ledger_transfer (credit_account_id, created_at)
    where legacy_ref is not null;
