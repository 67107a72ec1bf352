"""What each retrain of a backtest cost, from its results.json and its homes' registries.

    .venv/bin/python benchmarks/backtest/timing.py OUT [ROWS]

For every policy: the number of retrains that trained a model, the median wall and CPU seconds
of their runs, and the same medians over those whose contender trained on ROWS (default 50,000)
labelled rows or more (the refit's rows), so "a retrain at 50,000 rows" is measured, not
guessed. Wall counts the time the run waited for a core while other replays ran; CPU does not.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import duckdb

from ct_assets.backtest.results import trained
from ct_assets.backtest.run import home_folder
from ct_assets.registry import Registry


def rows_by_run(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "ct.duckdb"), read_only=True) as con:
        return {v.run_id: v.n_rows for v in Registry(con).versions()}


def medians(retrains: list[dict]) -> str:
    if not retrains:
        return "0 | - | -"
    wall = statistics.median(r["seconds"] for r in retrains)
    cpu = statistics.median(r["cpu_seconds"] for r in retrains)
    return f"{len(retrains)} | {wall:.2f} | {cpu:.2f}"


def main(out: Path, at: int) -> None:
    results = json.loads((out / "results.json").read_text())
    print(f"| policy | retrains | median wall s | median CPU s | at >= {at:,} rows: n "
          "| wall s | CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, policy in results["policies"].items():
        rows = rows_by_run(out / "homes" / home_folder(name))
        timed = [r for r in policy["retrain_days"] if trained(r) and "cpu_seconds" in r]
        big = [r for r in timed if rows.get(r["run_id"], 0) >= at]
        print(f"| {name} | {medians(timed)} | {medians(big)} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 50_000)
