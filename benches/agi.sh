#!/usr/bin/env bash
# Runs the FastAGI benchmark: Ringside's server vs panoramisk's FastAGI server (Python), same decision.
# Needs: python3 with `pip install panoramisk`. Release build; both servers run as child processes.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import panoramisk' 2>/dev/null || { echo "pip install panoramisk first" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # 10,000 held sessions need > 10k descriptors per side
exec cargo bench --bench agi_load "$@"
