-- Repairs of a lost share: who was repaired, by which helpers, and how it ended. A row is written
-- only once the lost node and t helpers agreed to take part; refusals before that leave nothing.
create table signing_repair (
  repair_id    text primary key,
  key_id       text not null references signing_key (key_id),
  participant  integer not null,
  helpers      text not null,
  state        text not null check (state in ('RUNNING', 'DONE', 'FAILED')),
  detail       text,
  started_at   timestamptz not null,
  finished_at  timestamptz
);

create index signing_repair_by_key on signing_repair (key_id, started_at);
