-- Transfers and entries partitioned by month of created_at (UTC), so that a cold month can be
-- archived to compressed files and its partitions dropped (io.tpwallet.ledger.archive), and
-- restored from them.
--
-- PostgreSQL requires every unique constraint of a partitioned table to contain the partition key,
-- so the global uniqueness the ledger relies on moves to a small unpartitioned table,
-- ledger_transfer_id, written by the same statement as the transfers:
--   * a transfer id is the idempotency key: unique across all months, archived ones included;
--   * a hold is resolved at most once: pending_id unique across all months;
--   * created_at tells which month a transfer lives in.
-- A statement-level trigger with a transition table checks, once per insert statement, that every
-- new transfer row has its ledger_transfer_id row with the same created_at and pending_id, so the
-- guarantees hold whatever code writes the rows. Entries are partitioned on their transfer's
-- created_at (the writer gives both the same time); a statement-level trigger checks that each
-- names a transfer of its month (their foreign key, see below). The hash chain is untouched: it
-- hashes rows, not where they live.
--
-- Partitions: one per month, created on demand by the writer (ledger_ensure_month, called before
-- a batch takes its account locks for a month the writer has not seen) and ahead of time by a
-- job at start and hourly (this month and the next two), so live traffic never creates one. No DEFAULT
-- partition: rows in it would have to be moved when their month is created, and it would accept
-- an import into a month that has been archived (which must fail: the archive would no longer be
-- the month).

