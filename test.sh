#!/usr/bin/env bash
# The whole test suite, on SQLite and PostgreSQL, with a real browser.
# Installs and starts what it needs first (Debian; root or sudo), then runs `cargo test`.
# Extra arguments go to `cargo test` (e.g. ./test.sh foundation).
set -euo pipefail
cd "$(dirname "$0")"
scripts/test-deps.sh
export RS_TEST_POSTGRES="${RS_TEST_POSTGRES:-postgres://ringside_test:ringside_test@127.0.0.1/postgres}"
exec cargo test "$@"
