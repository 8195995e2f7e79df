-- The statement checks of V8/V9 planned so that their cost follows the batch, not the table; the
-- last per-row checks of a batch's insert statement and an index no query needs removed. The rules
-- stay the database's, unchanged (docs/benchmarks.md, "Ledger (issue 3)", branch led-db).
--
-- The checks join their transition table (the statement's rows, no statistics) with the month's
-- transfers, the id table or the accounts. Once those tables had grown (a scratch database with
-- 336,000 transfers in the month), the planner chose a merge join over a sort of the whole month's
-- transfer partition for ledger_entry_has_its_transfer: 550-815 ms per batch of 8,189, growing with
-- every batch of the month, where index lookups take 190 ms. The check functions therefore run
-- with hash and merge joins off: each inserted row is one index lookup, whatever the tables' size.
--
-- At V9, inserting a batch of 8,189 transfers still fired three foreign-key triggers per row, even
-- where the column is null (ledger_transfer_id.pending_id, ledger_transfer.pending_id and
-- ledger_transfer.reverses_id, all to ledger_transfer_id): ~24,500 trigger calls, ~60 ms of the
-- statement by EXPLAIN ANALYZE. They become one anti-join per statement over the inserted rows:
--   * a transfer's pending_id equals its id row's (ledger_transfer_has_its_id, V8), and the id
--     row's pending_id names an id row: the statement trigger below on ledger_transfer_id replaces
--     that foreign key; the one on ledger_transfer is then implied and dropped;
--   * reverses_id names an id row: checked by ledger_transfer_has_its_id, with 23503 as before.
-- A foreign key also guards the referenced row against delete and update; id rows can neither be
-- changed nor deleted (ledger_transfer_id_append_only, V8), so checking the inserted rows is the
-- whole rule.
--
-- ledger_entry_transfer (transfer_id) is the prefix of the entries' unique key (transfer_id,
-- direction, created_at), which serves every lookup by transfer as well: one b-tree fewer written
-- per entry.

create function ledger_transfer_id_names_its_hold() returns trigger language plpgsql as $$
declare
    bad uuid;
begin
    select n.id into bad
      from new_rows n
     where n.pending_id is not null
       and not exists (select 1 from ledger_transfer_id i where i.id = n.pending_id)
     limit 1;
    if bad is not null then
        raise exception 'ledger: transfer % resolves a hold that does not exist', bad
            using errcode = '23503';
    end if;
    return null;
end;
$$;
create trigger ledger_transfer_id_names_its_hold after insert on ledger_transfer_id
    referencing new table as new_rows
    for each statement execute function ledger_transfer_id_names_its_hold();
alter table ledger_transfer_id drop constraint ledger_transfer_id_pending_id_fkey;

create or replace function ledger_transfer_has_its_id() returns trigger language plpgsql as $$
declare
    bad uuid;
begin
    select n.id into bad
      from new_rows n left join ledger_transfer_id i on i.id = n.id
     where i.id is null or i.created_at <> n.created_at
        or i.pending_id is distinct from n.pending_id
     limit 1;
    if bad is not null then
        raise exception 'ledger: transfer % has no matching ledger_transfer_id row', bad
            using errcode = 'P0001';
    end if;
    select n.id into bad
      from new_rows n
     where n.reverses_id is not null
       and not exists (select 1 from ledger_transfer_id i where i.id = n.reverses_id)
     limit 1;
    if bad is not null then
        raise exception 'ledger: transfer % reverses a transfer that does not exist', bad
            using errcode = '23503';
    end if;
    return null;
end;
$$;
alter table ledger_transfer
    drop constraint ledger_transfer_pending_id_fkey,
    drop constraint ledger_transfer_reverses_id_fkey;

drop index ledger_entry_transfer;

-- Each inserted row looked up by index (see the top): never a scan of a whole partition, the id
-- table or the accounts.
alter function ledger_transfer_has_its_id() set enable_hashjoin = off set enable_mergejoin = off;
alter function ledger_transfer_has_its_entries()
    set enable_hashjoin = off set enable_mergejoin = off;
alter function ledger_entry_has_its_transfer() set enable_hashjoin = off set enable_mergejoin = off;
alter function ledger_transfer_id_names_its_hold()
    set enable_hashjoin = off set enable_mergejoin = off;
