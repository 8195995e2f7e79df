-- Bounded JSON metadata on a transfer (an object, at most 4 KiB, nesting at most 4 deep; the
-- service checks depth and answers 400). Stored as text, not jsonb: it is the exact canonical
-- text (keys sorted, no blanks) that the service hashed into the chain, so that verify rehashes
-- the same bytes; jsonb would re-order keys and re-space values its own way.
alter table ledger_transfer
    add column metadata text
        constraint ledger_transfer_metadata_size check (octet_length(metadata) <= 4096);

-- Queries by a key and value (metadata @> {"key": "value"}) use this GIN index over the text
-- read as jsonb (the text-to-jsonb cast is immutable, so it can be indexed).
create index ledger_transfer_metadata on ledger_transfer
    using gin ((metadata::jsonb) jsonb_path_ops) where metadata is not null;
