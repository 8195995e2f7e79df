-- Indexes for the read side (io.tpwallet.ledger.statement): every list is a keyset page on
-- (created_at, id), so each filter's index ends in (created_at, id) and a page is one index range
-- scan whatever its depth.

-- Transfers of an account (each side scanned separately and merged) and in a time range.
drop index ledger_transfer_debit_account;
drop index ledger_transfer_credit_account;
create index ledger_transfer_debit_account on ledger_transfer (debit_account_id, created_at, id);
create index ledger_transfer_credit_account on ledger_transfer (credit_account_id, created_at, id);
create index ledger_transfer_time on ledger_transfer (created_at, id);
-- By reference (a payment id, an order number).
create index ledger_transfer_reference on ledger_transfer (reference, created_at, id);
-- By status: rows by kind; a hold's resolution is found through ledger_transfer_resolves_once.
create index ledger_transfer_kind on ledger_transfer (kind, created_at, id);

-- Statement lines and balance at a point in time: an account's entries in time order.
drop index ledger_entry_account_time;
create index ledger_entry_account_time on ledger_entry (account_id, created_at, id);
