-- The ledger: accounts with posted totals, transfers and their double entries.
-- Amounts are integer minor units. NUMERIC(39,0) holds every amount up to Money.MINOR_MAX
-- (10^38 - 1) and the posted totals the service lets grow to the same bound.

create table ledger_account (
    id                              uuid          primary key,
    asset                           text          not null,
    asset_scale                     int           not null check (asset_scale between 0 and 18),
    code                            text          not null check (length(code) between 1 and 64),
    owner_ref                       text          check (length(owner_ref) <= 128),
    debits_must_not_exceed_credits  boolean       not null default false,
    credits_must_not_exceed_debits  boolean       not null default false,
    debits_posted                   numeric(39,0) not null default 0 check (debits_posted >= 0),
    credits_posted                  numeric(39,0) not null default 0 check (credits_posted >= 0),
    created_at                      timestamptz   not null default now(),
    -- A limit the database itself keeps, whatever code writes the row.
    constraint ledger_account_debits_within_credits
        check (not debits_must_not_exceed_credits or debits_posted <= credits_posted),
    constraint ledger_account_credits_within_debits
        check (not credits_must_not_exceed_debits or credits_posted <= debits_posted)
);

-- The id is made by the caller and doubles as the idempotency key of the transfer.
create table ledger_transfer (
    id                uuid          primary key,
    debit_account_id  uuid          not null references ledger_account (id),
    credit_account_id uuid          not null references ledger_account (id),
    amount            numeric(39,0) not null check (amount > 0),
    asset             text          not null,
    reference         text          not null default '' check (length(reference) <= 256),
    created_at        timestamptz   not null default now(),
    check (debit_account_id <> credit_account_id)
);
create index ledger_transfer_debit_account on ledger_transfer (debit_account_id, created_at);
create index ledger_transfer_credit_account on ledger_transfer (credit_account_id, created_at);

create table ledger_entry (
    id          bigserial     primary key,
    transfer_id uuid          not null references ledger_transfer (id),
    account_id  uuid          not null references ledger_account (id),
    direction   char(1)       not null check (direction in ('D', 'C')),
    amount      numeric(39,0) not null check (amount > 0),
    created_at  timestamptz   not null default now(),
    unique (transfer_id, direction)
);
-- The statement of an account, newest first, and its entries in a time range.
create index ledger_entry_account_id on ledger_entry (account_id, id);
create index ledger_entry_account_time on ledger_entry (account_id, created_at);

-- Append-only: a posted transfer and its entries are never changed or removed; a mistake is
-- corrected by a new transfer the other way.
create function ledger_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'ledger: % on % is not allowed, the ledger is append-only', tg_op, tg_table_name
        using errcode = 'P0001';
end;
$$;

create trigger ledger_transfer_append_only before update or delete on ledger_transfer
    for each row execute function ledger_refuse_change();
create trigger ledger_transfer_no_truncate before truncate on ledger_transfer
    for each statement execute function ledger_refuse_change();
create trigger ledger_entry_append_only before update or delete on ledger_entry
    for each row execute function ledger_refuse_change();
create trigger ledger_entry_no_truncate before truncate on ledger_entry
    for each statement execute function ledger_refuse_change();

-- An account's identity, asset and flags never change; only its posted totals move, and
-- only upwards.
create function ledger_account_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'ledger: accounts are never deleted' using errcode = 'P0001';
    end if;
    if new.id <> old.id or new.asset <> old.asset or new.asset_scale <> old.asset_scale
        or new.code <> old.code or new.owner_ref is distinct from old.owner_ref
        or new.debits_must_not_exceed_credits <> old.debits_must_not_exceed_credits
        or new.credits_must_not_exceed_debits <> old.credits_must_not_exceed_debits
        or new.created_at <> old.created_at then
        raise exception 'ledger: only the posted totals of an account change' using errcode = 'P0001';
    end if;
    if new.debits_posted < old.debits_posted or new.credits_posted < old.credits_posted then
        raise exception 'ledger: posted totals never decrease' using errcode = 'P0001';
    end if;
    return new;
end;
$$;
create trigger ledger_account_guard before update or delete on ledger_account
    for each row execute function ledger_account_guard();
create trigger ledger_account_no_truncate before truncate on ledger_account
    for each statement execute function ledger_refuse_change();

-- Double entry, checked at commit: every transfer has exactly one debit and one credit entry of
-- its amount, on its accounts.
create function ledger_transfer_balanced() returns trigger language plpgsql as $$
declare
    debits  int;
    credits int;
begin
    select count(*) filter (where direction = 'D' and account_id = new.debit_account_id
                                  and amount = new.amount),
           count(*) filter (where direction = 'C' and account_id = new.credit_account_id
                                  and amount = new.amount)
      into debits, credits
      from ledger_entry where transfer_id = new.id;
    if debits <> 1 or credits <> 1
        or (select count(*) from ledger_entry where transfer_id = new.id) <> 2 then
        raise exception 'ledger: transfer % does not have exactly one debit and one credit entry', new.id
            using errcode = 'P0001';
    end if;
    return null;
end;
$$;
create constraint trigger ledger_transfer_balanced after insert on ledger_transfer
    deferrable initially deferred
    for each row execute function ledger_transfer_balanced();
