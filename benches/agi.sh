#!/usr/bin/env bash
# Runs the FastAGI benchmark: Ringside's server vs panoramisk's FastAGI server (Python), same decision.
# Not part of ./test.sh or CI (it needs the machine to itself for meaningful numbers).
# Needs python3 with panoramisk (installed here from PyPI if missing). Release build; the servers
# run as child processes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import panoramisk' 2>/dev/null; then
    python3 -m pip install --quiet panoramisk 2>/dev/null ||
        python3 -m pip install --quiet --break-system-packages panoramisk
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # 10,000 held sessions need > 10k descriptors per side
echo "uptime: $(uptime)"
exec cargo bench --bench agi_load "$@"
