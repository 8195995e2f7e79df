-- A sign command redelivered under a new event id, or a request id asked again, finds its earlier
-- signature here instead of asking the nodes twice; the audit API pages one key's requests by id.
create index signing_request_by_request on signing_request (key_id, request_id);
create index signing_request_by_key on signing_request (key_id, id);