-- The archive index (retained when a month's partitions are dropped).
create table ledger_archive (
    month            date        primary key check (month = date_trunc('month', month)::date),
    transfers        bigint      not null check (transfers >= 0),
    entries          bigint      not null check (entries >= 0),
    first_transfer_id uuid,
    last_transfer_id uuid,
    first_created_at timestamptz,
    last_created_at  timestamptz,
    transfers_file   text        not null,
    transfers_sha256 bytea       not null check (length(transfers_sha256) = 32),
    entries_file     text        not null,
    entries_sha256   bytea       not null check (length(entries_sha256) = 32),
    archived_at      timestamptz not null
);
-- Per chain batch with rows in the archived month: how many, and the link's hash when the month
-- was archived (verify checks the link against it instead of rehashing rows it no longer has).
create table ledger_archive_batch (
    month     date   not null references ledger_archive (month) on delete cascade,
    batch_id  uuid   not null,
    transfers int    not null check (transfers >= 0),
    entries   int    not null check (entries >= 0),
    hash      bytea  not null check (length(hash) = 32),
    primary key (batch_id, month)
);
-- Per account with entries or transfers in the archived month: its posted debits and credits
-- there, so that a balance at a time after the month still counts them, and a query on the
-- account knows it reaches the archive.
create table ledger_archive_account (
    month      date          not null references ledger_archive (month) on delete cascade,
    account_id uuid          not null,
    debits     numeric(39,0) not null,
    credits    numeric(39,0) not null,
    primary key (account_id, month)
);

-- The old tables make way (their rows kept in plain copies, carried over below; dropping a table
-- fires no row trigger). The entry id sequence stays, so that entry ids keep growing.
create temporary table ledger_transfer_v7 as select * from ledger_transfer;
create temporary table ledger_entry_v7 as select * from ledger_entry;
alter sequence ledger_entry_id_seq owned by none;
alter table ledger_pending_timeout drop constraint ledger_pending_timeout_transfer_id_fkey;
drop table ledger_entry;
drop table ledger_transfer;

create table ledger_transfer_id (
    id         uuid        primary key,
    created_at timestamptz not null,
    pending_id uuid        references ledger_transfer_id (id)
);
-- A hold is resolved at most once, whatever the code does, across every month.
create unique index ledger_transfer_id_resolves_once on ledger_transfer_id (pending_id)
    where pending_id is not null;

create table ledger_transfer (
    id                uuid          not null,
    debit_account_id  uuid          not null references ledger_account (id),
    credit_account_id uuid          not null references ledger_account (id),
    amount            numeric(39,0) not null check (amount > 0),
    asset             text          not null,
    reference         text          not null default '' check (length(reference) <= 256),
    created_at        timestamptz   not null default now(),
    kind              text          not null default 'SINGLE'
        check (kind in ('SINGLE', 'PENDING', 'POST', 'VOID', 'EXPIRE')),
    pending_id        uuid          references ledger_transfer_id (id),
    timeout_at        timestamptz,
    batch_id          uuid,
    reverses_id       uuid          references ledger_transfer_id (id),
    legacy_ref        text          check (length(legacy_ref) between 1 and 128),
    metadata          text          constraint ledger_transfer_metadata_size
        check (octet_length(metadata) <= 4096),
    primary key (id, created_at),
    check (debit_account_id <> credit_account_id),
    constraint ledger_transfer_resolution_names_its_hold
        check ((kind in ('POST', 'VOID', 'EXPIRE')) = (pending_id is not null)),
    constraint ledger_transfer_only_holds_time_out
        check (timeout_at is null or kind = 'PENDING'),
    constraint ledger_transfer_reversal_posts check (reverses_id is null or kind = 'SINGLE')
) partition by range (created_at);

create table ledger_entry (
    id          bigint        not null default nextval('ledger_entry_id_seq'),
    transfer_id uuid          not null,
    account_id  uuid          not null references ledger_account (id),
    direction   char(1)       not null check (direction in ('D', 'C')),
    amount      numeric(39,0) not null check (amount > 0),
    created_at  timestamptz   not null default now(),
    primary key (id, created_at),
    unique (transfer_id, direction, created_at)
) partition by range (created_at);
alter sequence ledger_entry_id_seq owned by ledger_entry.id;

-- The indexes of V3, V4, V5 and V7, on every partition.
create index ledger_transfer_debit_account on ledger_transfer (debit_account_id, created_at, id);
create index ledger_transfer_credit_account on ledger_transfer (credit_account_id, created_at, id);
create index ledger_transfer_time on ledger_transfer (created_at, id);
create index ledger_transfer_reference on ledger_transfer (reference, created_at, id);
create index ledger_transfer_kind on ledger_transfer (kind, created_at, id);
create index ledger_transfer_resolves on ledger_transfer (pending_id) where pending_id is not null;
create index ledger_transfer_batch on ledger_transfer (batch_id);
create index ledger_transfer_reverses on ledger_transfer (reverses_id) where reverses_id is not null;
create index ledger_transfer_legacy_ref on ledger_transfer (legacy_ref) where legacy_ref is not null;
create index ledger_transfer_imported_debit on ledger_transfer (debit_account_id, created_at)
    where legacy_ref is not null;
create index ledger_transfer_imported_credit on ledger_transfer (credit_account_id, created_at)
    where legacy_ref is not null;
create index ledger_transfer_metadata on ledger_transfer
    using gin ((metadata::jsonb) jsonb_path_ops) where metadata is not null;
create index ledger_entry_account_id on ledger_entry (account_id, id);
create index ledger_entry_account_time on ledger_entry (account_id, created_at, id);
create index ledger_entry_transfer on ledger_entry (transfer_id);

-- Creates the month's partitions of both tables if they do not exist yet (with the truncate
-- guard, which a statement trigger on the parent does not give a partition truncated directly).
-- Returns whether it created anything. Months are UTC. Creating a partition locks the parent
-- tables exclusively until commit: callers do it first (the writer, before its account locks) or
-- in a transaction of its own (restore).
create function ledger_create_month(day timestamptz) returns boolean language plpgsql as $$
declare
    start   date := date_trunc('month', day at time zone 'UTC')::date;
    suffix  text := to_char(start, '"y"YYYY"m"MM');
    low     text := to_char(start, 'YYYY-MM-DD') || ' 00:00:00+00';
    high    text := to_char((start + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00';
    created boolean := false;
    parent  text;
begin
    if to_regclass('ledger_transfer_' || suffix) is not null
        and to_regclass('ledger_entry_' || suffix) is not null then
        return false;
    end if;
    -- Two writers creating the same month: the second waits here, then finds it.
    perform pg_advisory_xact_lock(hashtext('ledger_create_month'));
    foreach parent in array array['ledger_transfer', 'ledger_entry'] loop
        if to_regclass(parent || '_' || suffix) is null then
            execute format('create table %I partition of %I for values from (%L) to (%L)',
                           parent || '_' || suffix, parent, low, high);
            execute format('create trigger %I before truncate on %I'
                           ' for each statement execute function ledger_refuse_change()',
                           parent || '_no_truncate', parent || '_' || suffix);
            created := true;
        end if;
    end loop;
    return created;
end;
$$;

-- What the writer calls: the month's partitions, unless the month is archived (an import into an
-- archived month fails, so that the archive stays the whole month).
create function ledger_ensure_month(day timestamptz) returns boolean language plpgsql as $$
begin
    if exists (select 1 from ledger_archive
                where month = date_trunc('month', day at time zone 'UTC')::date) then
        raise exception 'ledger: month % is archived, restore it before writing into it',
            to_char(day at time zone 'UTC', 'YYYY-MM') using errcode = 'P0001';
    end if;
    return ledger_create_month(day);
end;
$$;

-- A partition for every month that has rows, and this month and the next two.
select ledger_ensure_month(m)
  from (select distinct date_trunc('month', created_at at time zone 'UTC') at time zone 'UTC' as m
          from ledger_transfer_v7
        union
        select date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' + make_interval(months => k)
          from generate_series(0, 2) as k) months;

-- The rows, as they were (entry ids included). Triggers are created afterwards: these rows were
-- checked when they were first written.
insert into ledger_transfer_id (id, created_at, pending_id)
select id, created_at, pending_id from ledger_transfer_v7;
insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset, reference,
    created_at, kind, pending_id, timeout_at, batch_id, reverses_id, legacy_ref, metadata)
