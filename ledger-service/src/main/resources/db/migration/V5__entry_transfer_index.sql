-- The deferred double-entry trigger (ledger_transfer_balanced) reads a transfer's entries by
-- transfer_id once per new transfer at commit. Without an index that is a scan of the whole entry
-- table per transfer: commits slow down as the ledger grows (quadratic for a batch of 8,189 on a
-- ledger of millions of entries). With it, each check is an index lookup of two rows.
create index ledger_entry_transfer on ledger_entry (transfer_id);
