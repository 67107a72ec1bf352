#!/usr/bin/env bash
# Backtest speed: the three workloads of issue 14, timed with /usr/bin/time. Run from the repo
# root on a quiet machine (`uptime` first): results in $WORK and on stdout.
#   1. 180 simulated days, four policies
#   2. a generated table, ~1,000 rows a week for 90 weeks, 30-day label delay: never,periodic,drift
#   3. the same table, a grid of 6 settings (drift policy): one report
set -euo pipefail
work=${WORK:-/tmp/ct-bench-speed}
mkdir -p "$work"
ct=.venv/bin/ct
timed() { /usr/bin/time -f "%e s wall, %U s user, %M KB peak" "$@"; }

echo "== 1. simulator, 180 days, four policies"
timed $ct backtest --days 180 --out "$work/sim180" > "$work/sim180.log"
.venv/bin/python benchmarks/backtest/timing.py "$work/sim180"

echo "== 2. table: 90 weeks x ~1,000 rows, 30-day label delay"
[ -f "$work/weekly/events.csv" ] || { mkdir -p "$work/weekly"; .venv/bin/python \
    benchmarks/user_data/make_table.py "$work/weekly/events.csv" 630 143; }
printf 'source: events.csv\ntime_column: ts\nlabel_column: y\nlabel_delay: 30d\nperiod: 7d\n' \
    > "$work/weekly/ct.yaml"
timed $ct backtest --config "$work/weekly/ct.yaml" --policies never,periodic,drift \
    --out "$work/weekly/out" > "$work/weekly.log" 2>&1
.venv/bin/python benchmarks/backtest/timing.py "$work/weekly/out"

echo "== 3. the same table, a grid of 6 settings"
timed $ct backtest --config "$work/weekly/ct.yaml" --policies drift \
    --set drift_share=0.2,0.3,0.4 --set staleness=0.5,1.0 \
    --out "$work/weekly/grid" > "$work/grid.log" 2>&1
grep -E "^\| " "$work/weekly/grid/report.md"
