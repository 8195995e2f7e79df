-- One batch as the ledger's writer sends it (TransferService.write), on a scratch database: 8,189
-- random pairs over the accounts of bench_acc (same-account pairs dropped), their accounts locked,
-- the writer's one insert statement (id rows, transfers, entries) under EXPLAIN ANALYZE, one update
-- of the changed accounts, the outbox rows of one event per transfer and per changed account (~600
-- bytes each, shaped like the CloudEvents the ledger writes) framed as platform-common's Outbox.addAll
-- frames them (group rows of 1,000 events: count, then id, topic, key and bytes of each; the framing
-- is done before the clock starts, as the service does it in Java), commit. Prints "cpu <step> <ns>" marks read from
-- /proc/<backend pid>/schedstat (the backend's own CPU time); run by scratch-batch.sh.
create temp table r as
select gen_random_uuid() as id, d.id as debit, c.id as credit, (1 + (random()*1000)::int)::numeric as amount,
  'USD'::text as asset, 'ref-' || md5(random()::text) as reference, 'SINGLE'::text as kind,
  null::uuid as pending_id, null::timestamptz as timeout_at, now() as created_at, null::uuid as reverses_id,
  null::text as legacy_ref, null::text as metadata, g as n
from generate_series(1, 8189) g
join bench_acc d on d.k = 1 + (g * 7919 + (random()*100)::int) % 10000
join bench_acc c on c.k = 1 + (g * 104729 + 5000 + (random()*100)::int) % 10000
where d.id <> c.id;
create temp table ob as
select gen_random_uuid() as id, 'ledger.transfer.posted' as topic, r.id::text as aggregate, 'io.tpwallet.ledger.transfer.posted' as type,
  convert_to('{"specversion":"1.0","id":"' || gen_random_uuid() || '","source":"/ledger","type":"io.tpwallet.ledger.transfer.posted","subject":"' || r.id || '","time":"2026-12-03T15:00:00Z","datacontenttype":"application/json","data":{"transferId":"' || r.id || '","debitAccountId":"' || r.debit || '","creditAccountId":"' || r.credit || '","amount":"' || r.amount || '","asset":"USD","reference":"' || r.reference || '","createdAt":"2026-12-03T15:00:00.123456Z","pendingId":null}}', 'UTF8') as payload,
  r.n as n
from r
union all
select gen_random_uuid(), 'ledger.balance.changed', a.id::text, 'io.tpwallet.ledger.balance.changed',
  convert_to('{"specversion":"1.0","id":"' || gen_random_uuid() || '","source":"/ledger","type":"io.tpwallet.ledger.balance.changed","subject":"' || a.id || '","time":"2026-12-03T15:00:00Z","datacontenttype":"application/json","data":{"accountId":"' || a.id || '","asset":"USD","debitsPosted":"123456","creditsPosted":"654321","debitsPending":"0","creditsPending":"0","balance":"530865","at":"2026-12-03T15:00:00.123456Z"}}', 'UTF8'), 100000 + row_number() over ()
from (select debit as id from r union select credit from r) a;
create temp table og as
select gen_random_uuid() as id, g,
  int4send(count(*)::int) || string_agg(uuid_send(id) || int4send(octet_length(convert_to(topic, 'UTF8')))
    || convert_to(topic, 'UTF8') || int4send(octet_length(convert_to(aggregate, 'UTF8'))) || convert_to(aggregate, 'UTF8')
    || int4send(octet_length(payload)) || payload, ''::bytea order by n) as payload
from (select ob.*, (row_number() over (order by n) - 1) / 1000 as g from ob) o
group by g;
analyze r; analyze ob; analyze og;
select count(*) as transfers from r; select count(*) as outbox from ob; select count(*) as outbox_rows from og;
select pg_backend_pid() as pid \gset
\setenv PID :pid
\timing on
\! echo cpu start $(cut -d' ' -f1 /proc/$PID/schedstat)
begin;
select count(*) from (select 1 from ledger_account a join (select debit as id from r union select credit from r) x on x.id = a.id for update of a) s;
\! echo cpu lock $(cut -d' ' -f1 /proc/$PID/schedstat)
\o :explain_dir/explain-insert.txt
explain (analyze, buffers, timing on)
with ids as (
  insert into ledger_transfer_id (id, created_at, pending_id)
  select r.id, r.created_at, r.pending_id from r order by r.n
  on conflict (id) do nothing returning id),
t as (
  insert into ledger_transfer (id, debit_account_id, credit_account_id, amount, asset, reference, kind,
      pending_id, timeout_at, created_at, reverses_id, legacy_ref, metadata, batch_id)
  select r.id, r.debit, r.credit, r.amount, r.asset, r.reference, r.kind, r.pending_id, r.timeout_at,
      r.created_at, r.reverses_id, r.legacy_ref, r.metadata, gen_random_uuid()
  from r join ids on ids.id = r.id order by r.n returning 1),
e as (
  insert into ledger_entry (transfer_id, account_id, direction, amount, created_at)
  select r.id, case d.direction when 'D' then r.debit else r.credit end, d.direction, r.amount, r.created_at
  from r join ids on ids.id = r.id cross join (values ('D', 1), ('C', 2)) as d(direction, k)
  where r.kind in ('SINGLE', 'POST') order by r.n, d.k returning 1)
select count(*) from t;
\! echo cpu tx+entries $(cut -d' ' -f1 /proc/$PID/schedstat)
\o
update ledger_account a set debits_posted = a.debits_posted + s.d, credits_posted = a.credits_posted + s.c
from (select id, sum(d) d, sum(c) c from (select debit id, amount d, 0 c from r union all select credit, 0, amount from r) q group by id) s
where a.id = s.id;
\! echo cpu accounts $(cut -d' ' -f1 /proc/$PID/schedstat)
\o :explain_dir/explain-outbox.txt
explain (analyze, buffers, timing on)
insert into outbox_event (event_id, topic, aggregate_id, event_type, payload)
select og.id, 'tpw.outbox.group.v1', 'tpw.outbox.group.v1', 'tpw.outbox.group.v1', og.payload
from og order by og.g;
\! echo cpu outbox $(cut -d' ' -f1 /proc/$PID/schedstat)
\o
commit;
\! echo cpu commit $(cut -d' ' -f1 /proc/$PID/schedstat)
\timing off
