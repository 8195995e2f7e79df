-- A retry of a signed request (same request, same message) must not count its amount in the day
-- total again: the decision log looks its payouts up by request.
create index signing_audit_request on signing_audit (key_id, request_id) where decision = 'SIGNED';
