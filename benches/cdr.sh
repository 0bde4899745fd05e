#!/usr/bin/env bash
# CDR benchmark (run once, release): import rate vs the databases' native CSV import, search
# latency on a 10M-row store, export rate and peak memory. Prints one line per measurement.
#
#   benches/cdr.sh [LINES=1000000] [SEARCH_ROWS=10000000]
#   PostgreSQL part needs RS_TEST_POSTGRES (admin URL allowed to CREATE DATABASE).
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
SEARCH_ROWS=${2:-10000000}
T=${CARGO_TARGET_DIR:-target}
W=$(mktemp -d /var/tmp/rs-cdr-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
cargo build --release --quiet --bin ringside
RS=$T/release/ringside
CSV=$W/Master.csv
# The generator has no dependencies: compile it alone (cargo bench would build the library again).
rustc --edition 2024 -O -o "$W/gen_master_csv" benches/gen_master_csv.rs
"$W/gen_master_csv" "$CSV" "$LINES" >/dev/null
echo "generated $LINES lines, $(du -h "$CSV" | cut -f1)"

secs() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

# Native peer table: the 21 Master.csv columns as text, with the same indexes as Ringside's cdr.
NATIVE_COLS="accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start_time,answer,end_time,duration,billsec,disposition,amaflags,uniqueid,userfield,peeraccount,linkedid,sequence"
native_schema() {
  local ops=$1
  echo "CREATE TABLE cdr_native ($(echo $NATIVE_COLS | sed 's/,/ TEXT,/g') TEXT);"
  echo "CREATE UNIQUE INDEX n_key ON cdr_native(uniqueid, channel, dstchannel, start_time);"
  echo "CREATE INDEX n_start ON cdr_native(start_time); CREATE INDEX n_src ON cdr_native(src $ops, start_time);"
  echo "CREATE INDEX n_dst ON cdr_native(dst $ops, start_time); CREATE INDEX n_disp ON cdr_native(disposition, start_time);"
  echo "CREATE INDEX n_dur ON cdr_native(duration); CREATE INDEX n_acc ON cdr_native(accountcode, start_time);"
  echo "CREATE INDEX n_linked ON cdr_native(linkedid); CREATE INDEX n_acc_dur ON cdr_native(accountcode, duration);"
}

# --- SQLite import -----------------------------------------------------------------------------
rs_sqlite=$(secs "$RS" --data-dir "$W" --database-url "sqlite://$W/rs.db" cdr import --quiet --server bench --columns 21 --timezone Europe/Berlin "$CSV")
native_schema "" | sqlite3 "$W/native.db"
native_sqlite=$(secs sqlite3 "$W/native.db" ".import --csv $CSV cdr_native")
echo "sqlite import: ringside $(awk -v n=$LINES -v s=$rs_sqlite 'BEGIN{printf "%.0f", n/s}') rows/s (${rs_sqlite}s), sqlite3 .import $(awk -v n=$LINES -v s=$native_sqlite 'BEGIN{printf "%.0f", n/s}') rows/s (${native_sqlite}s), ratio $(ratio "$rs_sqlite" "$native_sqlite") (target >= 0.80)"

# --- PostgreSQL import -------------------------------------------------------------------------
if [ -n "${RS_TEST_POSTGRES:-}" ]; then
  base=${RS_TEST_POSTGRES%/*}
  db=rs_bench_$$
  psql -q "$RS_TEST_POSTGRES" -c "CREATE DATABASE ${db}" -c "CREATE DATABASE ${db}_n"
  rs_pg=$(secs "$RS" --data-dir "$W" --database-url "$base/$db" cdr import --quiet --server bench --columns 21 --timezone Europe/Berlin "$CSV")
  native_schema "text_pattern_ops" | psql -q "$base/${db}_n"
  native_pg=$(secs psql -q "$base/${db}_n" -c "\\copy cdr_native FROM '$CSV' WITH (FORMAT csv)")
  echo "postgres import: ringside $(awk -v n=$LINES -v s=$rs_pg 'BEGIN{printf "%.0f", n/s}') rows/s (${rs_pg}s), psql \\copy $(awk -v n=$LINES -v s=$native_pg 'BEGIN{printf "%.0f", n/s}') rows/s (${native_pg}s), ratio $(ratio "$rs_pg" "$native_pg") (target >= 0.80)"
  psql -q "$RS_TEST_POSTGRES" -c "DROP DATABASE ${db}_n" -c "DROP DATABASE ${db}"
fi

# --- Search latency on SEARCH_ROWS rows (SQLite store), via the real API ----------------------
# Setup, not measured: the imported rows plus synthetic ones (one call every 2 s, ending now) are
# added with the indexes dropped and rebuilt (a bulk fill; Ringside runs no ANALYZE either).
INDEXES=$(sqlite3 "$W/rs.db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cdr' AND sql IS NOT NULL")
FIRST_MS=$(( $(date +%s) * 1000 - (SEARCH_ROWS - LINES) * 2000 ))
sqlite3 "$W/rs.db" <<SQL
PRAGMA cache_size = -262144;
$(sqlite3 "$W/rs.db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cdr' AND sql IS NOT NULL")
BEGIN;
INSERT INTO cdr (dedupe_key, server, start_time, answer_time, end_time, duration, billsec, disposition,
  accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, amaflags, uniqueid,
  userfield, peeraccount, linkedid, sequence, extras, origin, received_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $SEARCH_ROWS - $LINES)
SELECT 'gen' || i, 'bench', $FIRST_MS + i * 2000, NULL, $FIRST_MS + i * 2000 + 60000, i % 600, i % 500,
  CASE i % 10 WHEN 0 THEN 'BUSY' WHEN 1 THEN 'NO ANSWER' WHEN 2 THEN 'FAILED' ELSE 'ANSWERED' END,
  'acc' || ((i / 600) % 20), CAST(2000 + i % 8000 AS TEXT), CAST(3000 + i % 300 AS TEXT), 'from-internal',
  '"Caller ' || i || '" <' || (2000 + i % 8000) || '>', 'PJSIP/a-' || i, 'PJSIP/b-' || i, 'Dial', '', 'DOCUMENTATION',
  'u' || i, '', '', 'l' || i, NULL, '', 'gen', 0 FROM n;
COMMIT;
$INDEXES
SQL
echo "store rows: $(sqlite3 "$W/rs.db" 'SELECT COUNT(*) FROM cdr')"
cat > "$W/ringside.toml" <<TOML
data_dir = "$W/data"
[web]
listen = "127.0.0.1:18931"
[agi]
bind = "127.0.0.1:0"
[database]
url = "sqlite://$W/rs.db"
TOML
TOKEN=$("$RS" -c "$W/ringside.toml" token create bench --role viewer 2>/dev/null | tail -1)
"$RS" -c "$W/ringside.toml" serve >/dev/null 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs http://127.0.0.1:18931/healthz >/dev/null 2>&1 && break; sleep 0.1; done
for q in "limit=50" "range=thismonth&disposition=ANSWERED&limit=50" "src=20*&limit=50" "dst=_30XX&min_duration=60&limit=50" "accountcode=acc3&sort=-duration&limit=50"; do
  for _ in $(seq 40); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18931/api/v1/cdrs?$q"
  done | sort -n | awk -v q="$q" '{ a[NR] = $1 } END { printf "search %-50s p50 %.1f ms p95 %.1f ms (target p95 < 50 ms)\n", q, a[int(NR*0.5)]*1000, a[int(NR*0.95)]*1000 }'
done

# --- Export rate and peak memory ------------------------------------------------------------
start=$(date +%s.%N)
rows=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18931/api/v1/cdrs?format=csv" | wc -l)
end=$(date +%s.%N)
hwm=$(grep VmHWM /proc/$PID/status | awk '{print $2}')
echo "export csv: $((rows - 1)) rows in $(awk -v a=$start -v b=$end 'BEGIN{printf "%.1f", b-a}') s = $(awk -v n=$rows -v a=$start -v b=$end 'BEGIN{printf "%.0f", n/(b-a)}') rows/s (target >= 200000), ringside peak RSS ${hwm} kB"
kill $PID
