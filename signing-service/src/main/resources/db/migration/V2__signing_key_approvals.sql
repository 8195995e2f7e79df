-- The key's approval rule (threshold, required count, approver public keys; one per line), or
-- null when the key needs no approvals. Fixed, like the rest of the policy, when the key is made.
alter table signing_key add column approvals text;
