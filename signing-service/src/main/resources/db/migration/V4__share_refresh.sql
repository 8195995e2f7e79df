-- The share generation the nodes sign with (null until the first refresh), and when it began.
alter table signing_key add column refresh_id text;
alter table signing_key add column refreshed_at timestamptz;
