#!/usr/bin/env bash
# The ledger benchmark of issue 3 (docs/benchmarks.md, "Ledger (issue 3)"): builds ledger-service
# and the driver, starts the ledger jar on its own port against the local PostgreSQL with a fresh
# database, runs the three workloads and pgbench (scale 1 and 100) at the same client count, prints
# the figures, and stops and drops everything it started. Bounded: each phase by --seconds and a
# transfer count; pgbench by --pgbench-seconds.
#
# Usage: ./tpw bench ledger [--seconds 20] [--clients 64] [--accounts 10000] [--pgbench-scales 1,100]
#        [--idempotency-key-header true]  (off by default: the transfer id is the idempotency key)
#        [--phases batch]  (a subset of single,hot,batch; batch alone is warmed up by batches)
#        (any option of io.tpwallet.ledgerbench.LedgerBench is passed on)
# Environment: TPW_BENCH_PG_HOST/PORT/USER (default 127.0.0.1 5432 postgres), TPW_BENCH_LEDGER_PORT
# (18082, not the local stack's 8082), TPW_BENCH_LEDGER_OPTS (JVM options of the ledger),
# TPW_BENCH_DATABASE (tpw_ledger_bench; dropped before and after the run). --help prints this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
for arg in "$@"; do
  case "$arg" in
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  esac
done

PG_HOST="${TPW_BENCH_PG_HOST:-127.0.0.1}"
PG_PORT="${TPW_BENCH_PG_PORT:-5432}"
PG_USER="${TPW_BENCH_PG_USER:-postgres}"
LEDGER_PORT="${TPW_BENCH_LEDGER_PORT:-18082}"
LEDGER_OPTS="${TPW_BENCH_LEDGER_OPTS:--Xms1g -Xmx1g}"
DATABASE="${TPW_BENCH_DATABASE:-tpw_ledger_bench}"
LEDGER_JAR=ledger-service/target/ledger-service-0.1.0-SNAPSHOT.jar
BENCH_CP="ledger-bench/target/ledger-bench-0.1.0-SNAPSHOT.jar:ledger-bench/target/lib/*"
LOG="${TMPDIR:-/tmp}/tpw-ledger-bench-$$.log"
psql_() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc "$1"; }

pg_isready -h "$PG_HOST" -p "$PG_PORT" >/dev/null || { echo "no PostgreSQL at $PG_HOST:$PG_PORT" >&2; exit 1; }
echo "synchronous_commit=$(psql_ 'show synchronous_commit') fsync=$(psql_ 'show fsync')" \
  "$(psql_ 'select version()' | cut -d, -f1)"

./mvnw -B -q -pl ledger-service,ledger-bench -am package -DskipTests -Dspotless.check.skip=true

psql_ "drop database if exists $DATABASE" >/dev/null
LEDGER_PID=""
cleanup() {
  if [[ -n "$LEDGER_PID" ]] && kill -0 "$LEDGER_PID" 2>/dev/null; then
    kill -TERM "$LEDGER_PID"
    wait "$LEDGER_PID" 2>/dev/null || true
  fi
  psql_ "drop database if exists $DATABASE" >/dev/null || true
}
trap cleanup EXIT

# Kafka is not started: the outbox rows are written in each batch's transaction as always, but
# not relayed, and the command consumers are off; the benchmark measures the posting path.
# shellcheck disable=SC2086
java $LEDGER_OPTS -jar "$LEDGER_JAR" \
  --server.port="$LEDGER_PORT" \
  --tpw.postgres.url="jdbc:postgresql://$PG_HOST:$PG_PORT/postgres" \
  --tpw.postgres.database="$DATABASE" \
  --spring.datasource.username="$PG_USER" \
  --tpw.outbox.relay-enabled=false \
  --spring.kafka.listener.auto-startup=false \
  --spring.kafka.admin.fail-fast=false \
  >"$LOG" 2>&1 </dev/null &
LEDGER_PID=$!
echo "ledger-service pid $LEDGER_PID on port $LEDGER_PORT, log $LOG"
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$LEDGER_PORT/actuator/health/liveness" >/dev/null 2>&1; then
    break
  fi
  kill -0 "$LEDGER_PID" 2>/dev/null || { tail -50 "$LOG" >&2; exit 1; }
  sleep 1
done

# The server's postmaster, so that the driver can add up the CPU of it and all its children.
DATADIR="$(psql_ 'show data_directory')"
POSTMASTER="$(pgrep -o -f -- "-D $DATADIR( |\$)" || echo 0)"

echo "uptime: $(uptime)"
java -Xmx2g -cp "$BENCH_CP" io.tpwallet.ledgerbench.LedgerBench \
  --url "http://127.0.0.1:$LEDGER_PORT" --ledger-pid "$LEDGER_PID" --postgres-pid "$POSTMASTER" \
  --pg-host "$PG_HOST" --pg-port "$PG_PORT" --pg-user "$PG_USER" "$@"
echo "uptime: $(uptime)"
