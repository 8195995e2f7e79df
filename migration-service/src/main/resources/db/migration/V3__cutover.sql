-- Each cutover attempt of a job and its outcome. status: FREEZING, DRAINING, RECONCILING,
-- SWITCHED (the platform is the system of record), FAILED (legacy was unfrozen again) or
-- ROLLED_BACK (a switch undone: legacy unfrozen). frozen_ms: how long legacy writes were frozen
-- before the switch (or before the failed attempt unfroze them).
create table migration_cutover (
    id             bigserial   primary key,
    job_id         uuid        not null references migration_job (id),
    freeze_method  text        not null,
    status         text        not null,
    started_at     timestamptz not null,
    frozen_at      timestamptz,
    drained_at     timestamptz,
    switched_at    timestamptz,
    unfrozen_at    timestamptz,
    frozen_ms      bigint,
    detail         text
);
create index migration_cutover_job on migration_cutover (job_id, id);
