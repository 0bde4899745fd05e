#!/usr/bin/env bash
# Installs and starts what the test suite needs on Debian, if it is not there yet:
# PostgreSQL (started, with a test role), Chromium + chromedriver (browser tests),
# sox, ffmpeg and lame (reference tools for the audio tests). Idempotent; safe to run often.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi; }

need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v sox >/dev/null || need+=(sox)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v lame >/dev/null || need+=(lame)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-deps: installing ${need[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Start every PostgreSQL cluster that is down (Debian names them VERSION/main).
pg_lsclusters -h | while read -r version cluster _port status _rest; do
  if [ "$status" != "online" ]; then
    echo "test-deps: starting PostgreSQL $version/$cluster"
    as_root pg_ctlcluster "$version" "$cluster" start
  fi
done
as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'ringside_test'\"" | grep -q 1 ||
  as_postgres "psql -qc \"CREATE ROLE ringside_test LOGIN SUPERUSER PASSWORD 'ringside_test'\""
