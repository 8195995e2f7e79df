-- The schema history of a MariaDB/MySQL job (JdbcSchemaHistory): the DDL the binlog reader has
-- seen, in order, so that a restarted job decodes binlog rows with the table layout they were
-- written under. PostgreSQL jobs have none (pgoutput carries the layout).
create table cdc_schema_history (
    job_id      uuid        not null references migration_job (id),
    seq         bigint      generated always as identity,
    record      text        not null, -- Debezium's history record, as JSON
    recorded_at timestamptz not null,
    primary key (job_id, seq)
);

-- The UUIDv5 namespace of the job's transfer and account ids (LegacyIds). The default one unless
-- the job was created with another: a second legacy database migrated into the same ledger needs
-- its own, since its primary keys repeat the first one's.
alter table migration_job add column id_namespace uuid not null
    default '3f6e2a8c-5b1d-4c7e-9a0f-7d2b8e4c1a60';
