#!/usr/bin/env bash
# Drift benchmark: the project's fit+compare against Evidently's DataDriftPreset and NannyML's
# univariate calculator in one run (the peers come from ../shared/bench, in their own venv),
# the quality check at each size, and the peak memory of a 10M-row day compared from DuckDB.
#
#   bash benchmarks/drift/run.sh                 # sizes 100000 1000000, then the 10M DuckDB day
#   SIZES="1000000" DAY_ROWS=0 bash benchmarks/drift/run.sh   # one size, no 10M day
#
# Env: PEER_BENCH_DIR (default /tmp/peer-bench: data, peer venv, results), SHARED_BENCH (the
# shared bench folder), SIZES, DAY_ROWS (default 10000000; 0 skips), REPEATS (peers, default 3),
# STATIONARY (default 1; 0 skips the stationary false-alarm replays of stationary.py).
# Steps run one at a time (never two heavy processes at once on a 2-core machine).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${SHARED_BENCH:-$(cd "$ROOT/../shared/bench" && pwd)}"
export PEER_BENCH_DIR="${PEER_BENCH_DIR:-/tmp/peer-bench}"
PY="$ROOT/.venv/bin/python"
PEER="$PEER_BENCH_DIR/venv/bin/python"
RES="${RES:-$PEER_BENCH_DIR/drift-results}"
SIZES="${SIZES:-100000 1000000}"
DAY_ROWS="${DAY_ROWS:-10000000}"
mkdir -p "$RES"
[ -x "$PEER" ] || bash "$SHARED/setup.sh"
{ date -u +"%Y-%m-%dT%H:%M:%SZ"; uname -a; nproc; grep -m1 "model name" /proc/cpuinfo; } \
  > "$RES/machine.txt"

for N in $SIZES; do
  echo "=== $(date +%T) $N rows"
  "$PEER" "$SHARED/gen_data.py" --rows "$N" > /dev/null
  "$PY" "$HERE/bench_drift.py" --rows "$N" --duckdb --strings --out "$RES/ours_$N.json"
  "$PEER" "$SHARED/peer_bench.py" --rows "$N" --libs evidently,nannyml \
    --evidently-variants preset --repeats "${REPEATS:-3}" --no-import-timing --quiet \
    --out "$RES/peer_$N.json" | grep -E "^(evidently|nannyml) "
  "$PY" "$HERE/bench_drift.py" --rows "$N" --out "$RES/ours_after_$N.json"
done

if [ "$DAY_ROWS" != "0" ]; then
  echo "=== $(date +%T) $DAY_ROWS-row day from DuckDB"
  "$PEER" "$SHARED/gen_data.py" --rows "$DAY_ROWS" > /dev/null
  "$PY" "$HERE/duckdb_day.py" make --rows "$DAY_ROWS" --db "$PEER_BENCH_DIR/day.duckdb"
  DAY_DB="$PEER_BENCH_DIR/day.duckdb"
  /usr/bin/time -v -o "$RES/duckdb_10m.time" \
    "$PY" "$HERE/duckdb_day.py" measure --db "$DAY_DB" | tee "$RES/duckdb_10m.txt"
  /usr/bin/time -v -o "$RES/duckdb_10m_defaults.time" \
    "$PY" "$HERE/duckdb_day.py" measure --db "$DAY_DB" --memory-limit "" \
    | tee "$RES/duckdb_10m_defaults.txt"
  /usr/bin/time -v -o "$RES/pandas_10m.time" \
    "$PY" "$HERE/duckdb_day.py" measure --db "$DAY_DB" --pandas | tee "$RES/pandas_10m.txt"
fi
if [ "${STATIONARY:-1}" != "0" ]; then
  echo "=== $(date +%T) stationary false alarms"
  "$PY" "$HERE/stationary.py" --out "$RES/stationary.json" | tee "$RES/stationary.md"
fi
"$PY" "$HERE/summarize.py" "$RES" | tee "$RES/summary.md"
