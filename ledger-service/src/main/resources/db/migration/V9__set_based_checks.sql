-- Double entry and the account references checked once per statement over the rows it inserted
-- (transition tables), instead of by one trigger or referential query per row.
--
-- What a batch of 8,189 transfers cost at V8 (docs/benchmarks.md, "Set-based checks"): the deferred
-- per-row double-entry trigger at commit (one plpgsql call and one query into the partitioned
-- entries per transfer), one foreign-key query per transfer side and per entry into the accounts,
-- and the account guard (one plpgsql call per changed account). The rules stay the same and stay
-- the database's, whatever code writes the rows:
--   * an entry names a transfer of its own month that posts (SINGLE or POST), on that transfer's
--     debit account (D) or credit account (C), for the transfer's amount (23503 when the transfer is
--     not there, as before; P0001 when it does not match);
--   * a new transfer that posts has both its entries when the statement that inserted it ends; one
--     that does not post (PENDING, VOID, EXPIRE) has none, since an entry of it is refused;
--   * there is at most one entry per transfer and direction (the unique key of V8), so an entry can
--     never be appended later to a transfer that already has its two;
--   * a new transfer names accounts that exist (23503, as the foreign keys it replaces); an entry's
--     account is its transfer's, so it exists too; accounts are never deleted (the guard).
-- So a transfer and its entries are written by ONE statement (the writer's data-modifying CTE;
-- restore inserts both from scratch tables in one statement): statement triggers run when the whole
-- statement ends, and see every row it inserted in every table. This is stricter than the deferred
-- trigger it replaces (refused at the statement, not at commit).
--
-- A statement trigger on a partitioned parent does not fire for rows inserted into a partition
-- directly, so every partition gets the same triggers (ledger_create_month makes them for new
-- months); an insert through the parent fires the parent's only.

-- The transfers' accounts and entries (their id row is V8's trigger, unchanged).
create function ledger_transfer_has_its_entries() returns trigger language plpgsql as $$
declare
    bad uuid;
begin
    select n.id into bad
      from new_rows n
     where not exists (select 1 from ledger_account a where a.id = n.debit_account_id)
        or not exists (select 1 from ledger_account a where a.id = n.credit_account_id)
     limit 1;
    if bad is not null then
        raise exception 'ledger: transfer % names an account that does not exist', bad
            using errcode = '23503';
    end if;
    select n.id into bad
      from new_rows n
     where n.kind in ('SINGLE', 'POST')
       and (select count(*) from ledger_entry e
             where e.transfer_id = n.id and e.created_at = n.created_at) <> 2
     limit 1;
    if bad is not null then
        raise exception 'ledger: transfer % does not have exactly one debit and one credit entry'
            ' written by the statement that inserts it', bad
            using errcode = 'P0001';
    end if;
    return null;
end;
$$;
create trigger ledger_transfer_has_its_entries after insert on ledger_transfer
    referencing new table as new_rows
    for each statement execute function ledger_transfer_has_its_entries();

-- The entries' check: each names a transfer of its month that posts, on its account and amount.
create or replace function ledger_entry_has_its_transfer() returns trigger language plpgsql as $$
declare
    bad     uuid;
    missing boolean;
begin
    select e.transfer_id, t.id is null into bad, missing
      from new_rows e
      left join ledger_transfer t on t.id = e.transfer_id and t.created_at = e.created_at
     where t.id is null
        or t.kind not in ('SINGLE', 'POST')
        or e.amount <> t.amount
        or e.account_id <> case e.direction when 'D' then t.debit_account_id
                                            else t.credit_account_id end
     order by t.id is null desc
     limit 1;
    if missing then
        raise exception 'ledger: an entry names transfer %, which is not in the entry''s month', bad
            using errcode = '23503';
    end if;
    if bad is not null then
        raise exception 'ledger: an entry of transfer % is not its debit or credit of its amount'
            ' (a transfer that does not post has no entries)', bad
            using errcode = 'P0001';
    end if;
    return null;
end;
$$;

drop trigger ledger_transfer_balanced on ledger_transfer;
drop function ledger_transfer_balanced();
alter table ledger_transfer
    drop constraint ledger_transfer_debit_account_id_fkey,
    drop constraint ledger_transfer_credit_account_id_fkey;
alter table ledger_entry drop constraint ledger_entry_account_id_fkey;

-- The statement triggers of a month's partitions (the parents' fire only for inserts through
-- them), for each of the two that does not have them yet.
create function ledger_partition_checks(day timestamptz) returns void language plpgsql as $$
declare
    suffix text := to_char(date_trunc('month', day at time zone 'UTC'), '"y"YYYY"m"MM');
    pair   text[];
begin
    foreach pair slice 1 in array array[
        ['ledger_transfer_' || suffix, 'ledger_transfer_has_its_id'],
        ['ledger_transfer_' || suffix, 'ledger_transfer_has_its_entries'],
        ['ledger_entry_' || suffix, 'ledger_entry_has_its_transfer']] loop
        if to_regclass(pair[1]) is not null and not exists (
            select 1 from pg_trigger where tgrelid = to_regclass(pair[1]) and tgname = pair[2]) then
            execute format('create trigger %I after insert on %I referencing new table as new_rows'
                           ' for each statement execute function %I()', pair[2], pair[1], pair[2]);
        end if;
    end loop;
end;
$$;
select ledger_partition_checks(to_timestamp(substr(c.relname, length('ledger_transfer_y') + 1),
                                            'YYYY"m"MM'))
  from pg_inherits i join pg_class c on c.oid = i.inhrelid
 where i.inhparent = 'ledger_transfer'::regclass;

-- A month's partitions as V8 makes them (the function renamed), then their statement triggers.
alter function ledger_create_month(timestamptz) rename to ledger_create_month_tables;
create function ledger_create_month(day timestamptz) returns boolean language plpgsql as $$
declare
    created boolean := ledger_create_month_tables(day);
begin
    perform ledger_partition_checks(day);
    return created;
end;
$$;

-- The account guard once per update statement, over its old and new rows: identity, asset and
-- flags never change, posted totals never go down. Rows are paired by id; an update that changes
-- an id leaves a new id without its old row (or the other way round) and is refused as well.
-- Deletes keep their row trigger (they never happen; it only raises).
create function ledger_account_guard_rows() returns trigger language plpgsql as $$
declare
    bad uuid;
begin
    select coalesce(n.id, o.id) into bad
      from new_rows n full join old_rows o on o.id = n.id
     where n.id is null or o.id is null
        or n.asset <> o.asset or n.asset_scale <> o.asset_scale
        or n.code <> o.code or n.owner_ref is distinct from o.owner_ref
        or n.debits_must_not_exceed_credits <> o.debits_must_not_exceed_credits
        or n.credits_must_not_exceed_debits <> o.credits_must_not_exceed_debits
        or n.created_at <> o.created_at
        or n.debits_posted < o.debits_posted or n.credits_posted < o.credits_posted
     limit 1;
    if bad is not null then
        raise exception 'ledger: account %: only the totals of an account change, and posted'
            ' totals never decrease', bad using errcode = 'P0001';
    end if;
    return null;
end;
$$;
drop trigger ledger_account_guard on ledger_account;
create trigger ledger_account_no_delete before delete on ledger_account
    for each row execute function ledger_account_guard();
create trigger ledger_account_guard after update on ledger_account
    referencing old table as old_rows new table as new_rows
    for each statement execute function ledger_account_guard_rows();
