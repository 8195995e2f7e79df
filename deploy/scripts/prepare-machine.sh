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

prepare_softhsm
prepare_postgres
