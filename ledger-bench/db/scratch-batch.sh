#!/usr/bin/env bash
# What one batch of 8,189 transfers costs PostgreSQL, statement by statement, without the service:
# a scratch database migrated with platform-common's and ledger-service's migrations (psql, in
# Flyway's order), 10,000 accounts, then RUNS batches (batch.sql), each printing the backend's CPU
# time per step and the insert statement's trigger times (EXPLAIN ANALYZE). The database grows by
# every batch, as a month's partitions do. docs/benchmarks.md, "Ledger (issue 3)", branch led-db.
#
# Usage: ledger-bench/db/scratch-batch.sh [RUNS=3] [DATABASE=tpw_ledger_scratch]  (keeps the
# database for further runs when KEEP=1; drops it otherwise). Run it under flock /tmp/tpw-heavy.lock.
# Environment: TPW_BENCH_PG_HOST/PORT/USER (default 127.0.0.1 5432 postgres); the server must be
# on this machine (the CPU is read from /proc).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RUNS="${1:-3}"
DATABASE="${2:-tpw_ledger_scratch}"
PG=(-h "${TPW_BENCH_PG_HOST:-127.0.0.1}" -p "${TPW_BENCH_PG_PORT:-5432}" -U "${TPW_BENCH_PG_USER:-postgres}")
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

if [[ -z "$(psql "${PG[@]}" -d postgres -Atc "select 1 from pg_database where datname = '$DATABASE'")" ]]; then
  psql "${PG[@]}" -d postgres -qc "create database $DATABASE"
  psql "${PG[@]}" -d "$DATABASE" -v ON_ERROR_STOP=1 -q \
    -f "$ROOT/platform-common/src/main/resources/db/common/V0_1__outbox_inbox_idempotency.sql"
  for f in $(ls "$ROOT"/ledger-service/src/main/resources/db/migration/V*.sql | sort -V); do
    psql "${PG[@]}" -d "$DATABASE" -v ON_ERROR_STOP=1 -q -1 -f "$f" >/dev/null
  done
  psql "${PG[@]}" -d "$DATABASE" -v ON_ERROR_STOP=1 -q -f "$HERE/setup.sql"
fi
echo "load: $(cat /proc/loadavg); migrations up to $(ls "$ROOT"/ledger-service/src/main/resources/db/migration | sort -V | tail -1)"
for i in $(seq 1 "$RUNS"); do
  month="$(psql "${PG[@]}" -d "$DATABASE" -Atc "select count(*) from ledger_transfer")"
  psql "${PG[@]}" -d "$DATABASE" -v ON_ERROR_STOP=1 -v explain_dir="$OUT" -q -f "$HERE/batch.sql" \
    | awk -v m="$month" '/^cpu/ { if (p != "") s = s sprintf("%s %.0f ms; ", $2, ($3 - p) / 1e6); p = $3 }
        END { print "batch over " m " transfers, backend CPU: " s }'
  grep -hE "^ Trigger.*time=" "$OUT/explain-insert.txt" | sed 's/^ */  /'
done
echo "load: $(cat /proc/loadavg)"
[[ "${KEEP:-0}" == 1 ]] || psql "${PG[@]}" -d postgres -qc "drop database $DATABASE"
