-- This node's copy of the key's approval rule (threshold, required count, approver public keys;
-- one per line), or null when the key needs no approvals; checked by the node at every signature.
alter table node_key add column approvals text;
