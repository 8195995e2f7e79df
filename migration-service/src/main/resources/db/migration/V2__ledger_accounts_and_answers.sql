-- Ledger accounts the runner has opened in ledger-service (ids from LegacyIds, shared by every job
-- over the same legacy database): an account listed here is not asked for again.
create table ledger_account (
    account_id uuid        primary key,
    asset      text        not null,
    code       text        not null,
    owner_ref  text        not null,
    opened_at  timestamptz not null
);

-- The ledger's answer to each command, from tpw.ledger.transfer-posted.v1 / -rejected.v1 (through
-- the inbox): null while the command is still on its way, so reconciliation knows what to wait for.
alter table ledger_command
    add column answer        text,        -- POSTED or REJECTED
    add column answer_code   text,        -- the ledger's result name when rejected
    add column answer_detail text,
    add column answered_at   timestamptz;
create index ledger_command_transfer on ledger_command (transfer_id);
create index ledger_command_unanswered on ledger_command (job_id) where answer is null;
