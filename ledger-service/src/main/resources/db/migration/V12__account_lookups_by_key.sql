-- The statements of a group commit touch a few dozen accounts, and each of them scanned the whole
-- account table (docs/benchmarks.md, "led-trip"): with 10,000 accounts, a group of 32 transfers
-- spent ~1 ms of backend CPU in each of the lock, the totals update and the insert's account check,
-- where index lookups take a few tens of microseconds. The rules stay the same; only how the rows
-- are found changes.
--
-- * The lock and the totals update join the batch's ids (unnest) with the accounts. The planner
--   costs a lookup by key as a random read from disk (random_page_cost) and a table of 10,000
--   accounts as 150 pages, so it hashed the ids and read every account. As functions that run with
--   sequential scans off, each id is one primary-key lookup; a batch of 8,189 transfers is ~16,000
--   lookups of a table that is in memory.
-- * ledger_transfer_has_its_entries (V9) checked "the debit account exists OR the credit account
--   exists" with two NOT EXISTS joined by OR: PostgreSQL cannot make that an anti-join and ran each
--   as a hashed subplan, i.e. a hash of every account, twice per statement. One NOT EXISTS over
--   both accounts of each row is an anti-join, with hash and merge joins off (V10) one lookup per
--   account. Everything else in the function is as in V9.

create function ledger_lock_accounts(ids uuid[]) returns setof ledger_account
    language plpgsql set enable_seqscan = off as $$
begin
    -- In id order (the uuid order, the same for every transaction), so that two batches that share
    -- accounts wait for each other instead of deadlocking.
    return query
        select a.* from ledger_account a join unnest(ids) as k(id) on a.id = k.id
         order by a.id for update of a;
end;
$$;

create function ledger_write_totals(ids uuid[], dp numeric[], cp numeric[], dq numeric[],
                                    cq numeric[]) returns bigint
    language plpgsql set enable_seqscan = off as $$
declare
    updated bigint;
begin
    update ledger_account a set debits_posted = v.dp, credits_posted = v.cp,
           debits_pending = v.dq, credits_pending = v.cq
      from unnest(ids, dp, cp, dq, cq) as v(id, dp, cp, dq, cq)
     where a.id = v.id;
    get diagnostics updated = row_count;
    return updated;
end;
$$;

create or replace function ledger_transfer_has_its_entries() returns trigger language plpgsql
    set enable_hashjoin = off set enable_mergejoin = off as $$
declare
    bad uuid;
begin
    select n.id into bad
      from new_rows n
     cross join lateral (values (n.debit_account_id), (n.credit_account_id)) as x(account_id)
     where not exists (select 1 from ledger_account a where a.id = x.account_id)
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
