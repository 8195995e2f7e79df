-- A legacy transaction read by a snapshot waits, unmapped, for the end of that snapshot, whatever
-- state it had before: a snapshot that Debezium reads again (its stored offsets said the snapshot
-- was not finished, e.g. after a crash between the runner's commit of the last snapshot batch and
-- the engine's offset commit) re-reads rows that were already mapped, and each is mapped again
-- from the state it had (a posted row reversed meanwhile gets its reversal, an unchanged one
-- nothing). The state alone ('STAGED') could not say so for rows mapped before.
alter table legacy_tx add column unmapped boolean not null default false;
update legacy_tx set unmapped = true where state = 'STAGED';
drop index legacy_tx_staged;
create index legacy_tx_unmapped on legacy_tx (job_id, tx_id) where unmapped;
