-- Share repair: a helper records that it released pieces of its share for a repair
-- (REPAIR_HELPED), the repaired node that it sealed a repaired share (REPAIRED). Pieces, sums and
-- unchecked shares are never written: they live in the node's memory for the repair only.
alter table signing_audit drop constraint signing_audit_decision_check;
alter table signing_audit add constraint signing_audit_decision_check
  check (decision in ('SIGNED', 'REFUSED', 'REPAIR_HELPED', 'REPAIRED'));
