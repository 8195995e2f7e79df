-- An account's limit flags (debits_must_not_exceed_credits, credits_must_not_exceed_debits) may
-- change, and only together with a record of the change.
--
-- Why: a migrated legacy wallet is opened without the no-overdraft limit (its history contains
-- overdrafts that the ledger copies as they happened); at cutover it gets the limit, so that
-- payments after cutover can never overdraw it; on rollback it loses it again while legacy history
-- streams in (POST /v1/ledger/accounts/limits, io.tpwallet.ledger.account.AccountLimits).
--
-- The rules, the database's whatever code writes the rows:
--   * a flag of an account changes only in a transaction that has inserted a row of
--     ledger_account_limit_change for that account, that limit and the new value (the account
--     guard below); no other path can flip a flag silently;
--   * each such row records a transition: the flag was the other value when the row was inserted
--     (the row trigger locks the account row and looks), the flag has the row's value when the
--     transaction commits (a deferred check), and one transaction changes one limit of one
--     account at most once (a unique key), so the table is exactly the history of the flag;
--   * the rows are append-only, like the transfers;
--   * setting a limit on an account already past it is refused by the limit's check constraint
--     (ledger_account_debits_within_credits / ..._credits_within_debits, unchanged);
--   * an account never has both limits (it could never be posted to): a check constraint, NOT
--     VALID so that it holds for every row written from now on without rereading the table (the
--     service has always refused to open such an account).
--
-- Not in the hash chain (ledger_chain): the chain covers what moves money, the transfers and
-- their entries, and accounts are not in it (neither their opening flags nor their totals). A
-- limit change moves no money; the refusals it causes write nothing. This table is append-only by
-- its triggers and each of its rows is tied to the flag it changed by the checks above.

create table ledger_account_limit_change (
    seq            bigint      generated always as identity primary key,
    id             uuid        not null unique,
    account_id     uuid        not null references ledger_account (id),
    limit_name     text        not null check (limit_name in
                                   ('DEBITS_MUST_NOT_EXCEED_CREDITS', 'CREDITS_MUST_NOT_EXCEED_DEBITS')),
    set            boolean     not null,
    reason         text        not null check (length(reason) between 1 and 256),
    changed_at     timestamptz not null,
    -- The transaction that made the change (set by the row trigger, whatever the insert says):
    -- what the account guard looks for.
    changed_in_tx  xid8        not null,
    constraint ledger_account_limit_change_once_per_tx unique (account_id, limit_name, changed_in_tx)
);
create index ledger_account_limit_change_account on ledger_account_limit_change (account_id, seq);

create trigger ledger_account_limit_change_append_only
    before update or delete on ledger_account_limit_change
    for each row execute function ledger_refuse_change();
create trigger ledger_account_limit_change_no_truncate
    before truncate on ledger_account_limit_change
    for each statement execute function ledger_refuse_change();

-- The flag a limit name stands for, of an account row.
create function ledger_account_limit(a ledger_account, limit_name text) returns boolean
    language sql immutable as $$
    select case limit_name
               when 'DEBITS_MUST_NOT_EXCEED_CREDITS' then a.debits_must_not_exceed_credits
               when 'CREDITS_MUST_NOT_EXCEED_DEBITS' then a.credits_must_not_exceed_debits
           end
$$;

-- A new row is a transition: the account's flag is the other value now. Locks the account row, so
-- that two transactions recording the same change wait for each other and the second is refused.
create function ledger_account_limit_change_checked() returns trigger language plpgsql as $$
declare
    was boolean;
begin
    new.changed_in_tx := pg_current_xact_id();
    select ledger_account_limit(a, new.limit_name) into was
      from ledger_account a where a.id = new.account_id for update;
    if not found then
        raise exception 'ledger: limit change of account %, which does not exist', new.account_id
            using errcode = '23503';
    end if;
    if was = new.set then
        raise exception 'ledger: account %: % is already %, a limit change must change it',
            new.account_id, new.limit_name, case when new.set then 'set' else 'clear' end
            using errcode = 'P0001';
    end if;
    return new;
end;
$$;
create trigger ledger_account_limit_change_checked
    before insert on ledger_account_limit_change
    for each row execute function ledger_account_limit_change_checked();

-- At commit, the account's flag is what the row says it was changed to.
create function ledger_account_limit_change_applied() returns trigger language plpgsql as $$
begin
    if not exists (select 1 from ledger_account a
                    where a.id = new.account_id and ledger_account_limit(a, new.limit_name) = new.set) then
        raise exception 'ledger: limit change % of account % was recorded but the flag was not changed',
            new.id, new.account_id using errcode = 'P0001';
    end if;
    return null;
end;
$$;
create constraint trigger ledger_account_limit_change_applied
    after insert on ledger_account_limit_change
    deferrable initially deferred
    for each row execute function ledger_account_limit_change_applied();

alter table ledger_account
    add constraint ledger_account_one_limit
        check (not (debits_must_not_exceed_credits and credits_must_not_exceed_debits)) not valid;

-- The account guard of V9, once per update statement over its old and new rows: identity and
-- asset never change, posted totals never go down, and a flag changes only with its limit-change
-- row of this transaction. Still one pass over the rows: the history is looked up (by the unique
-- key) only for a row whose flag changed, so a posting's update of totals pays nothing more.
create or replace function ledger_account_guard_rows() returns trigger language plpgsql as $$
declare
    bad       uuid;
    flag_only boolean;
begin
    select coalesce(n.id, o.id),
           n.id is not null and o.id is not null
           and n.asset = o.asset and n.asset_scale = o.asset_scale
           and n.code = o.code and n.owner_ref is not distinct from o.owner_ref
           and n.created_at = o.created_at
           and n.debits_posted >= o.debits_posted and n.credits_posted >= o.credits_posted
      into bad, flag_only
      from new_rows n full join old_rows o on o.id = n.id
     where n.id is null or o.id is null
        or n.asset <> o.asset or n.asset_scale <> o.asset_scale
        or n.code <> o.code or n.owner_ref is distinct from o.owner_ref
        or n.created_at <> o.created_at
        or n.debits_posted < o.debits_posted or n.credits_posted < o.credits_posted
        or (n.debits_must_not_exceed_credits <> o.debits_must_not_exceed_credits
            and not exists (select 1 from ledger_account_limit_change c
                             where c.account_id = n.id
                               and c.limit_name = 'DEBITS_MUST_NOT_EXCEED_CREDITS'
                               and c.changed_in_tx = pg_current_xact_id()
                               and c.set = n.debits_must_not_exceed_credits))
        or (n.credits_must_not_exceed_debits <> o.credits_must_not_exceed_debits
            and not exists (select 1 from ledger_account_limit_change c
                             where c.account_id = n.id
                               and c.limit_name = 'CREDITS_MUST_NOT_EXCEED_DEBITS'
                               and c.changed_in_tx = pg_current_xact_id()
                               and c.set = n.credits_must_not_exceed_debits))
     limit 1;
    if bad is not null and flag_only then
        raise exception 'ledger: account %: a limit flag changes only with its row in'
            ' ledger_account_limit_change, written by the same transaction', bad
            using errcode = 'P0001';
    end if;
    if bad is not null then
        raise exception 'ledger: account %: only the totals of an account change, and posted'
            ' totals never decrease', bad using errcode = 'P0001';
    end if;
    return null;
end;
$$;
