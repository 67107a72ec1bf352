#!/usr/bin/env bash
# A 900-day table replayed a week at a time: three policies, timed. Run from the repo root.
set -euo pipefail
work=${1:-/tmp/ct-bench-900}
mkdir -p "$work"
[ -f "$work/events.csv" ] || .venv/bin/python benchmarks/user_data/make_table.py \
    "$work/events.csv" 900 1000
cat > "$work/ct.yaml" <<YAML
source: events.csv
time_column: ts
label_column: y
label_delay: 7d
period: 7d
YAML
rm -rf "$work/out"
/usr/bin/time -v .venv/bin/ct backtest --config "$work/ct.yaml" --window fixed \
    --policies never,periodic,drift --every 28 --out "$work/out" 2> "$work/time.txt"
grep -E "Elapsed|Maximum resident" "$work/time.txt"
cp "$work/out/results.json" "$work/out/report.png" benchmarks/user_data/
