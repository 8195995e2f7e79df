-- Two-phase transfers (holds) and batches.
--
-- A hold (kind PENDING) reserves an amount on both accounts without posting it: the accounts'
-- pending totals grow, and the limits count them, so that money held for one payment cannot be
-- spent by another. A hold is then resolved exactly once by a new transfer that references it:
-- POST (all or part of the held amount becomes posted, the rest is released), VOID (all released)
-- or EXPIRE (released by the ledger after the hold's timeout). The hold row itself never changes:
-- its status is read from the transfer that resolved it.

alter table ledger_account
    add column debits_pending  numeric(39,0) not null default 0 check (debits_pending >= 0),
    add column credits_pending numeric(39,0) not null default 0 check (credits_pending >= 0);

-- The limits count what is held as well as what is posted.
alter table ledger_account
    drop constraint ledger_account_debits_within_credits,
    add constraint ledger_account_debits_within_credits
        check (not debits_must_not_exceed_credits or debits_posted + debits_pending <= credits_posted),
    drop constraint ledger_account_credits_within_debits,
    add constraint ledger_account_credits_within_debits
        check (not credits_must_not_exceed_debits or credits_posted + credits_pending <= debits_posted);

alter table ledger_transfer
    add column kind text not null default 'SINGLE'
        check (kind in ('SINGLE', 'PENDING', 'POST', 'VOID', 'EXPIRE')),
    add column pending_id uuid references ledger_transfer (id),
    add column timeout_at timestamptz,
    add constraint ledger_transfer_resolution_names_its_hold
        check ((kind in ('POST', 'VOID', 'EXPIRE')) = (pending_id is not null)),
    add constraint ledger_transfer_only_holds_time_out
        check (timeout_at is null or kind = 'PENDING');

-- A hold is resolved at most once, whatever the code does: a second POST, VOID or EXPIRE of the
-- same hold cannot be inserted.
create unique index ledger_transfer_resolves_once on ledger_transfer (pending_id)
    where pending_id is not null;

-- Holds with a timeout that are still open, for the expiry job. This is working state, not the
-- record: a row is deleted when its hold is resolved; the hold's transfer row stays as it was.
create table ledger_pending_timeout (
    transfer_id uuid        primary key references ledger_transfer (id),
    timeout_at  timestamptz not null
);
create index ledger_pending_timeout_due on ledger_pending_timeout (timeout_at);

-- Double entry, checked at commit: a transfer that posts (SINGLE, POST) has exactly one debit and
-- one credit entry of its amount on its accounts; a hold, void or expiry posts nothing and has no
-- entries.
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
      from ledger_entry where transfer_id = new.id;
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
