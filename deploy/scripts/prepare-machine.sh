#!/usr/bin/env bash
# Prepares this machine for the tests, idempotently: what they need beyond Java and Maven.
# Run by `./tpw test` (the README's test command) and so by CI. Safe to run again.
set -euo pipefail

PG_RESTART_WAIT_S=60

# The migration service's CDC needs logical decoding. Only the local PostgreSQL is adjusted;
# without one, the tests and ./tpw use an embedded PostgreSQL that already runs with it.
prepare_postgres() {
  local wal_level version
  if ! command -v psql >/dev/null; then
    echo "no psql: the tests use embedded PostgreSQL"
    return 0
  fi
  if ! wal_level="$(psql -h 127.0.0.1 -U postgres -d postgres -tAc 'show wal_level' 2>/dev/null)"; then
    echo "no local PostgreSQL answers: the tests use embedded PostgreSQL"
    return 0
  fi
  if [[ "$wal_level" == logical ]]; then
    echo "local PostgreSQL: wal_level=logical already"
    return 0
  fi
  echo "local PostgreSQL: wal_level=$wal_level; setting logical and restarting it"
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'ALTER SYSTEM SET wal_level = logical'
  version="$(ls /etc/postgresql)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  local waited=0
  until pg_isready -q -h 127.0.0.1 -U postgres -d postgres; do
    if ((waited >= PG_RESTART_WAIT_S)); then
      echo "local PostgreSQL did not come back in ${PG_RESTART_WAIT_S}s" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  wal_level="$(psql -h 127.0.0.1 -U postgres -d postgres -tAc 'show wal_level')"
  [[ "$wal_level" == logical ]] || {
    echo "wal_level is still $wal_level after the restart" >&2
    return 1
  }
  echo "local PostgreSQL: wal_level=logical"
}

# Autovacuum keeps the planner's statistics and the visibility map: a server without it (this
# machine's image turns it off in conf.d) never analyzes a table, and queries planned on "no rows"
# read whole tables as they grow (the signer nodes' signed-before lookup did: 8-14 ms a commit at
# 20,000 rows). Every production PostgreSQL runs it, so the tests and benchmarks do too. A reload
# is enough.
prepare_postgres_autovacuum() {
  local autovacuum
  if ! autovacuum="$(psql -h 127.0.0.1 -U postgres -d postgres -tAc 'show autovacuum' 2>/dev/null)"; then
    return 0
  fi
  if [[ "$autovacuum" == on ]]; then
    echo "local PostgreSQL: autovacuum=on already"
    return 0
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'ALTER SYSTEM SET autovacuum = on' \
    -c 'select pg_reload_conf()' >/dev/null
  autovacuum="$(psql -h 127.0.0.1 -U postgres -d postgres -tAc 'show autovacuum')"
  [[ "$autovacuum" == on ]] || {
    echo "autovacuum is still $autovacuum after the reload" >&2
    return 1
  }
  echo "local PostgreSQL: autovacuum=on"
}

# signing-service seals key shares under a key in a PKCS#11 token; its tests make their own
# SoftHSM2 tokens, so the machine needs the softhsm2 package (module and softhsm2-util).
prepare_softhsm() {
  if command -v softhsm2-util >/dev/null; then
    echo "softhsm2: installed already"
    return 0
  fi
  apt-get update -qq && apt-get install -y -qq softhsm2
  echo "softhsm2: installed"
}

# The migration service's MariaDB source reads the binlog (ROW, FULL row image; MariaDB's GTID
# is always on). Only a local MariaDB is adjusted, through its own conf file, and mariadbd is
# restarted only when the binlog is not active yet.
MARIADB_CONF_DIR=/etc/mysql/mariadb.conf.d
MARIADB_CONF="$MARIADB_CONF_DIR/60-tpwallet-binlog.cnf"
MARIADB_RESTART_WAIT_S=60

mariadb_sql() {
  mysql -h 127.0.0.1 -P 3306 -u root -N -B -e "$1"
}

prepare_mariadb() {
  local log_bin format
  if ! command -v mysql >/dev/null; then
    echo "no mysql client: MariaDB source tests are skipped"
    return 0
  fi
  if ! log_bin="$(mariadb_sql 'select @@log_bin' 2>/dev/null)"; then
    echo "no local MariaDB answers on 3306: MariaDB source tests are skipped"
    return 0
  fi
  format="$(mariadb_sql 'select @@binlog_format')"
  mkdir -p "$MARIADB_CONF_DIR"
  cat >"$MARIADB_CONF.tmp" <<'CNF'
# Written by deploy/scripts/prepare-machine.sh: the binlog the migration service's CDC reads.
[mysqld]
log_bin = mysql-bin
binlog_format = ROW
binlog_row_image = FULL
server_id = 1
expire_logs_days = 7
CNF
  mv "$MARIADB_CONF.tmp" "$MARIADB_CONF"
  if ! grep -qs "^!includedir $MARIADB_CONF_DIR" /etc/mysql/my.cnf; then
    printf '\n!includedir %s/\n' "$MARIADB_CONF_DIR" >>/etc/mysql/my.cnf
  fi
  if [[ "$log_bin" == 1 && "$format" == ROW ]]; then
    echo "local MariaDB: binlog on, ROW already"
    return 0
  fi
  echo "local MariaDB: log_bin=$log_bin binlog_format=$format; restarting it with the binlog on"
  local pid
  pid="$(cat /run/mysqld/mysqld.pid)"
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 1; done
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  local waited=0
  until log_bin="$(mariadb_sql 'select @@log_bin' 2>/dev/null)"; do
    if ((waited >= MARIADB_RESTART_WAIT_S)); then
      echo "local MariaDB did not come back in ${MARIADB_RESTART_WAIT_S}s" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  format="$(mariadb_sql 'select @@binlog_format')"
  [[ "$log_bin" == 1 && "$format" == ROW ]] || {
    echo "MariaDB binlog still log_bin=$log_bin binlog_format=$format after the restart" >&2
    return 1
  }
  echo "local MariaDB: binlog on, ROW"
}

prepare_softhsm
prepare_postgres
prepare_postgres_autovacuum
prepare_mariadb
