-- What this node signed per key and UTC day, kept as one row so that the per-day limit is checked
-- and raised by a single guarded upsert at the end of round two: the row is locked only for that
-- statement and the audit insert, not while the share is computed (the old check summed the
-- day's audit rows under a lock on the key, which serialised every signature of a key).
create table signing_day_total (
  key_id  text not null references node_key (key_id),
  day     date not null,
  amount  numeric(39, 0) not null check (amount >= 0),
  primary key (key_id, day)
);

insert into signing_day_total (key_id, day, amount)
select key_id, (at at time zone 'UTC')::date, sum(amount)
  from signing_audit
 where decision = 'SIGNED' and amount is not null
 group by 1, 2;