select id, debit_account_id, credit_account_id, amount, asset, reference, created_at, kind,
    pending_id, timeout_at, batch_id, reverses_id, legacy_ref, metadata
from ledger_transfer_v7;
insert into ledger_entry (id, transfer_id, account_id, direction, amount, created_at)
select e.id, e.transfer_id, e.account_id, e.direction, e.amount, t.created_at
from ledger_entry_v7 e join ledger_transfer_v7 t on t.id = e.transfer_id;
drop table ledger_entry_v7;
drop table ledger_transfer_v7;


alter table ledger_pending_timeout
    add constraint ledger_pending_timeout_transfer_id_fkey
        foreign key (transfer_id) references ledger_transfer_id (id);

-- Transfers written before V3 have no batch; every later one must (as V3, on every partition).
alter table ledger_transfer
    add constraint ledger_transfer_in_a_batch check (batch_id is not null) not valid;

-- Append-only, as before: on the parents, so every partition inherits them.
create trigger ledger_transfer_append_only before update or delete on ledger_transfer
    for each row execute function ledger_refuse_change();
create trigger ledger_transfer_no_truncate before truncate on ledger_transfer
    for each statement execute function ledger_refuse_change();
create trigger ledger_entry_append_only before update or delete on ledger_entry
    for each row execute function ledger_refuse_change();
create trigger ledger_entry_no_truncate before truncate on ledger_entry
    for each statement execute function ledger_refuse_change();
create trigger ledger_transfer_id_append_only before update or delete on ledger_transfer_id
    for each row execute function ledger_refuse_change();
create trigger ledger_transfer_id_no_truncate before truncate on ledger_transfer_id
    for each statement execute function ledger_refuse_change();

-- Every new transfer has its id row, with its time and the hold it resolves: one check per
-- insert statement over the rows it inserted (a transition table), not a trigger per row.
create function ledger_transfer_has_its_id() returns trigger language plpgsql as $$
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
    return null;
end;
$$;
create trigger ledger_transfer_has_its_id after insert on ledger_transfer
    referencing new table as new_rows
    for each statement execute function ledger_transfer_has_its_id();

-- Every new entry names a transfer of its own month: the entries' foreign key to their transfer,
-- checked once per insert statement over the rows it inserted. Not a FOREIGN KEY constraint: a
-- foreign key to a partitioned table runs one referential query per entry through the partitioned
-- parent, which tripled the cost of inserting a batch's entries (and grows with the number of
-- months). What a foreign key also gives, that a referenced row is not deleted, the append-only
-- triggers give; the archive drops a month's entries before its transfers.
create function ledger_entry_has_its_transfer() returns trigger language plpgsql as $$
declare
    bad uuid;
begin
    select e.transfer_id into bad
      from new_rows e
     where not exists (select 1 from ledger_transfer t
                        where t.id = e.transfer_id and t.created_at = e.created_at)
     limit 1;
    if bad is not null then
        raise exception 'ledger: an entry names transfer %, which is not in the entry''s month', bad
            using errcode = '23503';
    end if;
    return null;
end;
$$;
create trigger ledger_entry_has_its_transfer after insert on ledger_entry
    referencing new table as new_rows
    for each statement execute function ledger_entry_has_its_transfer();

-- Double entry at commit, as V2, reading only the transfer's own month of entries.
create or replace function ledger_transfer_balanced() returns trigger language plpgsql as $$
declare
    debits  int;
    credits int;
    total   int;
begin
    select count(*) filter (where direction = 'D' and account_id = new.debit_account_id
                                  and amount = new.amount),
           count(*) filter (where direction = 'C' and account_id = new.credit_account_id
                                  and amount = new.amount),
           count(*)
      into debits, credits, total
      from ledger_entry where transfer_id = new.id and created_at = new.created_at;
    if new.kind in ('SINGLE', 'POST') then
        if debits <> 1 or credits <> 1 or total <> 2 then
            raise exception 'ledger: transfer % does not have exactly one debit and one credit entry', new.id
                using errcode = 'P0001';
        end if;
    elsif total <> 0 then
        raise exception 'ledger: % transfer % may not have entries', new.kind, new.id
            using errcode = 'P0001';
    end if;
    return null;
end;
$$;
create constraint trigger ledger_transfer_balanced after insert on ledger_transfer
    deferrable initially deferred
    for each row execute function ledger_transfer_balanced();
create constraint trigger ledger_reversal_within_original after insert on ledger_transfer
    deferrable initially deferred
    for each row when (new.reverses_id is not null)
    execute function ledger_reversal_within_original();
