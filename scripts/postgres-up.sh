#!/usr/bin/env bash
# Starts this machine's PostgreSQL 15 and creates the test role (idempotent).
# Prints the URL the tests use: ANJIAN_TEST_DATABASE_URL.
set -euo pipefail
if ! pg_lsclusters -h 2>/dev/null | grep -q "^15 *main .*online"; then
  pg_ctlcluster 15 main start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h localhost && break
  sleep 0.5
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='anjian'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE anjian LOGIN PASSWORD 'anjian' CREATEDB\""
# Each test creates a database named anjian_t_<random>; drop those left by earlier runs
# (in one session: a run of the suite leaves about eighty).
su postgres -c "psql -qtAc \"SELECT format('DROP DATABASE IF EXISTS %I;', datname) FROM pg_database WHERE datname LIKE 'anjian_t_%'\" | psql -q" >/dev/null
echo "postgres://anjian:anjian@localhost:5432/postgres"
