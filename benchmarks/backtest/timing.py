"""How long each retrain of a backtest took, read from its homes' Dagster instances and registries.

    .venv/bin/python benchmarks/backtest/timing.py OUT [ROWS]

For every policy home under OUT/homes: the number of retrain runs, their median wall time, and
the median of those whose contender trained on ROWS (default 50,000) labelled rows or more
(the refit's rows), so "a retrain at 50,000 rows" is measured, not guessed.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import dagster as dg
import duckdb

from ct_assets.registry import Registry


def retrains(home: Path) -> list[tuple[float, int]]:
    """(seconds, training rows) of each retrain run that recorded a contender."""
    with duckdb.connect(str(home / "ct.duckdb"), read_only=True) as con:
        rows = {v.run_id: v.n_rows for v in Registry(con).versions()}
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        runs = instance.get_run_records(dg.RunsFilter(job_name="demo__retrain_job"))
        return [(r.end_time - r.start_time, rows[r.dagster_run.run_id]) for r in runs
                if r.start_time and r.end_time and r.dagster_run.run_id in rows]


def main(out: Path, at: int) -> None:
    print(f"| home | retrains | median s | at >= {at:,} rows: n, median s |")
    print("|---|---:|---:|---:|")
    for home in sorted(p for p in (out / "homes").iterdir() if (p / "ct.duckdb").exists()):
        timed = retrains(home)
        big = [s for s, n in timed if n >= at]
        median = statistics.median(s for s, _ in timed) if timed else float("nan")
        tail = f"{len(big)}, {statistics.median(big):.2f}" if big else "0, -"
        print(f"| {home.name} | {len(timed)} | {median:.2f} | {tail} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 50_000)
